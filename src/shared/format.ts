/**
 * How Mail Panel writes sizes, dates and names, everywhere: the tree (host), the reader and the
 * message list (webviews) import this one module.
 */

/** "1 message", "3 new messages". */
export const messagesText = (count: number, kind = '') => `${count} ${kind ? `${kind} ` : ''}message${count === 1 ? '' : 's'}`;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Date formats made once per locale and kept: toLocaleDateString(locale, options) builds a new
 * Intl.DateTimeFormat on every call, which was most of the time a list took to draw its rows.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string | undefined, kind: 'time' | 'day' | 'date' | 'full'): Intl.DateTimeFormat {
  const id = `${locale ?? ''}|${kind}`;
  let format = formats.get(id);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'time' ? { hour: '2-digit', minute: '2-digit' } : kind === 'day' ? { month: 'short', day: 'numeric' } : kind === 'date' ? { year: 'numeric', month: 'short', day: 'numeric' } : { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };
    formats.set(id, (format = new Intl.DateTimeFormat(locale, options)));
  }
  return format;
}

/**
 * Makes the date formats ahead of need. A page's first Intl formats cost tens of milliseconds (ICU's
 * locale data); the list makes them while the host prepares its first rows, not after.
 */
export function prepareDateFormats(locale?: string): void {
  for (const kind of ['time', 'day', 'date', 'full'] as const) dateFormat(locale, kind).format(0);
}

/** A list's date: the time today, the day this year, the full date before (as mail clients do). */
export function formatDate(ms: number, now: number, locale?: string): string {
  if (!ms || !Number.isFinite(ms)) return '';
  const date = new Date(ms);
  const today = new Date(now);
  const thisYear = date.getFullYear() === today.getFullYear();
  if (thisYear && date.getMonth() === today.getMonth() && date.getDate() === today.getDate()) return dateFormat(locale, 'time').format(date);
  if (thisYear && ms <= now) return dateFormat(locale, 'day').format(date);
  return dateFormat(locale, 'date').format(date);
}

/** The full date and time (reader header, tooltips). */
export function formatFullDate(ms: number, locale?: string): string {
  return ms && Number.isFinite(ms) ? dateFormat(locale, 'full').format(ms) : '';
}

/** "3 min ago", for a glance in the tree. */
export function relativeDate(ms: number, now: number): string {
  if (!ms) return '';
  const diff = now - ms;
  const minute = 60_000;
  if (diff < 0) return new Date(ms).toLocaleDateString();
  if (diff < minute) return 'just now';
  if (diff < 60 * minute) return `${Math.floor(diff / minute)} min ago`;
  if (diff < 24 * 60 * minute) return `${Math.floor(diff / (60 * minute))} h ago`;
  if (diff < 7 * 24 * 60 * minute) return `${Math.floor(diff / (24 * 60 * minute))} d ago`;
  return new Date(ms).toLocaleDateString();
}

/** Why a search query cannot be read, and where (the palette's box and the list's say it alike). */
export const queryErrorText = (error: { message: string; at: number }) => `${error.message} (at character ${error.at + 1})`;

/** "Renée Dupont <renee@x.org>" -> "Renée Dupont"; bare addresses stay. */
export function displayName(from: string): string {
  const match = /^\s*"?([^"<]+?)"?\s*<[^>]+>/.exec(from);
  return (match ? match[1] : from).trim() || '(unknown sender)';
}

/** Keeps right-to-left names and subjects from reordering the text around them (FSI ... PDI). */
export function isolate(text: string): string {
  return /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/.test(text) ? `\u2068${text}\u2069` : text;
}
