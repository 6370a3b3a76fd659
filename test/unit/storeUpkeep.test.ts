/**
 * What one window's store shows right after its own changes, and the listing index it leaves for
 * the next open (src/store/accountStore.ts): a row per message after Empty Trash, after mail written
 * here is trashed, after another tool removed a file; a quiet directory's listing kept while only
 * the other one changes; a cut delivery left where the clean-up finds it; no descriptor left open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-upkeep-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `u${++n}`);
const text = (subject: string) => Buffer.from(`From: a@x.org\r\nSubject: ${subject}\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nbody of ${subject}\r\n`);

async function deliver(root: string, uidls: string[]): Promise<string[]> {
  const store = await AccountStore.open(root, { pop3State: true });
  const deliveries = uidls.map((uidl) => {
    const d = store.startDelivery(uidl);
    d.write(text(uidl));
    return d;
  });
  await store.commit(deliveries);
  await store.checkpoint();
  await store.close();
  return deliveries.map((d) => d.id);
}

/** The index file as saved: the ids of its rows (every row, readable or not) and the mtimes of the listings it vouches for. */
function savedIndex(root: string): { ids: unknown[]; listing: Record<string, unknown> } {
  const saved = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { fields: string[]; columns: unknown[][]; mtimes?: Record<string, unknown> };
  return { ids: [...saved.columns[saved.fields.indexOf('id')]].sort(), listing: saved.mtimes ?? {} };
}

const quiet = (root: string, dir: 'new' | 'cur') => {
  const past = new Date(Date.now() - 10_000);
  utimesSync(join(root, 'Maildir', dir), past, past);
};

describe('what a window sees of its own changes', () => {
  test('a message just delivered is unread in the same store, before any reopen', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const d = store.startDelivery('uid-1');
    d.write(text('fresh'));
    await store.commit([d]);
    assert.equal(store.get(d.id)?.seen, false);
    assert.equal(store.get(d.id)?.trashed, false);
    assert.equal(store.unreadCount(), 1);
    await store.close();
  });

  test('mail written here is listed in its folder and not as trashed; an unknown id is no message', async () => {
    const store = await AccountStore.open(freshRoot());
    const id = await store.local('sent').write(text('sent from here'));
    const [entry] = store.list();
    assert.equal(entry.id, id);
    assert.equal(entry.folder, 'sent');
    assert.equal(entry.trashed, false);
    assert.equal(store.get(id)?.trashed, false);
    assert.equal(store.get('no-such-message'), undefined);
    assert.equal(store.pathOf('no-such-message'), undefined);
  });

  test('Empty Trash in two windows at once: the one that finds a file already removed by the other still succeeds', async () => {
    const root = freshRoot();
    const [id] = await deliver(root, ['uid-1']);
    const one = await AccountStore.open(root);
    await one.trash([id]);
    const other = await AccountStore.open(root);
    assert.equal(await other.emptyTrash(), 1);
    assert.equal(await one.emptyTrash(), 1, 'its file was already gone: no error');
    assert.deepEqual(one.list(), []);
  });

  test('two windows: a message the other marked read is still read and marked here; one it removed says so, or is passed over', async () => {
    const root = freshRoot();
    const [moved, removedRead, removedMarked, kept] = await deliver(root, ['uid-1', 'uid-2', 'uid-3', 'uid-4']);
    const one = await AccountStore.open(root);
    const other = await AccountStore.open(root);
    await other.markSeen([moved]); // new/ to cur/: renamed behind one's back
    await other.trash([removedRead, removedMarked]);
    await other.emptyTrash();
    assert.match((await one.read(moved)).toString(), /uid-1/);
    await assert.rejects(one.read(removedRead), /no longer in the mailbox: another window or program removed its file/);
    assert.equal(one.get(removedRead), undefined);
    await one.markSeen([moved, removedMarked, kept], false);
    await one.markSeen([removedMarked, kept]);
    assert.equal(one.get(moved)?.seen, false);
    assert.equal(one.get(removedMarked), undefined);
    assert.equal(one.get(kept)?.seen, true);
    const names = readdirSync(join(root, 'Maildir', 'cur'));
    assert.deepEqual(names.map((name) => [name.slice(0, name.indexOf(',')), name.slice(name.indexOf(':2,') + 3)]).sort(), [[kept, 'S'], [moved, '']].sort());
  });

  test('a delivery cut off before its commit is left in tmp/ alone, where the next fetch clears it', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const d = store.startDelivery('uid-cut', undefined, 300_000);
    await d.created;
    d.write(Buffer.alloc(300_000, 'a')); // past the gathering limit: on disk already
    assert.equal(readdirSync(join(store.maildir, 'tmp')).length, 1);
    const again = await AccountStore.open(root, { pop3State: true });
    await again.cleanTmp();
    assert.deepEqual(readdirSync(join(store.maildir, 'tmp')), []);
    assert.deepEqual(readdirSync(store.maildir).sort(), ['cur', 'new', 'tmp'], 'nothing of it anywhere else');
    await d.discard();
  });
});

describe('the listing index left for the next open', () => {
  test('after Empty Trash it has a row for each message left, and none for those removed', async () => {
    const root = freshRoot();
    const [kept, gone] = await deliver(root, ['uid-1', 'uid-2']);
    const store = await AccountStore.open(root);
    await store.trash([gone]);
    assert.equal(await store.emptyTrash(), 1);
    assert.deepEqual(savedIndex(root).ids, [kept]);
  });

  test('mail written here and then trashed has its row in the index once the window closes', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root);
    const id = await store.local('sent').write(text('sent, then deleted'));
    await store.trash([id]);
    await store.close();
    assert.deepEqual(savedIndex(root).ids, [id]);
    assert.equal((await AccountStore.open(root)).get(id)?.trashed, true);
  });

  test('a message another tool removed leaves the index at the next open', async () => {
    const root = freshRoot();
    const [kept, removed] = await deliver(root, ['uid-1', 'uid-2']);
    assert.deepEqual(savedIndex(root).ids, [kept, removed].sort());
    const maildir = join(root, 'Maildir');
    rmSync(join(maildir, 'new', readdirSync(join(maildir, 'new')).find((f) => f.startsWith(removed))!));
    await (await AccountStore.open(root)).close();
    assert.deepEqual(savedIndex(root).ids, [kept]);
  });

  test("a quiet directory's listing is kept when the index is saved for a change in the other one", async () => {
    const root = freshRoot();
    const [, toRead] = await deliver(root, ['uid-1', 'uid-2']);
    const first = await AccountStore.open(root);
    await first.markSeen([toRead]); // to cur/
    quiet(root, 'new');
    quiet(root, 'cur');
    await (await AccountStore.open(root)).close(); // both listings recorded
    assert.ok(savedIndex(root).listing.new && savedIndex(root).listing.cur);
    const store = await AccountStore.open(root); // both listings used
    await store.trash([toRead]);
    await store.emptyTrash(); // cur/ changes and the index is saved
    assert.ok(savedIndex(root).listing.new, 'the listing of new/, which did not change, is still there');
  });

  test('rebuilding the index from the messages leaves no descriptor open', async () => {
    const root = freshRoot();
    await deliver(root, ['uid-1', 'uid-2', 'uid-3', 'uid-4']);
    rmSync(join(root, 'index.json'));
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    const store = await AccountStore.open(root);
    assert.equal(store.list().length, 4);
    await store.close();
    assert.equal(open(), before);
  });
});
