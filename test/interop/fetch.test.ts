/**
 * The fetch engine against a real Dovecot: byte-identical downloads, incremental fetches, each
 * server policy checked on the server afterwards, partial download and completion, Trash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { completeMessage, fetchMail, type FetchOptions } from '../../src/sync/fetch';
import { DOVECOT_BIN, DOVECOT_INSTALL, startDovecot, type Dovecot } from '../support/dovecot';
import { storedFiles } from '../support/mailcheck';
import { needTool } from '../support/tier';

const skip = needTool('dovecot', DOVECOT_BIN, DOVECOT_INSTALL);
const USERS = ['fetcher', 'policy', 'days', 'local', 'keeplocal', 'partial'];

function message(n: number, extra = ''): Buffer {
  return Buffer.from(`From: sender@example.org\r\nSubject: message ${n}\r\nDate: Mon, 0${1 + (n % 9)} Nov 2026 10:00:00 +0000\r\n\r\nBody ${n}\r\n.dot\r\n\xe9\xff\r\n${extra}`, 'latin1');
}

describe('fetch engine against Dovecot', { skip }, () => {
  let dovecot: Dovecot;
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-fetch-'));
  before(async () => {
    dovecot = await startDovecot(USERS);
  });
  after(async () => {
    await dovecot?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const options = (user: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({
    storeRoot: join(scratch, user),
    server: {
      host: '127.0.0.1',
      port: dovecot.pop3sPort,
      security: 'tls',
      tls: { pinnedSha256: dovecot.fingerprint256 },
      credentials: { user, password: dovecot.password },
    },
    ...extra,
  });
  const serverCopies = (user: string) => dovecot.messageFiles(user).map((f) => readFileSync(join(dovecot.maildir(user), f)).toString('latin1')).sort();
  const localCopies = (user: string) => storedFiles(join(scratch, user)).map((f) => f.data.toString('latin1')).sort();

  test('first fetch takes everything byte-identical, the second nothing, then only new mail', async () => {
    dovecot.deliver('fetcher', [1, 2, 3, 4, 5].map((n) => message(n)));
    const progress: number[] = [];
    const first = await fetchMail(options('fetcher', { onProgress: (p) => progress.push(p.messagesDone) }));
    assert.equal(first.downloaded, 5);
    assert.equal(first.identity, 'uidl');
    assert.deepEqual(localCopies('fetcher'), serverCopies('fetcher'));
    assert.equal(Math.max(...progress), 5);
    assert.equal((await fetchMail(options('fetcher'))).downloaded, 0);
    dovecot.deliver('fetcher', [message(6), message(7)]);
    const third = await fetchMail(options('fetcher'));
    assert.equal(third.downloaded, 2);
    assert.deepEqual(localCopies('fetcher'), serverCopies('fetcher'));
    assert.equal(serverCopies('fetcher').length, 7, 'leave on server is the default');
  });

  test('delete right after download empties the server, and only of what is stored', async () => {
    dovecot.deliver('policy', [1, 2, 3].map((n) => message(n)));
    const expected = serverCopies('policy');
    const result = await fetchMail(options('policy', { policy: { deleteAfterDownload: true } }));
    assert.equal(result.deletedOnServer, 3);
    assert.equal(dovecot.messageFiles('policy').length, 0);
    assert.deepEqual(localCopies('policy'), expected);
  });

  test('delete after N days removes only messages stored at least N days ago', async () => {
    dovecot.deliver('days', [message(1)]);
    const t0 = Date.now();
    await fetchMail(options('days', { policy: { deleteAfterDays: 3 }, now: () => t0 }));
    dovecot.deliver('days', [message(2)]);
    await fetchMail(options('days', { policy: { deleteAfterDays: 3 }, now: () => t0 + 2 * 86_400_000 }));
    assert.equal(dovecot.messageFiles('days').length, 2, 'nothing is 3 days old yet');
    const later = await fetchMail(options('days', { policy: { deleteAfterDays: 3 }, now: () => Date.now() + 3 * 86_400_000 + 1000 }));
    assert.equal(later.deletedOnServer, 2);
    assert.equal(dovecot.messageFiles('days').length, 0);
    assert.equal(localCopies('days').length, 2);
  });

  test('delete when deleted locally: Trash and Empty Trash reach the server at the next fetch; Restore saves it', async () => {
    dovecot.deliver('local', [1, 2, 3].map((n) => message(n)));
    await fetchMail(options('local'));
    const store = await AccountStore.open(join(scratch, 'local'));
    const [a, b, c] = store.list();
    await store.trash([a.id, c.id]);
    await store.restore([c.id]);
    assert.equal(await store.emptyTrash(), 1); // a is gone for good
    await store.trash([b.id]); // b stays in Trash
    await store.close();
    const result = await fetchMail(options('local'));
    assert.equal(result.deletedOnServer, 2);
    assert.equal(dovecot.messageFiles('local').length, 1);
    assert.equal(result.downloaded, 0, 'the emptied message is not fetched again');
    const after = await AccountStore.open(join(scratch, 'local'));
    assert.deepEqual(after.list().map((m) => [m.subject, m.trashed]).sort(), [[b.subject, true], [c.subject, false]].sort());
  });

  test('with delete-when-deleted-locally off, a trashed message stays on the server', async () => {
    dovecot.deliver('keeplocal', [message(1)]);
    await fetchMail(options('keeplocal', { policy: { deleteWhenDeletedLocally: false } }));
    const store = await AccountStore.open(join(scratch, 'keeplocal'));
    await store.trash([store.list()[0].id]);
    await store.emptyTrash();
    const result = await fetchMail(options('keeplocal', { policy: { deleteWhenDeletedLocally: false } }));
    assert.equal(result.deletedOnServer, 0);
    assert.equal(result.downloaded, 0);
    assert.equal(dovecot.messageFiles('keeplocal').length, 1);
  });

  test('messages over the size limit are stored as headers only, kept on the server, and completed on request', async () => {
    const big = message(1, `${'a'.repeat(100)}\r\n`.repeat(2000));
    dovecot.deliver('partial', [big, message(2)]);
    const policy = { deleteAfterDownload: true };
    const first = await fetchMail(options('partial', { sizeLimit: 50_000, policy }));
    assert.deepEqual([first.downloaded, first.partial, first.deletedOnServer], [1, 1, 1]);
    assert.equal(dovecot.messageFiles('partial').length, 1, 'the partial one is not deleted from the server');
    let store = await AccountStore.open(join(scratch, 'partial'));
    const partial = store.list().find((m) => m.partialOf !== undefined)!;
    assert.equal(partial.partialOf, big.length);
    const headers = await store.read(partial.id);
    assert.deepEqual(headers, big.subarray(0, big.indexOf('\r\n\r\n') + 4));
    await completeMessage(options('partial'), partial.id);
    store = await AccountStore.open(join(scratch, 'partial'));
    const completed = store.get(partial.id)!;
    assert.equal(completed.partialOf, undefined);
    assert.deepEqual(await store.read(partial.id), big);
    assert.equal(store.list().length, 2);
    const last = await fetchMail(options('partial', { sizeLimit: 50_000, policy }));
    assert.equal(last.deletedOnServer, 1);
    assert.equal(dovecot.messageFiles('partial').length, 0);
  });
});
