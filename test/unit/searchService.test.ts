/** Search over a real store, its index built and kept up to date in the worker thread (src/search/searchService.ts). */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { folderMessages } from '../../src/list/listMessage';
import { evaluate, type SearchableMessage } from '../../src/search/evaluate';
import { leafId, parseQuery, wordLeaves } from '../../src/search/query';
import { indexPath, SearchService, storedMessages } from '../../src/search/searchService';
import { AccountStore } from '../../src/store/accountStore';
import { FLAG_SEEN } from '../../src/store/maildir';

const hostNice = getPriority(); // before any worker runs
const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-searchservice-'));
const service = new SearchService(join(__dirname, '..', '..', 'src', 'search', 'searchWorker.js'));
/** Which of `messages` a query finds: word leaves from the indexes, the rest from the messages. */
async function find(text: string, messages: readonly SearchableMessage[], roots: ReadonlyMap<string, string>): Promise<Uint8Array> {
  const query = parseQuery(text);
  const hits = await service.wordHits(wordLeaves(query), messages, roots);
  return evaluate(query, messages, (field, words) => hits.flags.get(leafId(field, words))!);
}
after(async () => {
  await service.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

async function deliver(store: AccountStore, uidl: string, lines: string[], partialOf?: number): Promise<string> {
  const d = store.startDelivery(uidl, partialOf);
  d.write(Buffer.from(lines.join('\r\n')));
  await store.commit([d]);
  return d.id;
}

describe('search service over a store', () => {
  test('a store is indexed in the worker and searched; upkeep follows delivery, flags, purge and a full download', async () => {
    const root = join(scratch, 'acc');
    const store = await AccountStore.open(root, { pop3State: true });
    const plan = await deliver(store, 'u1', ['From: Renée <renee@example.org>', 'Subject: Release plan', 'Message-ID: <plan@x>', '', 'Shipping in München next week.']);
    const lunch = await deliver(store, 'u2', ['From: Bob <bob@example.org>', 'Subject: Lunch', '', 'Tacos?']);
    await deliver(store, 'u3', ['From: Carol <carol@example.org>', 'Subject: Budget', ''], 5000);
    const progress: number[] = [];
    assert.deepEqual(await service.update(root, storedMessages(store), (done) => progress.push(done)), { added: 3, removed: 0 });
    assert.deepEqual(progress, [3]);
    const roots = new Map([['a', root]]);
    const found = async (query: string) => {
      const messages = folderMessages(store, 'inbox', 'a', 'me@example.org');
      const hits = await find(query, messages, roots);
      return messages.filter((_, i) => hits[i]).map((m) => m.subject).sort();
    };
    assert.deepEqual(await found('munchen'), ['Release plan']);
    assert.deepEqual(await found('from:bob OR plan'), ['Lunch', 'Release plan']);
    assert.deepEqual(await found('-tacos'), ['Budget', 'Release plan']);
    await store.setFlag([plan], FLAG_SEEN, true);
    assert.deepEqual(await found('is:unread'), ['Budget', 'Lunch'], 'flags are read from the store, no reindexing');
    // Nothing changed: an update reads nothing.
    assert.deepEqual(await service.update(root, storedMessages(store)), { added: 0, removed: 0 });
    // The full message replaces its headers: it is read again.
    assert.deepEqual(await found('spreadsheet'), []);
    await store.trash([lunch]);
    await store.emptyTrash();
    await deliver(store, 'u3', ['From: Carol <carol@example.org>', 'Subject: Budget', '', 'The spreadsheet is attached.']);
    const counts = await service.update(root, storedMessages(store));
    assert.equal(counts.removed >= 1, true, 'the purged message left the index');
    assert.deepEqual(await found('tacos'), []);
    assert.deepEqual(await found('spreadsheet'), ['Budget']);
    await service.close(root);
    await store.close();
  });

  test('an index deleted while closed is built again from the Maildir', async () => {
    const root = join(scratch, 'rebuild');
    const store = await AccountStore.open(root, { pop3State: true });
    await deliver(store, 'u1', ['Subject: Invoice', '', 'Pay by Friday.']);
    await service.update(root, storedMessages(store));
    await service.close(root);
    rmSync(indexPath(root));
    assert.deepEqual(await service.update(root, storedMessages(store)), { added: 1, removed: 0 });
    const messages = folderMessages(store, 'inbox', 'a', 'me@example.org');
    assert.deepEqual([...(await find('friday', messages, new Map([['a', root]])))], [1]);
    await service.close(root);
    await store.close();
  });

  test('a list asked about again after its messages were indexed finds them (the places are made again after an index change)', async () => {
    const root = join(scratch, 'places');
    const store = await AccountStore.open(root, { pop3State: true });
    await deliver(store, 'u1', ['Subject: One', '', 'first words']);
    await service.update(root, storedMessages(store));
    await deliver(store, 'u2', ['Subject: Two', '', 'second words']);
    // Two accounts in one list, each message with its own place; the list made once, as the list panel holds it.
    const messages = [...folderMessages(store, 'inbox', 'a', 'me@example.org'), ...folderMessages(store, 'inbox', 'b', 'me@example.org')];
    const roots = new Map([['a', root]]);
    const subjects = (hits: Uint8Array) => messages.filter((_, i) => hits[i]).map((m) => `${m.accountId}:${m.subject}`).sort();
    assert.deepEqual(subjects(await find('words', messages, roots)), ['a:One'], 'the second is not indexed yet');
    await service.update(root, storedMessages(store));
    assert.deepEqual(subjects(await find('words', messages, roots)), ['a:One', 'a:Two']);
    assert.deepEqual(subjects(await find('second', messages, roots)), ['a:Two']);
    await service.close(root);
    await store.close();
  });

  test('messages a fetch has just stored are indexed at once, the others kept; one gone meanwhile is passed over', async () => {
    const root = join(scratch, 'arrived');
    const store = await AccountStore.open(root, { pop3State: true });
    await deliver(store, 'u1', ['Subject: Old', '', 'older words']);
    await service.update(root, storedMessages(store));
    const fresh = await deliver(store, 'u2', ['Subject: New', '', 'fresh words']);
    const gone = await deliver(store, 'u3', ['Subject: Gone', '', 'vanished words']);
    const file = (id: string) => ({ id, path: store.pathOf(id)!, size: store.get(id)!.size });
    const told = [file(fresh), file(gone)];
    rmSync(told[1].path); // purged by another window before the worker reads it
    await service.add(root, told);
    const messages = folderMessages(store, 'inbox', 'a', 'me@example.org');
    const hits = await find('words', messages, new Map([['a', root]]));
    assert.deepEqual(messages.filter((_, i) => hits[i]).map((m) => m.subject).sort(), ['New', 'Old']);
    await service.close(root);
    await store.close();
  });

  test('batches a fetch stores while the worker is busy are all indexed, each answered, a query between them served', { timeout: 20_000 }, async () => {
    const root = join(scratch, 'burst');
    const store = await AccountStore.open(root, { pop3State: true });
    const ids: string[] = [];
    for (let k = 0; k < 30; k++) ids.push(await deliver(store, `u${k}`, [`Subject: Burst ${k}`, '', `burst words number${k}`]));
    const file = (id: string) => ({ id, path: store.pathOf(id)!, size: store.get(id)!.size });
    const messages = folderMessages(store, 'inbox', 'a', 'me@example.org');
    const roots = new Map([['a', root]]);
    // Sent at once, as a fetch tells of its batches: all but the first wait behind it in the worker.
    const adds = ids.map((id) => service.add(root, [file(id)]));
    const between = find('burst', messages, roots);
    await Promise.all(adds);
    assert.ok((await between).some((hit) => hit === 1), 'the query between the batches is answered');
    const hits = await find('burst', messages, roots);
    assert.equal(hits.filter((hit) => hit === 1).length, 30);
    for (const k of [0, 17, 29]) assert.equal((await find(`number${k}`, messages, roots)).filter((hit) => hit === 1).length, 1);
    await service.close(root);
    await store.close();
  });

  test('the worker indexes below the host thread\'s priority (Linux: its own nice value), the host thread left as it was', { skip: process.platform !== 'linux' && 'thread priorities are per thread on Linux only' }, async () => {
    const root = join(scratch, 'nice');
    const store = await AccountStore.open(root, { pop3State: true });
    await service.update(root, storedMessages(store)); // the worker runs
    const nice = (task: string) => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const values = readdirSync('/proc/self/task').map(nice);
    assert.equal(nice(String(process.pid)), hostNice, 'the host thread keeps its priority');
    assert.ok(values.includes(Math.max(hostNice, 10)), `a thread at nice 10 (found ${values.join(' ')})`);
    await service.close(root);
    await store.close();
  });

  test('relevance: a word in the subject ranks above the same word once in a long body; messages not found score 0', async () => {
    const root = join(scratch, 'relevance');
    const store = await AccountStore.open(root, { pop3State: true });
    await deliver(store, 'u1', ['Subject: Lunch', '', `Notes. ${'Other things to say. '.repeat(60)} The budget is fine.`]);
    await deliver(store, 'u2', ['Subject: Budget for 2027', '', 'See the budget attached; the budget is tight.']);
    await deliver(store, 'u3', ['Subject: Weather', '', 'Sunny.']);
    await service.update(root, storedMessages(store));
    const messages = folderMessages(store, 'inbox', 'a', 'me@example.org');
    const leaves = wordLeaves(parseQuery('budget'));
    const scored = await service.wordHits(leaves, messages, new Map([['a', root]]), true);
    const score = (subject: string) => scored.relevance![messages.findIndex((m) => m.subject === subject)];
    assert.ok(score('Budget for 2027') > score('Lunch'), `${score('Budget for 2027')} > ${score('Lunch')}`);
    assert.ok(score('Lunch') > 0);
    assert.equal(score('Weather'), 0);
    assert.equal((await service.wordHits(leaves, messages, new Map([['a', root]]))).relevance, undefined, 'not asked for: not computed');
    await service.close(root);
    await store.close();
  });

  test('a query asks each distinct word leaf once', () => {
    assert.deepEqual(wordLeaves(parseQuery('a (from:b OR a) -"c d" is:unread')), [
      ['any', ['a']],
      ['from', ['b']],
      ['any', ['c', 'd']],
    ]);
  });
});
