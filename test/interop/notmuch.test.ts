/**
 * "Other mail tools can read the store", proved with Debian's notmuch: it indexes a store that the
 * fetch engine filled (the demo's 28 messages: MIME, eight languages, several charsets; some read,
 * some in Trash) and finds every message, with the same subject and sender as Mail Panel shows.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sampleMailbox } from '../../src/demo/sampleMailbox';
import { startPop3Server } from '../../src/demo/pop3Server';
import { AccountStore } from '../../src/store/accountStore';
import { fetchMail } from '../../src/sync/fetch';
import { needTool } from '../support/tier';

const NOTMUCH = '/usr/bin/notmuch';
const skip = needTool('notmuch', NOTMUCH, 'notmuch (apt-get install -y notmuch)');

interface NotmuchMessage {
  id: string;
  headers: { Subject?: string; From?: string };
}

/** The messages of `notmuch show --format=json`: threads of [message, replies] pairs. */
function flatten(node: unknown, out: NotmuchMessage[] = []): NotmuchMessage[] {
  if (Array.isArray(node)) for (const child of node) flatten(child, out);
  else if (node && typeof node === 'object' && 'headers' in node) out.push(node as NotmuchMessage);
  return out;
}

describe('the Maildir read by notmuch', { skip }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-notmuch-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('notmuch finds every stored message, with the subject and sender Mail Panel shows', async () => {
    const server = await startPop3Server({ messages: sampleMailbox() });
    const storeRoot = join(scratch, 'store');
    try {
      await fetchMail({
        storeRoot,
        server: { host: '127.0.0.1', port: server.port, security: 'none', allowInsecureAuth: true, credentials: { user: 'alice', password: 'secret', mechanism: 'USER' } },
      });
    } finally {
      await server.close();
    }
    const store = await AccountStore.open(storeRoot);
    const entries = store.list();
    await store.markSeen(entries.slice(0, 5).map((e) => e.id));
    await store.trash(entries.slice(5, 8).map((e) => e.id)); // cur/ with flags, as other tools write them
    const config = join(scratch, 'notmuch-config');
    writeFileSync(config, `[database]\npath=${join(storeRoot, 'Maildir')}\n[user]\nname=Test\nprimary_email=test@example.org\n[new]\ntags=inbox;\nignore=\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=true\n`);
    const notmuch = (...args: string[]) => execFileSync(NOTMUCH, args, { env: { ...process.env, NOTMUCH_CONFIG: config }, encoding: 'utf8' });
    notmuch('new', '--quiet');
    assert.equal(Number(notmuch('count', '--output=files', '*').trim()), entries.length, 'every file indexed');
    const found = flatten(JSON.parse(notmuch('show', '--format=json', '--body=false', '--entire-thread=false', '*')));
    assert.equal(found.length, entries.length);
    const ours = entries.map((e) => `${e.subject} | ${e.from}`).sort();
    const theirs = found.map((m) => `${m.headers.Subject ?? ''} | ${m.headers.From ?? ''}`).sort();
    assert.deepEqual(theirs, ours);
    // Flags are Maildir's own: notmuch reads "seen" (S) as Mail Panel wrote it.
    assert.equal(Number(notmuch('count', 'tag:unread').trim()), entries.length - 5);
  });
});
