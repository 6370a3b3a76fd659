/**
 * The search language, in the spirit of notmuch and Gmail:
 *
 *   munchen report            both words, anywhere in the message (sender, recipients, subject,
 *                             body, attachment names)
 *   "quarterly report"        the words together, in this order
 *   from:renee  to:bob  subject:plan  attachment:pdf
 *   has:attachment  is:unread  is:read  is:trashed  account:work
 *   before:2026-11-01  after:2026-10  date:2026-11  date:2026-10-01..2026-10-15
 *   -word  NOT word           without
 *   a OR b, (a OR b) c        either; AND binds closer than OR, and is what a space means
 *
 * Dates are days in local time: `date:2026-11` is November, `before:2026-11-01` is before that
 * day begins, `after:2026-10` after October ends. A query it cannot read is refused with the
 * reason and where (a QueryError), never read some other way: a misspelt field (`form:ann`)
 * would otherwise search for the word "form".
 */
import { tokens } from './tokens';

export type TextField = 'any' | 'from' | 'to' | 'subject' | 'attachment';
export type Flag = 'unread' | 'read' | 'trashed' | 'attachment';

export type Query =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; items: Query[] }
  | { kind: 'not'; item: Query }
  /** Words that must follow each other in `field` (one word: anywhere in it). */
  | { kind: 'words'; field: TextField; words: string[] }
  | { kind: 'flag'; flag: Flag }
  /** Messages dated in [from, until), in ms; either end may be open. */
  | { kind: 'date'; from?: number; until?: number }
  /** Accounts whose address or name contains this, folded. */
  | { kind: 'account'; text: string };

export class QueryError extends Error {
  constructor(
    message: string,
    /** Where in the query (a character offset), to point at. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

const TEXT_FIELDS: Record<string, TextField> = { from: 'from', to: 'to', subject: 'subject', attachment: 'attachment' };
const FIELDS = ['from', 'to', 'subject', 'attachment', 'has', 'is', 'before', 'after', 'date', 'account'];
const IS: Record<string, Flag> = { unread: 'unread', read: 'read', trashed: 'trashed' };

type Token = { type: 'word' | 'phrase' | '(' | ')' | '-'; text: string; at: number; field?: string };

/** Reads a query; throws QueryError with the reason and its place. An empty query finds everything. */
export function parseQuery(input: string): Query {
  const list = lex(input);
  let i = 0;
  const peek = () => list[i];
  const isOr = (t: Token | undefined) => t?.type === 'word' && !t.field && t.text === 'OR';

  function or(): Query {
    const items = [and()];
    while (isOr(peek())) {
      const op = list[i++];
      if (!peek() || isOr(peek()) || peek().type === ')') throw new QueryError('"OR" needs something after it', op.at);
      items.push(and());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  function and(): Query {
    const items: Query[] = [];
    for (let t = peek(); t && t.type !== ')' && !isOr(t); t = peek()) {
      if (t.type === 'word' && !t.field && t.text === 'AND') {
        i++;
        if (items.length === 0 || !peek() || peek().type === ')' || isOr(peek())) throw new QueryError('"AND" needs something on each side', t.at);
        continue;
      }
      items.push(unary());
    }
    if (items.length === 0) {
      const t = peek();
      throw new QueryError(isOr(t) ? '"OR" needs something before it' : t ? 'Empty parentheses' : 'Nothing to search for', t?.at ?? input.length);
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  function unary(): Query {
    const t = list[i++];
    if (t.type === '-' || (t.type === 'word' && !t.field && t.text === 'NOT')) {
      const next = peek();
      if (!next || next.type === ')' || isOr(next)) throw new QueryError(`"${t.text}" needs something to leave out`, t.at);
      return { kind: 'not', item: unary() };
    }
    if (t.type === '(') {
      const inner = or();
      if (peek()?.type !== ')') throw new QueryError('A "(" is not closed', t.at);
      i++;
      return inner;
    }
    if (t.type === ')') throw new QueryError('A ")" closes nothing', t.at);
    return term(t);
  }

  if (list.length === 0) return { kind: 'all' };
  const query = or();
  if (i < list.length) throw new QueryError('A ")" closes nothing', list[i].at);
  return query;
}

function term(t: Token): Query {
  if (!t.field) return words('any', t);
  const field = t.field;
  const value = t.text;
  const valueAt = t.at + field.length + 1;
  if (!value) throw new QueryError(`"${field}:" needs a value`, t.at);
  if (TEXT_FIELDS[field]) return words(TEXT_FIELDS[field], t);
  if (field === 'has') {
    if (value.toLowerCase() === 'attachment') return { kind: 'flag', flag: 'attachment' };
    throw new QueryError(`"has:" knows "attachment", not "${value}"`, valueAt);
  }
  if (field === 'is') {
    const flag = IS[value.toLowerCase()];
    if (flag) return { kind: 'flag', flag };
    throw new QueryError(`"is:" knows "unread", "read" and "trashed", not "${value}"`, valueAt);
  }
  if (field === 'account') return { kind: 'account', text: tokens(value).join(' ') };
  // Dates: before:, after:, date: (a day, month or year, or a range a..b).
  if (field === 'before') return { kind: 'date', until: day(value, valueAt).start };
  if (field === 'after') return { kind: 'date', from: day(value, valueAt).end };
  const range = value.split('..');
  if (range.length === 1) return { kind: 'date', from: day(value, valueAt).start, until: day(value, valueAt).end };
  if (range.length !== 2 || (!range[0] && !range[1])) throw new QueryError(`"${value}" is not a date range: write "date:2026-10-01..2026-10-15"`, valueAt);
  return { kind: 'date', from: range[0] ? day(range[0], valueAt).start : undefined, until: range[1] ? day(range[1], valueAt + range[0].length + 2).end : undefined };
}

function words(field: TextField, t: Token): Query {
  const list = tokens(t.text);
  if (list.length === 0) throw new QueryError(`"${t.text}" has no letters or digits to search for`, t.at);
  return { kind: 'words', field, words: list };
}

/** A year, month or day (YYYY, YYYY-MM, YYYY-MM-DD) as [start, end) in local time. */
function day(text: string, at: number): { start: number; end: number } {
  const match = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text);
  const [year, month, date] = match ? [Number(match[1]), match[2] ? Number(match[2]) : undefined, match[3] ? Number(match[3]) : undefined] : [];
  if (!match || (month !== undefined && (month < 1 || month > 12)) || (date !== undefined && (date < 1 || date > new Date(year!, month!, 0).getDate()))) {
    throw new QueryError(`"${text}" is not a date: write 2026, 2026-11 or 2026-11-05`, at);
  }
  if (month === undefined) return { start: new Date(year!, 0, 1).getTime(), end: new Date(year! + 1, 0, 1).getTime() };
  if (date === undefined) return { start: new Date(year!, month - 1, 1).getTime(), end: new Date(year!, month, 1).getTime() };
  return { start: new Date(year!, month - 1, date).getTime(), end: new Date(year!, month - 1, date + 1).getTime() };
}

/** Splits the query into words, "phrases", field:values, parentheses and leading minus signs. */
function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ type: c, text: c, at: i++ });
      continue;
    }
    if (c === '-' && i + 1 < input.length && !/\s/.test(input[i + 1])) {
      out.push({ type: '-', text: '-', at: i++ });
      continue;
    }
    const at = i;
    // field:value, with the value a word or a "phrase"
    const field = /^([A-Za-z]+):(?!\/\/)/.exec(input.slice(i)); // not a link's scheme
    let name: string | undefined;
    if (field) {
      name = field[1].toLowerCase();
      if (!FIELDS.includes(name)) {
        const near = FIELDS.find((f) => close(f, name!));
        throw new QueryError(`Unknown field "${field[1]}:"${near ? ` (did you mean "${near}:"?)` : ''}; to search for the text, put it in quotes`, at);
      }
      i += field[0].length;
    }
    if (input[i] === '"') {
      const end = input.indexOf('"', i + 1);
      if (end === -1) throw new QueryError('A quotation mark is not closed', i);
      out.push({ type: 'phrase', text: input.slice(i + 1, end), at, field: name });
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < input.length && !/[\s()"]/.test(input[end])) end++;
    out.push({ type: 'word', text: input.slice(i, end), at, field: name });
    i = end;
  }
  return out;
}

/** One edit apart (a typo), for "did you mean". */
function close(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
}

/** The distinct word leaves of a query, as [field, words]. */
export function wordLeaves(query: Query): Array<[TextField, string[]]> {
  const seen = new Map<string, [TextField, string[]]>();
  const visit = (q: Query): void => {
    if (q.kind === 'words') seen.set(leafId(q.field, q.words), [q.field, q.words]);
    else if (q.kind === 'not') visit(q.item);
    else if (q.kind === 'and' || q.kind === 'or') q.items.forEach(visit);
  };
  visit(query);
  return [...seen.values()];
}

/** One word leaf, as a key: the same leaf asked twice is answered once. */
export const leafId = (field: TextField, words: string[]) => `${field}:${words.join(' ')}`;

/** The words the query looks for (not those it leaves out): what a result highlights. */
export function soughtWords(query: Query): string[] {
  const words = new Set<string>();
  const visit = (q: Query): void => {
    if (q.kind === 'words' && q.field !== 'attachment') q.words.forEach((w) => words.add(w));
    else if (q.kind === 'and' || q.kind === 'or') q.items.forEach(visit);
  };
  visit(query);
  return [...words];
}
