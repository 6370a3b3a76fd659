/**
 * Drafts, Outbox and Sent as Maildir++ folders (src/store/localFolder.ts): where each write lands
 * and under which name, a write in place leaving one file, moves that are one rename, mail another
 * window or tool put there, and tmp/ files a crash left, removed only once no writer can own them.
 */
import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalFolder, openLocalFolders } from '../../src/store/localFolder';
import { withPatched } from '../support/patch';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-local-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(scratch, `f${++n}`, '.Sent');
const message = (subject: string, date = 'Mon, 23 Nov 2026 10:00:00 +0000') => Buffer.from(`From: me@example.org\r\nTo: you@example.org\r\nSubject: ${subject}\r\nDate: ${date}\r\n\r\nbody of ${subject}\r\n`);
const filesIn = (dir: string, sub: string) => readdirSync(join(dir, sub));
const hoursAgo = (h: number) => (Date.now() - h * 3600_000) / 1000;

describe('a local folder', () => {
  test('a write lands in cur/ under its id with its flags sorted, tmp/ left empty, and is listed with its summary', async () => {
    const dir = freshDir();
    const folder = await LocalFolder.open(dir);
    const id = await folder.write(message('Hello'), undefined, 'TS');
    assert.deepEqual(filesIn(dir, 'cur'), [`${id}:2,ST`]);
    assert.deepEqual(filesIn(dir, 'tmp'), []);
    assert.deepEqual(filesIn(dir, 'new'), []);
    assert.deepEqual(await folder.read(id), message('Hello'));
    const listed = folder.row(id);
    assert.equal(listed?.row.subject, 'Hello');
    assert.equal(listed?.row.size, message('Hello').length);
    assert.equal(listed?.seen, true);
    assert.equal(folder.size, 1);
    assert.equal(folder.pathOf(id), join(dir, 'cur', `${id}:2,ST`));
  });

  test('a write in place of a message leaves one file, with the new text and flags', async () => {
    const dir = freshDir();
    const folder = await LocalFolder.open(dir);
    const id = await folder.write(message('first'));
    await folder.write(message('second'), id, '');
    assert.deepEqual(filesIn(dir, 'cur'), [`${id}:2,`]);
    assert.deepEqual(await folder.read(id), message('second'));
    assert.equal(folder.row(id)?.seen, false);
    await folder.write(message('third'), id, '');
    assert.deepEqual(filesIn(dir, 'cur'), [`${id}:2,`]);
    assert.deepEqual(await folder.read(id), message('third'));
  });

  test('listed newest first by date; seen as the flags say', async () => {
    const folder = await LocalFolder.open(freshDir());
    const old = await folder.write(message('old', 'Sun, 1 Nov 2026 10:00:00 +0000'));
    const recent = await folder.write(message('recent', 'Tue, 24 Nov 2026 10:00:00 +0000'), undefined, '');
    const middle = await folder.write(message('middle', 'Sun, 15 Nov 2026 10:00:00 +0000'));
    assert.deepEqual(folder.ids(), [recent, middle, old]);
    const seen: Record<string, boolean> = {};
    folder.forEachMessage((row, isSeen, trashed) => {
      seen[row.subject] = isSeen;
      assert.equal(trashed, false);
    });
    assert.deepEqual(seen, { old: true, recent: false, middle: true });
  });

  test('remove deletes the file; an unknown id is nothing to do; reading it is an error that names it', async () => {
    const dir = freshDir();
    const folder = await LocalFolder.open(dir);
    const id = await folder.write(message('bye'));
    await folder.remove('not-there');
    await folder.remove(id);
    assert.deepEqual(filesIn(dir, 'cur'), []);
    assert.equal(folder.size, 0);
    await assert.rejects(folder.read(id), new RegExp(`No message ${id.replace(/\./g, '\\.')} in`));
  });

  test('moveTo is one rename into the other folder, with the flags asked; release hands a file out', async () => {
    const folders = await openLocalFolders(join(scratch, `f${++n}`));
    const id = await folders.outbox.write(message('queued'), undefined, '');
    await folders.outbox.moveTo(id, folders.sent, 'S');
    assert.deepEqual(filesIn(folders.outbox.dir, 'cur'), []);
    assert.deepEqual(filesIn(folders.sent.dir, 'cur'), [`${id}:2,S`]);
    assert.equal(folders.sent.row(id)?.row.subject, 'queued');
    assert.equal(folders.sent.row(id)?.seen, true);
    await assert.rejects(folders.outbox.moveTo(id, folders.sent), /No message/);

    const out = join(scratch, 'released');
    mkdirSync(out, { recursive: true });
    await folders.sent.release(id, join(out, 'it'));
    assert.equal(readFileSync(join(out, 'it')).toString(), message('queued').toString());
    assert.equal(folders.sent.size, 0);
    await folders.sent.release(id, join(out, 'again')); // gone already: nothing to do
    assert.equal(existsSync(join(out, 'again')), false);
  });

  test('the three folders are Maildir++ folders of the account\'s Maildir', async () => {
    const root = join(scratch, `f${++n}`);
    const folders = await openLocalFolders(root);
    for (const [name, dir] of [['drafts', '.Drafts'], ['outbox', '.Outbox'], ['sent', '.Sent']] as const) {
      assert.equal(folders[name].dir, join(root, 'Maildir', dir));
      for (const sub of ['tmp', 'new', 'cur']) assert.ok(existsSync(join(root, 'Maildir', dir, sub)), `${dir}/${sub}`);
    }
  });
});

describe('mail put there by others', () => {
  test('rescan sees what another window wrote and removed; mail another tool put in new/ moves to cur/', async () => {
    const dir = freshDir();
    const mine = await LocalFolder.open(dir);
    const theirs = await LocalFolder.open(dir);
    const written = await theirs.write(message('from the other window'));
    writeFileSync(join(dir, 'new', '1700000000.tool.host'), message('from a tool'));
    writeFileSync(join(dir, 'cur', '.hidden'), 'not mail');
    writeFileSync(join(dir, 'new', '.tool-temp'), 'a tool at work'); // hidden: not mail, and not ours to move
    await mine.rescan();
    assert.equal(mine.size, 2);
    assert.equal(mine.row(written)?.row.subject, 'from the other window');
    assert.equal(mine.row(written)?.seen, true, 'its flags read from its name');
    assert.equal(mine.row('1700000000.tool.host')?.row.subject, 'from a tool');
    assert.equal(mine.row('1700000000.tool.host')?.seen, false);
    assert.deepEqual(filesIn(dir, 'new'), ['.tool-temp']);
    assert.ok(filesIn(dir, 'cur').includes('1700000000.tool.host:2,'));
    await theirs.remove(written);
    await mine.rescan();
    assert.equal(mine.size, 1);
    assert.equal(mine.row(written), undefined);
  });

  test('a folder some tool made in cur/ is not a message, and does not stop the folder from opening', async () => {
    const dir = freshDir();
    const folder = await LocalFolder.open(dir);
    const id = await folder.write(message('real'));
    mkdirSync(join(dir, 'cur', '1700000000.not-a-message:2,S'));
    const again = await LocalFolder.open(dir);
    assert.deepEqual(again.ids(), [id]);
  });

  test('a message rewritten by the other window is read again, not kept from before', async () => {
    const dir = freshDir();
    const mine = await LocalFolder.open(dir);
    const theirs = await LocalFolder.open(dir);
    const id = await theirs.write(message('before'));
    await mine.rescan();
    await theirs.write(message('after'), id, 'ST');
    await mine.rescan();
    assert.equal(mine.row(id)?.row.subject, 'after');
  });

  test('tmp/ files a crash left go once 36 hours old, younger ones stay (a writer may still own them)', async () => {
    const dir = freshDir();
    await LocalFolder.open(dir);
    const stale = join(dir, 'tmp', 'stale');
    const young = join(dir, 'tmp', 'young');
    writeFileSync(stale, 'half');
    writeFileSync(young, 'half');
    mkdirSync(join(dir, 'tmp', 'a-folder'));
    utimesSync(join(dir, 'tmp', 'a-folder'), hoursAgo(40), hoursAgo(40));
    utimesSync(stale, hoursAgo(36.1), hoursAgo(36.1));
    utimesSync(young, hoursAgo(35.9), hoursAgo(35.9));
    await LocalFolder.open(dir);
    assert.deepEqual(filesIn(dir, 'tmp').sort(), ['a-folder', 'young'], 'a folder there is not a crash leftover of ours');
  });
  test('a tmp/ file is stale only past 36 hours, to the millisecond (mocked clock)', async (t) => {
    const written = Math.floor(Date.now() / 1000) - 60; // whole seconds: the files' times are then exact
    const dir = freshDir();
    await LocalFolder.open(dir);
    t.mock.timers.enable({ apis: ['Date'] });
    for (const [ageMs, stale] of [
      [36 * 3600_000, false],
      [36 * 3600_000 + 1, true],
    ] as const) {
      writeFileSync(join(dir, 'tmp', 'left'), 'half');
      utimesSync(join(dir, 'tmp', 'left'), written, written);
      t.mock.timers.setTime(written * 1000 + ageMs);
      await LocalFolder.open(dir);
      assert.equal(!existsSync(join(dir, 'tmp', 'left')), stale, `a file ${ageMs} ms old`);
    }
  });

  test('two windows clearing the same stale tmp/ file: the one that finds it gone still opens', async () => {
    const dir = freshDir();
    await LocalFolder.open(dir);
    const left = join(dir, 'tmp', 'left');
    writeFileSync(left, 'half');
    utimesSync(left, hoursAgo(40), hoursAgo(40));
    const removedMeanwhile = (stat: typeof fs.promises.stat) =>
      (async (target: fs.PathLike) => {
        const found = await stat(target);
        if (String(target) === left) rmSync(left); // the other window removed it meanwhile
        return found;
      }) as typeof fs.promises.stat;
    await withPatched(fs.promises, 'stat', removedMeanwhile, () => LocalFolder.open(dir));
  });

  test('a draft rewritten and removed in two windows: a file the other window already replaced or removed is no error', async () => {
    const dir = freshDir();
    const one = await LocalFolder.open(dir);
    const id = await one.write(message('draft'), undefined, '');
    const other = await LocalFolder.open(dir);
    await one.write(message('draft, edited'), id, 'S'); // new flags: the file it knew is gone
    await other.write(message('draft, edited there'), id, 'F'); // in place of the file it still knows
    const sent = await one.write(message('sent'));
    const seenThere = await LocalFolder.open(dir);
    await one.remove(sent);
    await seenThere.remove(sent); // the file it knew is gone
    assert.equal(seenThere.row(sent), undefined);
  });

  test('a file another tool left in cur/ without the flags suffix is listed, unread', async () => {
    const dir = freshDir();
    await LocalFolder.open(dir);
    writeFileSync(join(dir, 'cur', '1700000000.bare.host'), message('no flags'));
    const folder = await LocalFolder.open(dir);
    assert.deepEqual(folder.row('1700000000.bare.host')?.seen, false);
    const seen: boolean[] = [];
    folder.forEachMessage((_row, isSeen) => seen.push(isSeen));
    assert.deepEqual(seen, [false]);
  });

  test('links in cur/ to nothing or to a folder are not messages, and the folder still opens and lists the rest', async () => {
    const dir = freshDir();
    const first = await LocalFolder.open(dir);
    const id = await first.write(message('real'));
    symlinkSync(join(dir, 'gone'), join(dir, 'cur', '1700000001.dangling:2,S'));
    symlinkSync(join(dir, 'tmp'), join(dir, 'cur', '1700000002.to-folder:2,S'));
    symlinkSync(join(dir, 'gone'), join(dir, 'tmp', 'dangling-leftover'));
    const folder = await LocalFolder.open(dir);
    assert.deepEqual(folder.ids(), [id]);
    assert.equal(folder.size, 1);
  });

  test('the snippet of a short message is its text alone (the head read is the file, not a padded buffer)', async () => {
    const dir = freshDir();
    await (await LocalFolder.open(dir)).write(message('short'));
    const folder = await LocalFolder.open(dir);
    const [id] = folder.ids();
    assert.equal(folder.row(id)?.row.snippet, 'body of short');
  });

  test('opening and reading a folder again and again leaves no descriptor open', async () => {
    const dir = freshDir();
    const writer = await LocalFolder.open(dir);
    for (let i = 0; i < 5; i++) await writer.write(message(`m${i}`));
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 10; i++) await LocalFolder.open(dir);
    assert.equal(open(), before);
  });
  test('a write cut off before its rename leaves its bytes in tmp/ only, where the stale clean-up looks', async () => {
    const dir = freshDir();
    const folder = await LocalFolder.open(dir);
    const cutOff = () => (() => Promise.reject(Object.assign(new Error('EIO: cut off'), { code: 'EIO' }))) as typeof fs.promises.rename;
    await withPatched(fs.promises, 'rename', cutOff, () => assert.rejects(folder.write(message('cut off')), { code: 'EIO' }));
    assert.equal(filesIn(dir, 'tmp').length, 1);
    assert.deepEqual(readdirSync(dir).sort(), ['cur', 'new', 'tmp']);
  });
});
