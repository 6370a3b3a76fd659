import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fold, foldWords } from '../../src/list/fold';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderMessages } from '../../src/list/listMessage';
import { keyOf, MessageList, type ListMessage } from '../../src/list/listModel';
import { AccountStore } from '../../src/store/accountStore';
import { FLAG_SEEN, FLAG_TRASHED } from '../../src/store/maildir';
import { identity, radixOrder } from '../../src/list/order';
import { baseSubject, buildThreads, type ThreadForest, type ThreadInput } from '../../src/list/threads';
import { ListQuery } from '../../src/list/listQuery';
import type { IndexAnswer } from '../../src/search/placement';
import { layoutFrom, ListSession, type ListDelegate } from '../../src/list/listSession';
import { NO_FILTER, ROW_BLOCK, type ListHostMessage } from '../../src/shared/listProtocol';
import { listMessage } from '../support/listMessages';

const msg = listMessage;

/**
 * Every input index exactly once, reached from the roots through the child links, each child's
 * parent link agreeing and siblings oldest first; returns the parent of each index (-1 for roots).
 */
function parents(forest: ThreadForest, list: readonly ThreadInput[]): number[] {
  const parent = new Array<number>(list.length).fill(-2);
  const stack: Array<[number, number]> = [...forest.roots].map((r) => [r, -1]);
  while (stack.length) {
    const [n, p] = stack.pop()!;
    assert.equal(parent[n], -2, `message ${n} appears twice`);
    assert.equal(forest.parent[n], p, `message ${n}'s parent link`);
    parent[n] = p;
    for (let c = forest.firstChild[n]; c !== -1; c = forest.nextSibling[c]) {
      const next = forest.nextSibling[c];
      if (next !== -1) assert.ok(list[c].date < list[next].date || (list[c].date === list[next].date && c < next), 'siblings oldest first');
      stack.push([c, n]);
    }
  }
  assert.ok(!parent.includes(-2), `a message is missing: ${parent.join(',')}`);
  return parent;
}

const input = (m: Partial<ThreadInput> & { messageId: string }, date = 0): ThreadInput => ({ inReplyTo: '', references: [], subject: 's', date, ...m });

describe('threads', () => {
  test('a reply that arrives before its parent still sits under it', () => {
    const list = [input({ messageId: '<b@x>', inReplyTo: '<a@x>', references: ['<a@x>'] }, 2), input({ messageId: '<a@x>' }, 1)];
    assert.deepEqual(parents(buildThreads(list), list), [1, -1]);
  });

  test('replies to a parent we do not have stay together under the earliest of them', () => {
    const list = [
      input({ messageId: '<r2@x>', references: ['<gone@x>'] }, 3),
      input({ messageId: '<r1@x>', references: ['<gone@x>'] }, 2),
      input({ messageId: '<r3@x>', inReplyTo: '<r2@x>', references: ['<gone@x>', '<r2@x>'] }, 4),
    ];
    assert.deepEqual(parents(buildThreads(list), list), [1, -1, 0]);
  });

  test('a References chain with gaps keeps the known ancestors in order', () => {
    const list = [input({ messageId: '<a@x>' }, 1), input({ messageId: '<c@x>', references: ['<a@x>', '<b-missing@x>'] }, 3)];
    assert.deepEqual(parents(buildThreads(list), list), [-1, 0]);
  });

  test('"Re:" without references joins the thread of its subject; a plain same subject does not', () => {
    const list = [
      input({ messageId: '<a@x>', subject: 'Lunch plans' }, 1),
      input({ messageId: '<b@x>', subject: 'RE: [team] Lunch plans' }, 2),
      input({ messageId: '<c@x>', subject: 'Lunch plans' }, 3),
      input({ messageId: '<d@x>', subject: 'Re: Something else' }, 4),
    ];
    assert.deepEqual(parents(buildThreads(list), list), [-1, 0, -1, -1]);
  });

  test('reference loops and self references neither hang nor lose a message', () => {
    const list = [
      input({ messageId: '<a@x>', references: ['<b@x>'] }, 1),
      input({ messageId: '<b@x>', references: ['<a@x>'] }, 2),
      input({ messageId: '<c@x>', references: ['<c@x>'], inReplyTo: '<c@x>' }, 3),
      input({ messageId: '<d@x>', references: ['<e@x>', '<d@x>', '<e@x>'] }, 4),
    ];
    const p = parents(buildThreads(list), list);
    assert.equal(p[0], 1, 'a answers b');
    assert.equal(p[1], -1, 'b cannot also answer a');
    assert.equal(p[2], -1);
  });

  test('duplicate and missing Message-IDs keep every message', () => {
    const list = [input({ messageId: '<a@x>' }, 1), input({ messageId: '<a@x>' }, 2), input({ messageId: '' }, 3), input({ messageId: '', inReplyTo: '<a@x>' }, 4)];
    const p = parents(buildThreads(list), list);
    assert.equal(p[3], 0, 'a reply goes to the first message of that id');
  });

  test('a reply chain 20,000 deep threads without exhausting the stack', () => {
    const list = Array.from({ length: 20_000 }, (_, i) => input({ messageId: `<${i}@x>`, inReplyTo: i ? `<${i - 1}@x>` : '' }, i));
    const p = parents(buildThreads(list), list);
    assert.equal(p[19_999], 19_998);
  });

  test('base subjects drop reply, forward and list prefixes in any order and language', () => {
    assert.deepEqual(baseSubject('Re: Fwd: [list] AW: Hello  world'), { base: 'hello world', reply: true });
    assert.deepEqual(baseSubject('[list] Hello'), { base: 'hello', reply: false });
    assert.deepEqual(baseSubject('Re[2]: x'), { base: 'x', reply: true });
    assert.deepEqual(baseSubject('Reply: x'), { base: 'reply: x', reply: false });
  });
});

describe('message list model', () => {
  test('filter texts: every run of what is not a letter, a mark or a digit is one space; single spaces stay', () => {
    assert.equal(foldWords('München, Café!'), 'munchen cafe ');
    assert.equal(foldWords('a  b\t\nc - d'), 'a b c d');
    assert.equal(foldWords(' lone spaces stay '), ' lone spaces stay ');
    assert.equal(foldWords('e-mail: a@b.org'), 'e mail a b org');
    assert.equal(foldWords('北京 会议，明天'), '北京 会议 明天');
    assert.equal(foldWords('Résumé  2026'), 'resume 2026');
  });

  test('the quick filter ignores case and accents and counts its matches', () => {
    assert.equal(fold('Müller ÉCOLE Straße ﬁle'), 'muller ecole strasse file');
    const list = new MessageList([msg(1, { subject: 'Treffen in München' }), msg(2, { subject: 'Munich' }), msg(3, { snippet: 'ein MUNCHEN-Ausflug' })]);
    list.setFilter({ ...NO_FILTER, text: 'munchen' });
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m3', 'a/m1']);
    assert.equal(list.matches, 2);
    assert.equal(list.total, 3);
    list.setFilter({ ...NO_FILTER, text: 'sender 2 munich' });
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m2'], 'every word must match');
  });

  test("the index's answer follows its messages when mail arrives and they move: no other message takes their place", async () => {
    const first = [msg(1), msg(2), msg(3)];
    const list = new MessageList(first);
    list.setFilter({ ...NO_FILTER, text: 'invoice' });
    list.setIndexHits('invoice', list.messageList, { flags: new Map([['any:invoice', Uint8Array.of(0, 1, 0)]]) }); // the body of m2
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m2']);
    // Two messages arrive, listed first; m1 is gone: m2 now stands where m3 stood before.
    list.setMessages([msg(5), msg(4), msg(3), msg(2)]);
    await list.prepare();
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m2'], 'kept while the index is asked again');
    // The same messages again (a flag changed): the answer stays.
    list.setMessages([msg(5), msg(4), msg(3), msg(2, { seen: false })]);
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m2']);
  });

  test('sorted by relevance: best matches first by the index\'s scores, ties newest first; a thread ranks by its best message', async () => {
    const list = new MessageList([msg(1), msg(2), msg(3), msg(4)], { sort: { column: 'relevance', descending: true } });
    list.setFilter({ ...NO_FILTER, text: 'budget' });
    assert.deepEqual(list.window(0, 10).map((r) => r.key), [], 'nothing matches before the index answers');
    list.setIndexHits('budget', list.messageList, { flags: new Map([['any:budget', Uint8Array.of(1, 1, 1, 0)]]), relevance: Float32Array.of(0.5, 2.25, 0.5, 0) });
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m2', 'a/m3', 'a/m1'], 'm3 and m1 tie: newest first');
    list.setSort({ column: 'date', descending: true });
    assert.deepEqual(list.window(0, 10).map((r) => r.key), ['a/m3', 'a/m2', 'a/m1']);
    // Threaded: a thread whose reply matches best comes first, under its first message.
    const threaded = new MessageList([msg(1, { messageId: '<a@x>' }), msg(2, { messageId: '<b@x>' }), msg(3, { messageId: '<c@x>', inReplyTo: '<a@x>', references: ['<a@x>'] })], { sort: { column: 'relevance', descending: true }, threaded: true });
    threaded.setFilter({ ...NO_FILTER, text: 'budget' });
    threaded.setIndexHits('budget', threaded.messageList, { flags: new Map([['any:budget', Uint8Array.of(1, 1, 1)]]), relevance: Float32Array.of(0.1, 1, 3) });
    assert.deepEqual(threaded.window(0, 10).map((r) => r.key), ['a/m1', 'a/m2']);
  });

  test('the unread, attachment and headers-only toggles each narrow the list', () => {
    const list = new MessageList([msg(1, { seen: false }), msg(2, { hasAttachments: true }), msg(3, { partialOf: 9_000_000 }), msg(4, { seen: false, hasAttachments: true })]);
    list.setFilter({ ...NO_FILTER, unread: true });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m4', 'a/m1']);
    list.setFilter({ ...NO_FILTER, attachment: true });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m4', 'a/m2']);
    list.setFilter({ ...NO_FILTER, headersOnly: true });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m3']);
    assert.equal(list.window(0, 9)[0].size, 9_000_000, 'a headers-only row shows the size on the server');
  });

  test('every column sorts both ways', () => {
    const messages = [
      msg(1, { from: 'Zoë <z@x>', subject: 'Re: beta', size: 30, seen: false, account: 'b@x' }),
      msg(2, { from: 'émile <e@x>', subject: 'alpha', size: 10, hasAttachments: true, account: 'c@x' }),
      msg(3, { from: 'Adam <a@x>', subject: 'Gamma', size: 20, account: 'a@x' }),
    ];
    const list = new MessageList(messages);
    const order = (column: Parameters<MessageList['setSort']>[0]['column'], descending = false) => {
      list.setSort({ column, descending });
      return list.window(0, 9).map((r) => r.key.slice(3));
    };
    assert.deepEqual(order('date', true), ['3', '2', '1']);
    assert.deepEqual(order('date'), ['1', '2', '3']);
    assert.deepEqual(order('from'), ['3', '2', '1'], 'names sort without regard to case or accents');
    assert.deepEqual(order('subject'), ['2', '1', '3'], '"Re:" does not count');
    assert.deepEqual(order('size', true), ['1', '3', '2']);
    assert.deepEqual(order('unread', true), ['1', '3', '2']);
    assert.deepEqual(order('attachment', true), ['2', '3', '1']);
    assert.deepEqual(order('account'), ['3', '1', '2']);
  });

  test('threads collapse with their size and unread count, expand on request, and stay expanded across updates', () => {
    const messages = [
      msg(1, { messageId: '<root@x>' }),
      msg(2, { inReplyTo: '<root@x>', references: ['<root@x>'], seen: false }),
      msg(3, { inReplyTo: '<m2@x>', references: ['<root@x>', '<m2@x>'], seen: false }),
      msg(4),
    ];
    const list = new MessageList(messages, { threaded: true });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m4', 'a/m1'], 'the thread sorts by its newest message (day 3) after m4 (day 4)');
    assert.deepEqual(list.window(1, 2)[0].thread, { size: 3, unread: 2, expanded: false });
    list.setExpanded('a/m1', true);
    assert.deepEqual(list.window(0, 9).map((r) => [r.key, r.depth]), [['a/m4', 0], ['a/m1', 0], ['a/m2', 1], ['a/m3', 2]]);
    assert.equal(list.rowIndexOf('a/m3'), 3);
    list.setMessages([...messages, msg(5, { inReplyTo: '<m3@x>' })]);
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m1', 'a/m2', 'a/m3', 'a/m5', 'a/m4'], 'a new reply lifts its thread and it stays open');
    list.setThreaded(false);
    assert.equal(list.rowCount, 5);
    assert.equal(list.window(0, 9)[0].thread, undefined);
  });

  test('a filter in threaded mode keeps the threads with a match and, inside them, the matching messages', () => {
    const messages = [
      msg(1, { messageId: '<root@x>', subject: 'Plans' }),
      msg(2, { inReplyTo: '<root@x>', subject: 'Re: Plans', snippet: 'bring the cake' }),
      msg(3, { inReplyTo: '<root@x>', subject: 'Re: Plans' }),
      msg(4, { subject: 'Other' }),
    ];
    const list = new MessageList(messages, { threaded: true });
    list.setExpanded('a/m1', true);
    list.setFilter({ ...NO_FILTER, text: 'cake' });
    assert.deepEqual(list.window(0, 9).map((r) => [r.key, r.depth]), [['a/m1', 0], ['a/m2', 1]]);
    assert.equal(list.matches, 1);
    list.setThreaded(false);
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m2']);
    list.setThreaded(true);
    assert.equal(list.window(0, 1)[0].thread?.size, 3, 'back to threads: the thread is whole again');
  });

  test('sent mail shows its recipients by name', () => {
    const list = new MessageList([msg(1, { to: 'Ann Example <ann@x>, bob@x' })], { sent: true });
    assert.equal(list.window(0, 1)[0].correspondent, 'Ann Example, bob@x');
    assert.equal(list.window(0, 1)[0].correspondentTitle, 'Ann Example <ann@x>, bob@x');
  });

  test('a window past the end returns what there is; keys find their rows', () => {
    const list = new MessageList(Array.from({ length: 50 }, (_, i) => msg(i)));
    assert.equal(list.window(45, 60).length, 5);
    assert.equal(list.keyAt(0), keyOf({ accountId: 'a', id: 'm49' }));
    assert.equal(list.rowIndexOf('a/m0'), 49);
    assert.equal(list.rowIndexOf('a/nope'), -1);
  });

  test('equal keys stay newest first whichever way a column sorts', () => {
    const list = new MessageList([msg(1, { size: 5 }), msg(2, { size: 5 }), msg(3, { size: 9 }), msg(4, { size: 5 })]);
    list.setSort({ column: 'size', descending: false });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m4', 'a/m2', 'a/m1', 'a/m3']);
    list.setSort({ column: 'size', descending: true });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m3', 'a/m4', 'a/m2', 'a/m1']);
  });

  test('a date that is not a number sorts as the earliest and loses no message', () => {
    const list = new MessageList([msg(1), msg(2, { date: Number.NaN }), msg(3, { date: -5 }), msg(4, { date: 8.64e15 })]);
    list.setSort({ column: 'date', descending: false });
    assert.deepEqual(list.window(0, 9).map((r) => r.key), ['a/m2', 'a/m3', 'a/m1', 'a/m4']);
    list.setThreaded(true);
    assert.equal(list.rowCount, 4);
  });

  test("a flag change reaches a collapsed thread's unread count and its place in an unread sort", () => {
    const messages = [msg(1, { messageId: '<root@x>' }), msg(2, { inReplyTo: '<root@x>' }), msg(3)];
    const list = new MessageList(messages, { threaded: true, sort: { column: 'unread', descending: true } });
    assert.deepEqual(list.window(0, 9).map((r) => [r.key, r.thread?.unread]), [['a/m3', undefined], ['a/m1', 0]]);
    list.setMessages(messages.map((m) => (m.id === 'm2' ? { ...m, seen: false } : m)));
    assert.deepEqual(list.window(0, 9).map((r) => [r.key, r.thread?.unread]), [['a/m1', 1], ['a/m3', undefined]]);
  });
});

describe('radix order', () => {
  test('orders like a stable comparator sort, for keys of any size up to 2^53', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const max of [1, 2, 70_000, 2 ** 33, 2 ** 52]) {
      const keys = Float64Array.from({ length: 5000 }, () => Math.floor(random() * max));
      const items = identity(keys.length).reverse();
      const expected = [...items].sort((a, b) => keys[a] - keys[b]); // Array#sort is stable
      assert.deepEqual([...radixOrder(items, keys)], expected, `keys below ${max}`);
    }
  });
});

describe('the list over a store', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-listsource-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("a folder's messages carry the store's fields and flags, each in its own folder", async () => {
    const store = await AccountStore.open(scratch, { pop3State: true });
    const deliveries = ['one', 'two', 'three'].map((word, i) => {
      const d = store.startDelivery(`u${i}`);
      d.write(Buffer.from(`From: Ann <ann@x.org>\r\nSubject: ${word}\r\nMessage-ID: <${word}@x>\r\n\r\n${word} body\r\n`));
      return d;
    });
    await store.commit(deliveries);
    const [one, two] = deliveries.map((d) => d.id);
    await store.setFlag([one], FLAG_SEEN, true);
    await store.setFlag([two], FLAG_TRASHED, true);
    const inbox = folderMessages(store, 'inbox', 'acc', 'me@x.org');
    const trash = folderMessages(store, 'trash', 'acc', 'me@x.org');
    assert.deepEqual(inbox.map((m) => m.subject).sort(), ['one', 'three']);
    assert.deepEqual(trash.map((m) => [m.subject, m.trashed]), [['two', true]]);
    const entries = new Map(store.list().map((e) => [e.id, e]));
    for (const m of [...inbox, ...trash]) {
      const e = entries.get(m.id)!;
      for (const field of ['id', 'uidl', 'from', 'to', 'subject', 'date', 'size', 'partialOf', 'hasAttachments', 'snippet', 'messageId', 'inReplyTo', 'references', 'seen', 'trashed'] as const) {
        assert.deepEqual(m[field], e[field], `${field} of ${m.subject}`);
      }
      assert.equal(m.accountId, 'acc');
      assert.equal(m.account, 'me@x.org');
    }
    assert.equal(inbox.find((m) => m.subject === 'one')!.seen, true);
    assert.equal(inbox.find((m) => m.subject === 'three')!.seen, false);
    await store.close();
  });
});


describe('list session', () => {
  /** A session over `count` messages (newest first), recording what it posts. */
  async function session(count: number, more: Partial<ListDelegate> = {}, make = (i: number) => msg(i)) {
    const posted: ListHostMessage[] = [];
    const messages = Array.from({ length: count }, (_, i) => make(i));
    const s = new ListSession(() => 'Inbox', layoutFrom(undefined, false), { unified: false, sent: false }, {
      post: (m) => void posted.push(m),
      load: async () => messages,
      show: async () => undefined,
      act: async () => undefined,
      pageMessage: () => undefined,
      saveLayout: () => undefined,
      report: (err) => assert.fail(String(err)),
      ...more,
    });
    await s.onMessage({ type: 'ready' });
    const lastState = () => posted.filter((m) => m.type === 'state').at(-1) as Extract<ListHostMessage, { type: 'state' }>;
    return { s, lastState };
  }

  test('each state carries the rows where the webview will look, so it paints without asking (a round trip per change)', async () => {
    const { s, lastState } = await session(1_000);
    let state = lastState();
    assert.equal(state.rows.start, 0);
    assert.ok(state.rows.rows.length >= 2 * ROW_BLOCK);
    assert.deepEqual(state.rows.rows.slice(0, 3).map((r) => r.key), ['a/m999', 'a/m998', 'a/m997']);
    // Scrolled down to m500 (row 499 newest first); sorted oldest first, it is row 500 and stays in view.
    await s.onMessage({ type: 'track', top: 'a/m500', atTop: false });
    await s.onMessage({ type: 'setSort', sort: { column: 'date', descending: false } });
    state = lastState();
    assert.equal(state.state.tracked['a/m500'], 500);
    assert.equal(state.rows.start, 500);
    assert.equal(state.rows.rows[0].key, 'a/m500');
    // At the top the list stays at the top whatever moved: rows from the first.
    await s.onMessage({ type: 'track', top: 'a/m0', atTop: true });
    await s.onMessage({ type: 'setSort', sort: { column: 'date', descending: true } });
    state = lastState();
    assert.equal(state.rows.start, 0);
    assert.equal(state.rows.rows[0].key, 'a/m999');
  });

  test('the filter box reads the search language; what it cannot read it says, with where', async () => {
    const make = (i: number) => msg(i, { from: i % 2 ? 'Ann <ann@example.org>' : 'Bob <bob@example.org>', seen: i % 3 === 0, subject: `Report ${i}` });
    const { s, lastState } = await session(12, {}, make);
    await s.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'from:ann is:unread' } });
    const keys = (state: ReturnType<typeof lastState>) => state.rows.rows.map((r) => r.key);
    assert.deepEqual(keys(lastState()), ['a/m11', 'a/m7', 'a/m5', 'a/m1']);
    await s.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'from:ann@example.org -report' } });
    assert.deepEqual(keys(lastState()), [], 'an address is words in order, as the index cuts them');
    await s.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'form:ann' } });
    assert.deepEqual(lastState().state.queryError, { message: 'Unknown field "form:" (did you mean "from:"?); to search for the text, put it in quotes', at: 0 });
    assert.equal(lastState().state.rowCount, 12, 'an unreadable query narrows nothing');
  });

  test("the index's answer adds what only the body holds, once it comes; an answer for an older text is dropped", async () => {
    const answers: Array<{ leaves: Array<[string, string[]]>; answer: (hits: IndexAnswer) => void; messages: readonly ListMessage[] }> = [];
    const scoresAsked: boolean[] = [];
    const { s, lastState } = await session(5, { wordHits: (leaves, messages, scores) => new Promise((answer) => void (scoresAsked.push(scores), answers.push({ leaves, answer, messages }))), saveLayout: (layout) => assert.notEqual(layout.sort.column, 'relevance') });
    // The index's answer is a flag per message of the list asked about.
    const flags = (k: number, keys: string[]) => Uint8Array.from(answers[k].messages, (m) => (keys.includes(keyOf(m)) ? 1 : 0));
    await s.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'invoice' } });
    assert.equal(lastState().state.matches, 0, 'no snippet or subject says invoice');
    assert.deepEqual(answers[0].leaves, [['any', ['invoice']]]);
    await s.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'invoices' } });
    // The answer queues its work once its promise settles: a message sent after that waits behind it.
    const settled = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await s.onMessage({ type: 'track', atTop: true });
    };
    answers[0].answer({ flags: new Map([['any:invoice', flags(0, ['a/m1', 'a/m3'])]]) }); // late: for the text before
    await settled();
    assert.equal(lastState().state.matches, 0);
    answers[1].answer({ flags: new Map([['any:invoices', flags(1, ['a/m2'])]]) });
    await settled();
    assert.deepEqual(lastState().rows.rows.map((r) => r.key), ['a/m2']);
    // A reload (mail arrived, a flag changed) keeps the answer while the index is asked again.
    await s.reload();
    assert.deepEqual(lastState().rows.rows.map((r) => r.key), ['a/m2']);
    assert.equal(answers.length, 3);
    // Sorting by relevance asks again, for the scores this time; the choice is not kept for the next list.
    assert.equal(lastState().state.rankable, true);
    await s.onMessage({ type: 'setSort', sort: { column: 'relevance', descending: true } });
    assert.equal(answers.length, 4);
    assert.deepEqual(scoresAsked, [false, false, false, true]);
  });

  test('a result marks the sought words in its snippet: folded, as prefixes, inside CJK runs, not the words left out', () => {
    const marks = (query: string, text: string) => new ListQuery(query).marks(text).map(([a, b]) => text.slice(a, b));
    assert.deepEqual(marks('munchen', 'Treffen in München, MUNCHEN!'), ['München', 'MUNCHEN']);
    assert.deepEqual(marks('repo', 'The report is in the repository'), ['report', 'repository']);
    assert.deepEqual(marks('report -invoice', 'report and invoice'), ['report']);
    assert.deepEqual(marks('北京', '我们明天去北京开会'), ['北京']);
    assert.deepEqual(marks('is:unread', 'anything'), []);
    assert.deepEqual(marks('form:x', 'anything'), [], 'an unreadable query marks nothing');
  });
});
