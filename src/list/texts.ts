/**
 * Texts derived from messages (folded for the filter, names and base subjects for sorting), each
 * worked out once per distinct text: senders and subjects repeat across thousands of messages, and
 * a reload after a fetch or a flag change finds what it needs already here.
 */
import { displayName } from '../shared/format';
import { fold, foldWords } from './fold';
import { baseSubject } from './threads';

/** A derivation by raw text. Two generations: texts no reload asked for since the last one are let go. */
export class TextCache {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  constructor(private readonly derive: (raw: string) => string) {}

  get(raw: string): string {
    let value = this.current.get(raw);
    if (value === undefined) {
      value = this.previous.get(raw) ?? this.derive(raw);
      this.current.set(raw, value);
    }
    return value;
  }

  /** Called when the messages change: what the new ones do not use again leaves at the next turn. */
  turn(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/** The texts a list of messages derives; one set per open list. */
export class ListTexts {
  /** Folded into words for the filter (listQuery.ts). */
  readonly folded = new TextCache(foldWords);
  /** A sender's or recipients' display name, folded: the From column's sort key. */
  readonly name = new TextCache((raw) => fold(displayName(raw)));
  /** The subject without "Re:" and list tags, folded: the Subject column's sort key. */
  readonly subject = new TextCache((raw) => fold(baseSubject(raw).base));

  turn(): void {
    this.folded.turn();
    this.name.turn();
    this.subject.turn();
  }
}
