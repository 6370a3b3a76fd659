/**
 * What the store keeps beside the messages, and how it comes back after a crash (src/store/
 * pop3State.ts, accountStore.ts): UIDL records made again from file names field by field, records
 * appended together surviving a crash that came before the snapshot, older records brought up to
 * date, index rows trusted only while they match their file, and the small guards of the API.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { decodeIndex } from '../../src/store/listingIndex';
import { fileName } from '../../src/store/maildir';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-records-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `r${++n}`);
const text = (subject: string, date = 'Mon, 02 Nov 2026 10:00:00 +0000') => Buffer.from(`From: a@x.org\r\nSubject: ${subject}\r\nDate: ${date}\r\n\r\nbody of ${subject}\r\n`);
const openForFetch = (root: string) => AccountStore.open(root, { pop3State: true });

/** A message file written as another program (or an older version) would: by name alone. */
function place(root: string, dir: 'new' | 'cur', fields: { id: string; size: number; uidl?: string; partialOf?: number; listSize?: number }, data: Buffer): void {
  writeFileSync(join(root, 'Maildir', dir, fileName({ ...fields, dir, flags: '' })), data);
}
async function emptyStore(root: string): Promise<void> {
  await (await AccountStore.open(root)).close();
}
/** Delivers and commits one message per UIDL, in one batch; returns the deliveries. */
async function commitMessages(store: AccountStore, uidls: string[]) {
  const deliveries = uidls.map((uidl) => {
    const d = store.startDelivery(uidl);
    d.write(text(uidl));
    return d;
  });
  await store.commit(deliveries);
  return deliveries;
}
const loseState = (root: string) => {
  rmSync(join(root, 'pop3-state.json'), { force: true });
  rmSync(join(root, 'pop3-state.journal'), { force: true });
};

describe('UIDL records made again from the Maildir', () => {
  test('each field from the name: size, LIST size, headers-only size, and the first-seen time from the id', async () => {
    const root = freshRoot();
    await emptyStore(root);
    const whole = text('whole');
    place(root, 'new', { id: '1700000000.M1P1.host', size: whole.length, uidl: 'u-whole' }, whole);
    place(root, 'cur', { id: '1700000100.M2P1.host', size: 40, uidl: 'u-head', partialOf: 5000 }, whole.subarray(0, 40));
    place(root, 'cur', { id: '1700000200.M3P1.host', size: whole.length, uidl: 'u-listed', listSize: whole.length + 7 }, whole);
    place(root, 'cur', { id: '1700000300.M4P1.host', size: whole.length }, whole); // no UIDL: not a server message
    loseState(root);
    const store = await openForFetch(root);
    assert.deepEqual(store.uidlRecord('u-whole'), { id: '1700000000.M1P1.host', size: whole.length, listSize: whole.length, firstSeen: 1_700_000_000_000 });
    assert.deepEqual(store.uidlRecord('u-head'), { id: '1700000100.M2P1.host', size: 5000, listSize: 5000, firstSeen: 1_700_000_100_000 });
    assert.deepEqual(store.uidlRecord('u-listed'), { id: '1700000200.M3P1.host', size: whole.length, listSize: whole.length + 7, firstSeen: 1_700_000_200_000 });
    assert.equal(store.uidlRecords().size, 3);
    await store.close();
  });

  test('an id that does not start with a time: first seen now, not at the epoch', async () => {
    const root = freshRoot();
    await emptyStore(root);
    place(root, 'cur', { id: 'imported-by-hand', size: 5, uidl: 'u1' }, Buffer.from('x\r\n\r\n'));
    place(root, 'cur', { id: '0.M1.host', size: 5, uidl: 'u2' }, Buffer.from('x\r\n\r\n'));
    const before = Date.now();
    const store = await openForFetch(root);
    for (const uidl of ['u1', 'u2']) {
      const firstSeen = store.uidlRecord(uidl)!.firstSeen;
      assert.ok(firstSeen >= before && firstSeen <= Date.now(), `${uidl}: ${firstSeen}`);
    }
    await store.close();
  });

  test('a record that matches its file is kept whole (header fingerprint included); an older one gains its LIST size', async () => {
    const root = freshRoot();
    const store = await openForFetch(root);
    await commitMessages(store, ['u1']);
    const record = store.uidlRecord('u1')!;
    assert.ok(record.headerHash);
    await store.checkpoint();
    await store.close();
    // An older version's snapshot: no listSize.
    const snapshot = JSON.parse(readFileSync(join(root, 'pop3-state.json'), 'utf8')) as { uidls: Record<string, Record<string, unknown>> };
    delete snapshot.uidls.u1.listSize;
    writeFileSync(join(root, 'pop3-state.json'), JSON.stringify(snapshot));
    const again = await openForFetch(root);
    assert.deepEqual(again.uidlRecord('u1'), { ...record, listSize: record.size }); // no listSize meant "the size"
    await again.close();
  });

  test('a record naming another file than the Maildir holds is made again from the file, keeping when it was first seen', async () => {
    const root = freshRoot();
    await emptyStore(root);
    writeFileSync(join(root, 'pop3-state.json'), JSON.stringify({ version: 1, uidls: { u1: { id: 'gone.id', size: 3, listSize: 3, firstSeen: 42, headerHash: 'h' } } }));
    place(root, 'cur', { id: '1700000000.M9P9.host', size: 5, uidl: 'u1' }, Buffer.from('x\r\n\r\n'));
    const store = await openForFetch(root);
    assert.deepEqual(store.uidlRecord('u1'), { id: '1700000000.M9P9.host', size: 5, listSize: 5, firstSeen: 42 });
    await store.close();
  });
});

describe('the journal between snapshots', () => {
  test('records committed together all come back after a crash before the snapshot, fingerprints and all', async () => {
    const root = freshRoot();
    const store = await openForFetch(root);
    await commitMessages(store, ['u1', 'u2', 'u3']);
    const records = ['u1', 'u2', 'u3'].map((u) => ({ ...store.uidlRecord(u)!, listSize: store.uidlRecord(u)!.size })); // no listSize: "the size"
    // Killed here: no checkpoint, no close.
    const again = await openForFetch(root);
    assert.deepEqual(['u1', 'u2', 'u3'].map((u) => again.uidlRecord(u)), records);
    assert.ok(records.every((r) => r?.headerHash));
    await again.close();
  });

  test('a record dropped after it was added stays dropped after a crash', async () => {
    const root = freshRoot();
    const store = await openForFetch(root);
    const [d] = await commitMessages(store, ['u1']);
    await store.trash([d.id]);
    await store.emptyTrash();
    await store.forget(['u1']);
    assert.equal(store.uidlRecords().has('u1'), false, 'gone at once in the store that forgot it');
    const again = await openForFetch(root);
    assert.equal(again.uidlRecord('u1'), undefined);
    assert.equal(again.uidlRecords().has('u1'), false, 'and gone when the journal is read again');
    await again.close();
  });
});

describe('the listing index against the files', () => {
  test('a row whose file changed size is read again from the file, and the index saved anew', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root);
    await store.close();
    const id = '1700000000.M1P1.host';
    place(root, 'cur', { id, size: text('before').length, uidl: 'u1' }, text('before'));
    await (await AccountStore.open(root)).close(); // indexed
    rmSync(join(root, 'Maildir', 'cur', fileName({ id, dir: 'cur', size: text('before').length, uidl: 'u1', flags: '' })));
    const after = text('after, and longer');
    place(root, 'cur', { id, size: after.length, uidl: 'u1' }, after);
    const again = await AccountStore.open(root);
    assert.equal(again.get(id)?.subject, 'after, and longer');
    await again.close();
    const saved = decodeIndex(JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')));
    assert.deepEqual(saved.messages.map((m) => [m.id, m.subject, m.size]), [[id, 'after, and longer', after.length]]);
  });

  test('a headers-only row is not taken for the whole message of the same size', async () => {
    const root = freshRoot();
    await emptyStore(root);
    const id = '1700000000.M1P1.host';
    const data = text('same size');
    place(root, 'cur', { id, size: data.length, uidl: 'u1', partialOf: 9999 }, data);
    await (await AccountStore.open(root)).close();
    rmSync(join(root, 'Maildir', 'cur', fileName({ id, dir: 'cur', size: data.length, uidl: 'u1', partialOf: 9999, flags: '' })));
    place(root, 'cur', { id, size: data.length, uidl: 'u1' }, data);
    const again = await AccountStore.open(root);
    assert.equal(again.get(id)?.partialOf, undefined);
    await again.close();
  });

  test('a crash that left both copies: the whole one wins whichever folder each is in', async () => {
    for (const [wholeIn, headIn] of [['cur', 'new'], ['new', 'cur']] as const) {
      const root = freshRoot();
      await emptyStore(root);
      const id = '1700000000.M1P1.host';
      const whole = text('both');
      const head = whole.subarray(0, whole.indexOf('\r\n\r\n') + 4);
      place(root, headIn, { id, size: head.length, uidl: 'u1', partialOf: whole.length }, head);
      place(root, wholeIn, { id, size: whole.length, uidl: 'u1' }, whole);
      writeFileSync(join(root, 'Maildir', 'cur', '.hidden-by-some-tool'), 'not mail');
      const store = await AccountStore.open(root);
      assert.equal(store.list().length, 1);
      assert.equal(store.get(id)?.partialOf, undefined, `whole in ${wholeIn}`);
      assert.ok((await store.read(id)).equals(whole));
      await store.close();
    }
  });
});

describe('guards', () => {
  test('a folder in tmp/ does not stop the crash clean-up (and so every fetch); half-written files still go', async () => {
    const root = freshRoot();
    const store = await openForFetch(root);
    mkdirSync(join(root, 'Maildir', 'tmp', 'some-tool'));
    writeFileSync(join(root, 'Maildir', 'tmp', '1700000000.M1P1.host.part'), 'half');
    await store.cleanTmp();
    assert.deepEqual(readdirSync(join(root, 'Maildir', 'tmp')), ['some-tool']);
    await store.close();
  });

  test('a folder some tool made in cur/ under a message\'s name, or a link to one: the store opens and lists the real messages', async () => {
    const root = freshRoot();
    await emptyStore(root);
    place(root, 'cur', { id: '1700000000.M1P1.host', size: text('real').length }, text('real'));
    mkdirSync(join(root, 'Maildir', 'cur', fileName({ id: '1700000000.M2P1.host', dir: 'cur', size: 10, flags: '' })));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'Maildir', 'cur', fileName({ id: '1700000000.M4P1.host', dir: 'cur', size: 10, flags: '' })));
    const store = await AccountStore.open(root);
    assert.deepEqual(store.list().map((e) => e.subject), ['real']);
    let visited = 0;
    store.forEachMessage(() => visited++);
    assert.equal(visited, 1);
    await store.close();
    const again = await AccountStore.open(root);
    assert.deepEqual(again.list().map((e) => e.subject), ['real']);
    await again.close();
    mkdirSync(join(root, 'Maildir', 'cur', fileName({ id: '1700000000.M3P1.host', dir: 'cur', size: 10, flags: 'T' })));
    const third = await AccountStore.open(root);
    await third.trash([third.list()[0].id]);
    assert.equal(await third.emptyTrash(), 1, 'Empty Trash removes the trashed message and passes over the folder');
    await third.close();
  });

  test('messages of the same date: by id, newest id first, every time', async () => {
    const root = freshRoot();
    const store = await openForFetch(root);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const d = store.startDelivery(`u${i}`);
      d.write(text(`same ${i}`));
      ids.push(d.id);
      await store.commit([d]);
    }
    assert.deepEqual(store.list().map((e) => e.id), [...ids].sort().reverse());
    await store.close();
    // Placed by hand, the newer ids in new/ and the older in cur/: the store meets them out of order.
    const other = freshRoot();
    await emptyStore(other);
    const handIds = [3, 6, 1, 5, 0, 4, 2].map((k) => `1700000000.M${k}P1.host`);
    for (const id of handIds) place(other, id < '1700000000.M4' ? 'cur' : 'new', { id, size: text('same').length }, text('same'));
    const again = await AccountStore.open(other);
    assert.deepEqual(again.list().map((e) => e.id), [...handIds].sort().reverse());
    await again.close();
  });

  test('unknown ids are passed over by get and trash, with the local folders open', async () => {
    const store = await AccountStore.open(freshRoot());
    assert.equal(store.get('nope'), undefined);
    await store.trash(['nope']);
    assert.equal(store.list().length, 0);
    await store.close();
  });

  test('a store opened for a fetch has no local folders, and says so', async () => {
    const store = await openForFetch(freshRoot());
    assert.throws(() => store.local('sent'), /opened for a fetch, without its local folders/);
    await store.close();
  });
});
