/**
 * Words for the search index and for queries, made the same way for both: folded (case and
 * accents, src/list/fold.ts), split at anything that is not a letter, a mark or a digit. Scripts
 * written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) are split into words by
 * ICU's dictionaries (Intl.Segmenter), only there: the segmenter is several times slower than a
 * regular expression, and most mail is in scripts with spaces.
 */
import { fold } from '../list/fold';

/** A word's characters in a row (matchAll copies it: safe to share). */
export const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
/** Scripts written without spaces between words. */
export const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Words longer than this are not words (base64 runs, hashes): not indexed, never matched. */
export const MAX_WORD = 64;

let segmenter: Intl.Segmenter | undefined;

/** The words of `text`, folded, in order (repeats kept: a phrase needs its positions). */
export function tokens(text: string): string[] {
  const words: string[] = [];
  for (const [run] of fold(text).matchAll(WORD_RUN)) {
    if (!UNSPACED.test(run)) {
      if (run.length <= MAX_WORD) words.push(run);
      continue;
    }
    segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
    for (const part of segmenter.segment(run)) if (part.isWordLike && part.segment.length <= MAX_WORD) words.push(part.segment);
  }
  return words;
}
