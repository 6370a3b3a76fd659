/**
 * The account store's own rules, each checked where a mutation run found none: order of the
 * list, flags and moves, Trash, completing a headers-only copy, the POP3 state rebuilt from the
 * Maildir after a crash, and the index and listing caches never hiding a message.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { FLAG_SEEN, fileName, newMessageId } from '../../src/store/maildir';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-storerules-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `r${++n}`);

const text = (subject: string, date = 'Mon, 02 Nov 2026 10:00:00 +0000', body = 'body') => Buffer.from(`From: a@x.org\r\nSubject: ${subject}\r\nDate: ${date}\r\n\r\n${body}\r\n`);

async function deliver(store: AccountStore, uidl: string, data: Buffer, partialOf?: number): Promise<string> {
  const d = store.startDelivery(uidl, partialOf);
  d.write(data);
  await store.commit([d]);
  return d.id;
}

const names = (store: AccountStore, dir: 'new' | 'cur' | 'tmp') => readdirSync(join(store.maildir, dir));

describe('account store rules', () => {
  test('the list is newest first, and messages of the same date come in a stable order', async () => {
    const store = await AccountStore.open(freshRoot(), { pop3State: true });
    const old = await deliver(store, 'u1', text('old', 'Mon, 02 Nov 2026 09:00:00 +0000'));
    const sameA = await deliver(store, 'u2', text('same a'));
    const sameB = await deliver(store, 'u3', text('same b'));
    const newest = await deliver(store, 'u4', text('new', 'Tue, 03 Nov 2026 09:00:00 +0000'));
    const ties = [sameA, sameB].sort().reverse();
    assert.deepEqual(store.list().map((e) => e.id), [newest, ...ties, old]);
    await store.close();
  });

  test('unknown messages: get says nothing, read says which', async () => {
    const store = await AccountStore.open(freshRoot());
    assert.equal(store.get('nope'), undefined);
    await assert.rejects(store.read('nope'), /No stored message nope/);
    await store.close();
  });

  test('flags: any change moves a new message to cur/, an unchanged one in cur/ stays, unknown ids are passed over', async () => {
    const store = await AccountStore.open(freshRoot(), { pop3State: true });
    const id = await deliver(store, 'u1', text('hello'));
    assert.equal(names(store, 'new').length, 1);
    await store.markSeen([id, 'unknown-id'], false); // no flag changes, but the client has now seen it in new/
    assert.deepEqual(names(store, 'new'), []);
    assert.match(names(store, 'cur')[0], /:2,$/);
    const before = statSync(join(store.maildir, 'cur', names(store, 'cur')[0])).ino;
    await store.markSeen([id], false);
    assert.equal(statSync(join(store.maildir, 'cur', names(store, 'cur')[0])).ino, before);
    await store.markSeen([id]);
    await store.trash([id]);
    assert.match(names(store, 'cur')[0], /:2,ST$/);
    assert.deepEqual([store.get(id)!.seen, store.get(id)!.trashed], [true, true]);
    await store.restore([id]);
    assert.match(names(store, 'cur')[0], /:2,S$/);
    assert.equal((await store.read(id)).toString(), text('hello').toString());
    await store.close();
  });

  test('a flag change keeps every field of a name another program wrote (Dovecot\'s ,W=)', async () => {
    const root = freshRoot();
    await (await AccountStore.open(root)).close();
    const data = text('from Dovecot');
    const name = `1700000000.M1P1.host,S=${data.length},W=${data.length + 2}:2,`;
    writeFileSync(join(root, 'Maildir', 'cur', name), data);
    const store = await AccountStore.open(root);
    await store.markSeen(['1700000000.M1P1.host']);
    assert.deepEqual(names(store, 'cur'), [`${name}S`]);
    await store.close();
  });

  test('emptying Trash removes only trashed mail, for good, and keeps their UIDLs known', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const kept = await deliver(store, 'u1', text('kept'));
    const gone = [await deliver(store, 'u2', text('gone 1')), await deliver(store, 'u3', text('gone 2'))];
    await store.trash(gone);
    assert.equal(await store.emptyTrash(), 2);
    assert.equal(await store.emptyTrash(), 0);
    assert.deepEqual(store.list().map((e) => e.id), [kept]);
    await store.close();
    const again = await AccountStore.open(root, { pop3State: true });
    assert.deepEqual(again.list().map((e) => e.id), [kept]);
    assert.equal(names(again, 'cur').length + names(again, 'new').length, 1);
    assert.ok(again.uidlRecord('u2') && again.uidlRecord('u3'), 'a removed message is not fetched again');
    await again.close();
  });

  test('half-written deliveries left in tmp/ are cleared', async () => {
    const store = await AccountStore.open(freshRoot(), { pop3State: true });
    writeFileSync(join(store.maildir, 'tmp', 'crashed.part'), 'half');
    await store.cleanTmp();
    assert.deepEqual(names(store, 'tmp'), []);
    await store.close();
  });

  test('completing a headers-only copy keeps its id, flags and place, and leaves one file', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const full = text('big one', undefined, 'x'.repeat(5000));
    const id = await deliver(store, 'u1', full.subarray(0, full.indexOf('\r\n\r\n') + 4), full.length);
    assert.equal(store.get(id)!.partialOf, full.length);
    await store.markSeen([id]);
    assert.equal(await deliver(store, 'u1', full), id, 'the same id');
    assert.equal(store.get(id)!.partialOf, undefined);
    assert.equal(store.get(id)!.seen, true);
    assert.deepEqual(names(store, 'new'), []);
    assert.equal(names(store, 'cur').length, 1);
    assert.ok((await store.read(id)).equals(full));
    await store.close();
    const again = await AccountStore.open(root);
    assert.equal(again.get(id)!.partialOf, undefined);
    await again.close();
  });

  test('after a crash left both copies of a message, the full one wins', async () => {
    const root = freshRoot();
    (await AccountStore.open(root)).close();
    const id = newMessageId();
    const full = text('both');
    const head = full.subarray(0, full.indexOf('\r\n\r\n') + 4);
    const maildir = join(root, 'Maildir');
    writeFileSync(join(maildir, 'cur', fileName({ id, dir: 'cur', size: head.length, uidl: 'u1', partialOf: full.length, flags: 'S' })), head);
    writeFileSync(join(maildir, 'new', fileName({ id, dir: 'new', size: full.length, uidl: 'u1', flags: '' })), full);
    const store = await AccountStore.open(root);
    assert.equal(store.list().length, 1);
    assert.equal(store.get(id)!.partialOf, undefined);
    assert.ok((await store.read(id)).equals(full));
    await store.close();
  });

  test('forgetting UIDLs drops only known ones, and lasts', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const id = await deliver(store, 'u1', text('one'));
    await deliver(store, 'u2', text('two'));
    await store.trash([id]);
    await store.emptyTrash();
    await store.forget(['u1', 'never-seen']);
    assert.equal(store.uidlRecord('u1'), undefined);
    assert.ok(store.uidlRecord('u2'));
    await store.close();
    const again = await AccountStore.open(root, { pop3State: true });
    assert.equal(again.uidlRecord('u1'), undefined);
    assert.ok(again.uidlRecord('u2'));
    await again.close();
  });

  test('a lost or torn journal: what is in the Maildir is known again from its file names', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const data = text('kept');
    const id = await deliver(store, 'u1', data);
    await store.close();
    writeFileSync(join(root, 'pop3-state.journal'), '{"op":"add","uidl":"u9","rec'); // torn: the one line a crash cut
    rmSync(join(root, 'pop3-state.json'), { force: true });
    const again = await AccountStore.open(root, { pop3State: true });
    assert.deepEqual(again.uidlRecord('u1'), { ...again.uidlRecord('u1'), id, size: data.length, listSize: data.length });
    assert.equal(again.uidlRecord('u9'), undefined);
    await again.close();
  });

  test('the index is rewritten only when something changed, and never hides a message added behind its back', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    await deliver(store, 'u1', text('one'));
    await store.close();
    const index = join(root, 'index.json');
    // As between sessions: the directories have been quiet, so their listings are kept in the index.
    const old = new Date(Date.now() - 60_000);
    for (const dir of ['new', 'cur']) utimesSync(join(root, 'Maildir', dir), old, old);
    await (await AccountStore.open(root)).close();
    const saved = readFileSync(index, 'utf8');
    const mtime = statSync(index).mtimeMs;
    await (await AccountStore.open(root)).close();
    assert.equal(statSync(index).mtimeMs, mtime, 'an unchanged store rewrote its index');
    assert.equal(readFileSync(index, 'utf8'), saved);
    // Another program delivers into cur/: the cached listing must not hide it.
    const id = newMessageId();
    const data = text('from elsewhere');
    writeFileSync(join(root, 'Maildir', 'cur', fileName({ id, dir: 'cur', size: data.length, flags: FLAG_SEEN })), data);
    const again = await AccountStore.open(root);
    assert.equal(again.get(id)?.subject, 'from elsewhere');
    assert.equal(again.list().length, 2);
    await again.close();
  });

  test('an index of another version or a damaged one is rebuilt from the messages', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const id = await deliver(store, 'u1', text('rebuilt'));
    await store.trash([id]);
    await store.close();
    const index = join(root, 'index.json');
    for (const damaged of [JSON.stringify({ version: 1, fields: [], rows: [] }), '{"version":2,"rows":"no"}', 'not json']) {
      writeFileSync(index, damaged);
      const again = await AccountStore.open(root);
      assert.equal(again.get(id)?.subject, 'rebuilt', damaged);
      assert.equal(again.get(id)?.trashed, true);
      await again.close();
    }
    assert.ok(existsSync(index));
  });
});
