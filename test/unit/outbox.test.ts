/**
 * The Outbox and the local folders: a queued message is in the Outbox or in Sent, never lost and
 * never sent twice, whatever fails and whoever else sends; what may pass later is retried by itself,
 * what cannot waits for the user with the reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { readDraftFile } from '../../src/compose/draftFile';
import { Outbox, RETRY_DELAYS_MS, type SendFunction } from '../../src/compose/outbox';
import { AccountStore } from '../../src/store/accountStore';
import { LocalFolder } from '../../src/store/localFolder';
import { draftVersion } from '../support/draftChild';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mailpanel-outbox-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const open = async () => {
  const outboxFolder = await LocalFolder.open(join(root, 'Maildir', '.Outbox'));
  const sent = await LocalFolder.open(join(root, 'Maildir', '.Sent'));
  return { outbox: await Outbox.open(join(root, 'outbox'), outboxFolder, sent), outboxFolder, sent };
};
const message = (n: number) => ({
  raw: Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@x>\r\nDate: Mon, 23 Nov 2026 10:00:0${n} +0000\r\n\r\nBody ${n}\r\n`),
  envelope: { from: 'a@example.org', to: ['b@example.org', 'secret@example.org'] },
  messageId: `<m${n}@x>`,
});
/** A server that takes every message and remembers it. */
const server = () => {
  const taken: string[] = [];
  const send: SendFunction = async (raw, envelope, handingOver) => {
    await handingOver();
    taken.push(`${/Subject: (.*)\r/.exec(raw.toString())?.[1]} -> ${envelope.to.join(',')}`);
    return { rejected: [] };
  };
  return { taken, send };
};
const failing = (message: string, retryable: boolean): SendFunction => async () => {
  throw Object.assign(new Error(message), { retryable });
};

test('a queued message goes out once with its envelope (Bcc too) and lands in Sent with the same bytes', async () => {
  const { outbox, outboxFolder, sent } = await open();
  assert.equal(await Outbox.anyQueued(root), false);
  const id = await outbox.queue(message(1));
  assert.equal(await Outbox.anyQueued(root), true, 'seen without opening the store');
  const { taken, send } = server();
  const outcomes = await outbox.send(send);
  assert.deepEqual(taken, ['message 1 -> b@example.org,secret@example.org']);
  assert.deepEqual(outcomes.map((o) => [o.id, !!o.sent]), [[id, true]]);
  assert.equal(outboxFolder.size, 0);
  assert.deepEqual(sent.ids(), [id]);
  assert.deepEqual(await sent.read(id), message(1).raw);
  assert.equal(sent.row(id)?.row.subject, 'message 1');
  assert.deepEqual(await outbox.send(send), [], 'nothing left to send');
  assert.equal(taken.length, 1);
  assert.equal(await Outbox.anyQueued(root), false, 'every window\'s minute check opens no store for an empty Outbox');
  assert.deepEqual(readdirSync(join(root, 'outbox')).filter((n) => n.endsWith('.json')), [], 'its state is gone with it');
});

test('a failure that may pass later is retried by itself after a growing wait; the reason is kept', async () => {
  const { outbox } = await open();
  const id = await outbox.queue(message(1), 1000);
  const [outcome] = await outbox.send(failing('Could not reach smtp.example.org: offline.', true), { now: 1000 });
  assert.equal(outcome.failed?.message, 'Could not reach smtp.example.org: offline.');
  assert.equal(outbox.get(id)?.retryAt, 1000 + RETRY_DELAYS_MS[0]);
  assert.deepEqual(await outbox.send(failing('x', true), { now: 1000 + RETRY_DELAYS_MS[0] - 1 }), [], 'not before its time');
  await outbox.send(failing('still offline', true), { now: 1000 + RETRY_DELAYS_MS[0] });
  assert.equal(outbox.get(id)?.retryAt, 1000 + RETRY_DELAYS_MS[0] + RETRY_DELAYS_MS[1]);
  const { outbox: again } = await open();
  assert.equal(again.get(id)?.lastError, 'still offline', 'the reason survives a restart');
  const { taken, send } = server();
  await again.send(send, { now: Number.MAX_SAFE_INTEGER });
  assert.equal(taken.length, 1);
});

test('a refusal waits for the user, who can send it again', async () => {
  const { outbox, sent } = await open();
  const id = await outbox.queue(message(1));
  await outbox.send(failing('Wrong user name or password for sending.', false));
  assert.equal(outbox.get(id)?.retryAt, undefined);
  const { taken, send } = server();
  assert.deepEqual(await outbox.send(send, { now: Number.MAX_SAFE_INTEGER }), [], 'never by itself');
  await outbox.send(send, { ids: [id] });
  assert.equal(taken.length, 1);
  assert.deepEqual(sent.ids(), [id]);
});

test('an attempt cut short by a crash is not retried by itself: the user sends it again or marks it sent', async () => {
  const { outbox } = await open();
  const first = await outbox.queue(message(1));
  const second = await outbox.queue(message(2));
  // What a process that died inside send() leaves: the mark set before the attempt.
  for (const id of [first, second]) {
    const path = join(root, 'outbox', `${id}.json`);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), sending: true }));
  }
  const { outbox: after, sent } = await open();
  const { taken, send } = server();
  assert.deepEqual(await after.send(send, { now: Number.MAX_SAFE_INTEGER }), []);
  assert.equal(taken.length, 0, 'the server may already have them: not sent twice');
  assert.equal(after.get(first)?.interrupted, true);
  assert.match(after.get(first)?.lastError ?? '', /may have taken it/);
  await after.send(send, { ids: [first] });
  await after.markSent(second);
  assert.equal(taken.length, 1);
  assert.deepEqual(sent.ids().sort(), [first, second].sort());
  assert.equal(after.list().length, 0);
});

test('while one window sends, another finds the Outbox busy and leaves its messages alone', async () => {
  const a = await open();
  const b = await open();
  for (let n = 1; n <= 3; n++) await a.outbox.queue(message(n));
  const { taken, send } = server();
  let open_: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open_ = resolve));
  const first = a.outbox.send(async (raw, envelope, handingOver) => {
    await handingOver();
    await gate;
    return send(raw, envelope, async () => undefined);
  });
  const states = () => readdirSync(join(root, 'outbox')).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(root, 'outbox', n), 'utf8')));
  while (!states().some((e) => e.sending)) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await b.outbox.send(send), [], 'the other window sends them');
  assert.equal(taken.length, 0);
  assert.ok(!states().some((e) => e.interrupted), 'an attempt in progress elsewhere is not taken for a crashed one');
  open_();
  assert.equal((await first).filter((o) => o.sent).length, 3);
  await b.outbox.send(send);
  assert.equal(taken.length, 3);
  assert.equal(new Set(taken).size, 3);
});

test('a message whose state was lost is kept and waits for the user; a state whose message was never written is dropped', async () => {
  const { outbox } = await open();
  const kept = await outbox.queue(message(1));
  rmSync(join(root, 'outbox', `${kept}.json`));
  writeFileSync(join(root, 'outbox', '1.M2P3.host.json'), JSON.stringify({ id: '1.M2P3.host', envelope: { from: 'a@example.org', to: ['b@example.org'] }, queuedAt: 1, attempts: 0, retryAt: 1 }));
  const { outbox: after, outboxFolder } = await open();
  const { taken, send } = server();
  await after.send(send);
  assert.equal(taken.length, 0);
  assert.deepEqual(outboxFolder.ids(), [kept]);
  assert.match(after.get(kept)?.lastError ?? '', /recipients were lost/);
  assert.equal(existsSync(join(root, 'outbox', '1.M2P3.host.json')), false);
});

test('a local folder replaces a message in place, durably, and moves it by rename', async () => {
  const drafts = await LocalFolder.open(join(root, 'Maildir', '.Drafts'));
  const sent = await LocalFolder.open(join(root, 'Maildir', '.Sent'));
  const id = await drafts.write(message(1).raw);
  await drafts.write(message(2).raw, id, '');
  assert.deepEqual(readdirSync(join(drafts.dir, 'cur')), [`${id}:2,`]);
  assert.deepEqual(readdirSync(join(drafts.dir, 'tmp')), []);
  assert.equal(drafts.row(id)?.row.subject, 'message 2');
  assert.equal(drafts.row(id)?.seen, false);
  await drafts.moveTo(id, sent);
  assert.equal(drafts.size, 0);
  assert.deepEqual(readdirSync(join(sent.dir, 'cur')), [`${id}:2,S`]);
  // Mail another tool delivered into new/ is listed and moved to cur/.
  writeFileSync(join(sent.dir, 'new', '1767000000.M1P1.other'), message(3).raw);
  await sent.rescan();
  assert.equal(sent.size, 2);
  assert.equal(sent.row('1767000000.M1P1.other')?.row.subject, 'message 3');
  assert.deepEqual(readdirSync(join(sent.dir, 'new')), []);
});

test('a draft saved again and again, killed at random moments, is always one whole saved version', async () => {
  const dir = join(root, 'Maildir', '.Drafts');
  const id = '1767000000.M1P1.draft';
  for (let round = 0; round < 15; round++) {
    const child = spawn(process.execPath, [join(__dirname, '..', 'support', 'draftChild.js'), dir, id], { stdio: ['ignore', 'pipe', 'ignore'] });
    let saved = 0;
    child.stdout.on('data', (d: Buffer) => (saved = Number(/saved (\d+)\n$/.exec(d.toString())?.[1] ?? saved)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Kill once a few versions are saved, at a moment that falls anywhere in a write.
    await new Promise<void>((resolve) => child.stdout.on('data', () => saved >= 3 + round && resolve()));
    child.kill('SIGKILL');
    await exited;
    const drafts = await LocalFolder.open(dir);
    assert.deepEqual(drafts.ids(), [id], 'one draft, never two copies');
    const { text } = readDraftFile(await drafts.read(id));
    const n = Number(/^Subject: version (\d+)$/m.exec(text)?.[1]);
    assert.ok(n >= saved && n <= saved + 1, `round ${round}: version ${n} after ${saved} saves`);
    assert.equal(text, draftVersion(n), 'a whole version, not a torn one');
  }
});

test('a message written here and deleted goes to Trash with the fetched mail, and stays there after a reopen', async () => {
  let store = await AccountStore.open(root);
  const id = await store.local('sent').write(message(1).raw);
  assert.equal(store.get(id)?.folder, 'sent');
  assert.equal(store.list().filter((m) => m.folder === 'sent').length, 1);
  await store.trash([id]);
  assert.equal(store.local('sent').size, 0);
  assert.deepEqual([store.get(id)?.trashed, store.get(id)?.folder], [true, undefined]);
  await store.close();
  store = await AccountStore.open(root);
  assert.deepEqual([store.get(id)?.trashed, store.get(id)?.subject], [true, 'message 1']);
  assert.deepEqual(await store.read(id), message(1).raw, 'the same bytes');
  await store.close();
});
