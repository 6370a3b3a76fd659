/**
 * What an open takes from index.json instead of the Maildir (src/store/accountStore.ts): while new/
 * and cur/ keep the mtimes recorded with it, the rows' saved file names stand for both listings.
 * The store must then hold exactly what reading the Maildir would give, see any change another
 * program made, and a fetch, which decides what a server may delete, must never take a name's
 * fields from the index.
 */
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-storeopen-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `o${++n}`);
const text = (subject: string) => Buffer.from(`From: a@x.org\r\nSubject: ${subject}\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nbody of ${subject}\r\n`);

/**
 * A store of every kind of name: read, trashed, unread in new/, a headers-only copy, one whose LIST
 * size differed (`,L=`), one without a UIDL, and an entry that cannot be read (a link to a folder).
 */
async function variedStore(root: string): Promise<Record<string, string>> {
  const store = await AccountStore.open(root, { pop3State: true });
  const ids: Record<string, string> = {};
  const deliver = async (uidl: string, partialOf?: number, listSize = 0) => {
    const d = store.startDelivery(uidl, partialOf, listSize);
    d.write(text(uidl));
    await store.commit([d]);
    return d.id;
  };
  ids.read = await deliver('uid-read');
  ids.trashed = await deliver('uid-trashed');
  ids.unread = await deliver('uid/unread:odd');
  ids.partial = await deliver('uid-partial', 900_000);
  ids.listed = await deliver('uid-listed', undefined, 123);
  await store.markSeen([ids.read]);
  await store.trash([ids.trashed]);
  await store.checkpoint();
  await store.close();
  const views = await AccountStore.open(root);
  ids.local = await views.local('sent').write(text('written here'));
  await views.trash([ids.local]); // into the Maildir, without a UIDL
  await views.close();
  mkdirSync(join(root, 'folder-target'));
  fs.symlinkSync(join(root, 'folder-target'), join(root, 'Maildir', 'cur', '1700000000.M1P1.host,S=5:2,'));
  return ids;
}

const quiet = (root: string) => {
  const past = new Date(Date.now() - 10_000);
  for (const dir of ['new', 'cur']) utimesSync(join(root, 'Maildir', dir), past, past);
};

/** variedStore, its directories quiet since, and opened once: the index records their listings. */
async function settledStore(root: string): Promise<Record<string, string>> {
  const ids = await variedStore(root);
  quiet(root);
  await (await AccountStore.open(root)).close();
  return ids;
}

/**
 * Edits index.json so that these messages' rows give another UIDL, in the row and in the saved file
 * name too (`inName`): well formed, and false. new/ and cur/ are untouched, so their listings stand.
 */
function lieAboutUidl(root: string, ids: string[], inName = false): void {
  const path = join(root, 'index.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { fields: string[]; columns: unknown[][] };
  const column = (field: string) => saved.columns[saved.fields.indexOf(field)];
  for (const id of ids) {
    const at = column('id').indexOf(id);
    column('uidl')[at] = 'uid-lie';
    if (inName) column('file')[at] = String(column('file')[at]).replace(/,U=[^,:]*/, `,U=${Buffer.from('uid-lie').toString('base64url')}`);
  }
  writeFileSync(path, JSON.stringify(saved));
}

/** Everything a view and a fetch read of each message and file. */
function seen(store: AccountStore, fetch: boolean): unknown {
  const ids = store.list().map((e) => e.id);
  return {
    entries: store.list(),
    paths: ids.map((id) => store.pathOf(id)),
    unread: store.unreadCount(),
    files: fetch ? [...store.uidlRecords().keys()].map((uidl) => store.fileOfUidl(uidl)) : undefined,
  };
}

/** Calls to readdir on the store's new/ and cur/ while `run` runs. */
async function listings<T>(root: string, run: () => Promise<T>): Promise<{ result: T; listed: string[] }> {
  const original = fs.promises.readdir;
  const listed: string[] = [];
  fs.promises.readdir = ((path: string, ...rest: unknown[]) => {
    for (const dir of ['new', 'cur']) if (String(path) === join(root, 'Maildir', dir)) listed.push(dir);
    return (original as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.promises.readdir;
  try {
    return { result: await run(), listed };
  } finally {
    fs.promises.readdir = original;
  }
}

/** What the store holds when built from the Maildir alone, with no index to trust. */
async function fromMaildir(root: string, fetch: boolean): Promise<unknown> {
  const copy = `${root}-copy`;
  fs.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
  rmSync(join(copy, 'index.json'));
  const store = await AccountStore.open(copy, { pop3State: fetch });
  const truth = JSON.parse(JSON.stringify(seen(store, fetch)).replaceAll(copy, root));
  await store.close();
  rmSync(copy, { recursive: true, force: true });
  return truth;
}

describe('an open from the index', () => {
  test('an unchanged store opens for a view without listing new/ or cur/ (a fetch lists both), and holds exactly what its Maildir gives', async () => {
    const root = freshRoot();
    await settledStore(root);
    for (const fetch of [false, true]) {
      const { result: store, listed } = await listings(root, () => AccountStore.open(root, { pop3State: fetch }));
      assert.deepEqual(listed, fetch ? ['new', 'cur'] : [], fetch ? 'a fetch lists both' : 'a view lists none');
      assert.deepEqual(JSON.parse(JSON.stringify(seen(store, fetch))), await fromMaildir(root, fetch), fetch ? 'a fetch' : 'a view');
      await store.close();
    }
  });

  test('a message marked read in a store opened from its index keeps every field of its name', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    const store = await AccountStore.open(root);
    await store.markSeen(Object.values(ids));
    await store.close();
    const names = readdirSync(join(root, 'Maildir', 'cur'));
    const nameOf = (id: string) => names.find((name) => name.startsWith(`${id},`));
    assert.match(nameOf(ids.listed)!, /,L=123:2,S$/, 'the LIST size the name vouched for');
    assert.match(nameOf(ids.partial)!, /,P=900000:2,S$/);
    assert.match(nameOf(ids.unread)!, new RegExp(`,U=${Buffer.from('uid/unread:odd').toString('base64url')}:2,S$`));
    assert.match(nameOf(ids.trashed)!, /:2,ST$/);
  });

  test('a file another program renamed or added is seen: the changed directory alone is listed', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    const cur = join(root, 'Maildir', 'cur');
    const name = readdirSync(cur).find((f) => f.startsWith(ids.read))!;
    renameSync(join(cur, name), join(cur, name.replace(/:2,.*$/, ':2,F'))); // marked unread and flagged elsewhere
    writeFileSync(join(cur, `1700000001.M2P2.host,S=${text('added').length}:2,S`), text('added'));
    const { result: store, listed } = await listings(root, () => AccountStore.open(root));
    assert.deepEqual(listed, ['cur']);
    assert.equal(store.get(ids.read)?.seen, false);
    assert.equal(store.get('1700000001.M2P2.host')?.subject, 'added');
    assert.deepEqual(JSON.parse(JSON.stringify(seen(store, false))), await fromMaildir(root, false));
    await store.close();
  });

  test('a fetch takes UIDLs and sizes from the names in the Maildir, even from an index whose rows and saved names say otherwise', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    lieAboutUidl(root, [ids.read], true);
    const store = await AccountStore.open(root, { pop3State: true });
    assert.equal(store.fileOfUidl('uid-read')?.id, ids.read);
    assert.equal(store.fileOfUidl('uid-read')?.uidl, 'uid-read');
    assert.equal(store.uidlRecord('uid-lie'), undefined);
    assert.equal(store.get(ids.read)?.subject, 'uid-read', 'the message is listed, its row read again from its file');
    assert.equal(store.get(ids.read)?.uidl, 'uid-read');
    await store.close();
  });

  test('a view that trusts a row lying about a UIDL cannot write the lie into a name', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    lieAboutUidl(root, [ids.read, ids.unread]);
    const view = await AccountStore.open(root);
    await view.markSeen([ids.unread]); // new/ to cur/
    await view.markSeen([ids.read], false);
    await view.close();
    const fetch = await AccountStore.open(root, { pop3State: true });
    assert.equal(fetch.fileOfUidl('uid/unread:odd')?.id, ids.unread);
    assert.equal(fetch.fileOfUidl('uid/unread:odd')?.uidl, 'uid/unread:odd');
    assert.equal(fetch.fileOfUidl('uid-read')?.uidl, 'uid-read');
    assert.equal(fetch.uidlRecord('uid-lie'), undefined);
    await fetch.close();
  });
});

describe('an index of version 2 (the release before)', () => {
  test('its rows are used: no message is read again, and the index is written anew at close', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    const path = join(root, 'index.json');
    const v3 = JSON.parse(readFileSync(path, 'utf8')) as { fields: string[]; columns: unknown[][] };
    const fields = v3.fields.slice(0, v3.fields.indexOf('dir')); // version 2: the row's own fields, a row per message
    const rows = v3.columns[0].map((_, r) => fields.map((_f, f) => v3.columns[f][r]));
    writeFileSync(path, JSON.stringify({ version: 2, fields, rows, listing: { cur: { mtime: '1', names: [] } } }));
    const original = fs.openSync;
    let read = 0;
    fs.openSync = ((...args: unknown[]) => {
      if (String(args[0]).startsWith(join(root, 'Maildir'))) read++;
      return (original as (...a: unknown[]) => number)(...args);
    }) as typeof fs.openSync;
    let store: AccountStore;
    try {
      const { result, listed } = await listings(root, () => AccountStore.open(root));
      store = result;
      assert.deepEqual(listed, ['new', 'cur'], 'its listings are not trusted');
    } finally {
      fs.openSync = original;
    }
    assert.equal(read, 1, 'only the entry that has no row (a link to a folder) is tried again');
    assert.equal(store.get(ids.partial)?.subject, 'uid-partial');
    assert.deepEqual(JSON.parse(JSON.stringify(seen(store, false))), await fromMaildir(root, false));
    await store.close();
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { version: number }).version, 3);
  });
});

describe('an index that names a file wrongly', () => {
  test('the file is found again when read or marked, and the next open lists the directories', async () => {
    const root = freshRoot();
    const ids = await settledStore(root);
    lieAboutUidl(root, [ids.read], true);
    const view = await AccountStore.open(root);
    assert.match((await view.read(ids.read)).toString('latin1'), /Subject: uid-read/);
    await view.markSeen([ids.read], false);
    assert.equal(view.get(ids.read)?.seen, false);
    await view.close();
    const { result: again, listed } = await listings(root, () => AccountStore.open(root));
    assert.deepEqual(listed, ['new', 'cur']);
    assert.equal((await again.read(ids.read)).toString('latin1').includes('Subject: uid-read'), true);
    assert.equal(again.get(ids.read)?.uidl, 'uid-read');
    await again.close();
  });
});

describe('an open of a directory changed since the index was saved', () => {
  test('every file is found with its row: renamed, removed in a long run, added; only the added ones are read', async () => {
    const root = freshRoot();
    const store = await AccountStore.open(root, { pop3State: true });
    const deliveries = Array.from({ length: 300 }, (_, i) => {
      const d = store.startDelivery(`uid-${i}`);
      d.write(text(`message ${i}`));
      return d;
    });
    await store.commit(deliveries);
    await store.markSeen(deliveries.map((d) => d.id)); // all to cur/
    await store.checkpoint();
    await store.close();
    quiet(root);
    await (await AccountStore.open(root)).close(); // the listings are recorded
    const cur = join(root, 'Maildir', 'cur');
    const names = readdirSync(cur); // in the listing's own order
    for (const [k, name] of names.entries()) {
      if (k % 7 === 3) renameSync(join(cur, name), join(cur, name.replace(/:2,S$/, ':2,FS'))); // flagged elsewhere
      else if ((k >= 100 && k < 130) || k % 11 === 5) rmSync(join(cur, name)); // a run longer than any look-ahead, and single ones
    }
    const added = Array.from({ length: 20 }, (_, i) => `1700000100.M${i}P1.host,S=${text(`added ${i}`).length}:2,`);
    for (const [i, name] of added.entries()) writeFileSync(join(cur, name), text(`added ${i}`));
    const original = fs.openSync;
    const read: string[] = [];
    fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
      if (String(path).startsWith(cur)) read.push(String(path).slice(cur.length + 1));
      return (original as (...args: unknown[]) => number)(path, ...rest);
    }) as typeof fs.openSync;
    let opened: AccountStore;
    try {
      opened = await AccountStore.open(root);
    } finally {
      fs.openSync = original;
    }
    assert.deepEqual(read.sort(), [...added].sort(), 'the files the index knew, renamed or not, were not read again');
    assert.deepEqual(JSON.parse(JSON.stringify(seen(opened, false))), await fromMaildir(root, false));
    assert.equal(opened.list().length, readdirSync(cur).length);
    await opened.close();
  });
});

describe('an open that cannot list a directory', () => {
  test('fails with that directory\'s error, even while it waits on the other one', async () => {
    const root = freshRoot();
    await variedStore(root);
    const original = fs.promises.readdir;
    fs.promises.readdir = (async (path: string, ...rest: unknown[]) => {
      if (String(path) === join(root, 'Maildir', 'cur')) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      if (String(path) === join(root, 'Maildir', 'new')) await new Promise((resolve) => setTimeout(resolve, 30)); // cur fails first
      return (original as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
    }) as typeof fs.promises.readdir;
    try {
      await assert.rejects(AccountStore.open(root), /EMFILE/);
    } finally {
      fs.promises.readdir = original;
    }
  });
});
