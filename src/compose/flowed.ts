/**
 * Plain text as format=flowed (RFC 3676), the convention of mailing lists: long lines are sent
 * wrapped with a trailing space (a soft break the reader's client may rejoin), lines the user ended
 * stay ended, quotes keep their `>` and the signature separator stays "-- ".
 */

/** Where lines are wrapped (RFC 3676 recommends 66 to 78). */
export const FLOWED_WIDTH = 72;

export function toFlowed(text: string, width = FLOWED_WIDTH): string {
  const out: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw === '-- ') {
      out.push(raw);
      continue;
    }
    // A trailing space would mark a soft break the user did not make.
    let line = raw.replace(/[ \t]+$/, '');
    // Quoted lines are kept as they are (rewrapping them would need their depth on each piece).
    if (!line.startsWith('>')) {
      while (line.length > width) {
        let at = line.lastIndexOf(' ', width);
        if (at <= 0) at = line.indexOf(' ', width);
        if (at <= 0 || at === line.length - 1) break;
        out.push(stuffed(line.slice(0, at + 1)));
        line = line.slice(at + 1);
      }
    }
    out.push(line.startsWith('>') ? line : stuffed(line));
  }
  return out.join('\r\n');
}

/** A line that starts with a space or "From " (or, in unquoted text, ">") gets one space in front. */
const stuffed = (line: string) => (/^( |From |>)/.test(line) ? ` ${line}` : line);

/** Reads format=flowed back into lines as the writer meant them (for tests and quoting). */
export function fromFlowed(text: string): string {
  const lines: string[] = [];
  let open = false;
  for (let line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.startsWith(' ')) line = line.slice(1);
    const soft = line.endsWith(' ') && line !== '-- ';
    if (open) lines[lines.length - 1] += line;
    else lines.push(line);
    open = soft;
  }
  return lines.join('\n');
}
