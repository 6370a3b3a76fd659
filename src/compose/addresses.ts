/**
 * Addresses as a person types them in a draft's To, Cc and Bcc lines: parsed (nodemailer's
 * addressparser, which knows quoted names, comments and groups), checked, and written back.
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Mailbox } from '../mime/parse';

export type { Mailbox };

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$|^[^\s@<>()",;:]+@\[[0-9a-fA-F:.]+\]$/;

/** The mailboxes of one address line, groups flattened; `bad` holds what is not an address. */
export function parseAddresses(text: string): { mailboxes: Mailbox[]; bad: string[] } {
  const mailboxes: Mailbox[] = [];
  const bad: string[] = [];
  if (!text.trim()) return { mailboxes, bad };
  for (const entry of addressparser(text, { flatten: true })) {
    const address = (entry.address ?? '').trim();
    if (ADDRESS.test(address)) mailboxes.push({ name: (entry.name ?? '').trim(), address });
    else bad.push(entry.address || entry.name || text.trim());
  }
  return { mailboxes, bad };
}

/** `Name <a@b>`, the name quoted when it holds characters that would split or confuse the list. */
export function formatMailbox({ name, address }: Mailbox): string {
  if (!name || name === address) return address;
  const plain = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~ .]+$/u.test(name) && !/^\.|\.$|\.\./.test(name.trim());
  return `${plain ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`} <${address}>`;
}

export const formatMailboxes = (list: readonly Mailbox[]): string => list.map(formatMailbox).join(', ');

export const sameAddress = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The list without repeats (first kept) and without any of `drop`. */
export function uniqueMailboxes(list: readonly Mailbox[], drop: readonly string[] = []): Mailbox[] {
  const seen = new Set(drop.map((a) => a.toLowerCase()));
  return list.filter((m) => {
    const key = m.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
