/**
 * A fingerprint of a message's identifying headers (Message-ID, Date, From, To, Subject,
 * Received), stable when a server rewrites others (Status, X-UIDL). It identifies mail on servers
 * without UIDL, and vouches that a listed message is the stored one before a DELE (TOP n 0).
 */
import { createHash } from 'node:crypto';
import { headerEnd, parseHeaders } from './headers';

export function headerFingerprint(source: Buffer): string {
  const hash = createHash('sha256');
  const end = headerEnd(source);
  const headers = parseHeaders(end === -1 ? source : source.subarray(0, end));
  for (const name of ['message-id', 'date', 'from', 'to', 'subject', 'received']) hash.update(`${name}:${(headers.get(name) ?? []).join('\n')}\n`);
  return hash.digest('base64url').slice(0, 32);
}
