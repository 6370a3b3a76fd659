/**
 * Text folded for matching: case and accents ignored ("Müller" matches "muller"), compatibility
 * forms unified (full-width letters, ligatures), so a filter finds what a person means.
 */
const MARKS = /\p{M}/gu;

export function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase().replace(/ß/g, 'ss');
}
