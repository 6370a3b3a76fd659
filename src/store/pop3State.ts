/**
 * What the store remembers of the server messages it has taken, UIDL (the store's key) to record:
 * a snapshot (`pop3-state.json`) and a journal of the records appended since (`pop3-state.journal`,
 * fsynced at each commit). Only a fetch loads it, under the account lock. The Maildir is the truth:
 * on load every stored message's name makes its record again, so a lost or torn file costs the
 * records of messages already removed here (which a fetch may then download again), never mail.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeFileAtomic } from './fsutil';
import type { MaildirFile } from './maildir';

/** What the store remembers of a server message it has taken. */
export interface UidlRecord {
  id: string;
  size: number;
  /** The server's LIST size when it was downloaded: what vouches for it before a DELE (sync/identity). */
  listSize?: number;
  /** Fingerprint of its identifying headers (mime/fingerprint.ts), checked with TOP before a later DELE. */
  headerHash?: string;
  /** When it was first stored (ms since epoch): "delete from server after N days" counts from here. */
  firstSeen: number;
}

type StateOp = { op: 'add'; uidl: string; record: UidlRecord } | { op: 'drop'; uidl: string };

const STATE_VERSION = 1;

export class Pop3State {
  private journal: fs.FileHandle | undefined;

  private constructor(
    private readonly root: string,
    readonly records: Map<string, UidlRecord>,
  ) {}

  /** The snapshot, then the journal's records over it, then the Maildir's `files` over both. */
  static async load(root: string, files: Iterable<MaildirFile>): Promise<Pop3State> {
    const snapshot = await readJson<{ version: number; uidls: Record<string, UidlRecord> }>(join(root, 'pop3-state.json'));
    const state = new Pop3State(root, new Map(snapshot?.version === STATE_VERSION && snapshot.uidls ? Object.entries(snapshot.uidls) : []));
    const journal = await fs.readFile(state.journalPath, 'utf8').catch(() => '');
    for (const line of journal.split('\n')) {
      let entry: StateOp;
      try {
        entry = JSON.parse(line) as StateOp;
      } catch {
        continue; // a torn last line from a crash
      }
      state.apply(entry);
    }
    // A stored message is a taken UIDL, whatever the state files say.
    for (const file of files) {
      if (file.uidl === undefined) continue;
      const known = state.records.get(file.uidl);
      const listSize = file.listSize ?? file.partialOf ?? file.size;
      if (!known || known.id !== file.id) {
        state.records.set(file.uidl, { id: file.id, size: file.partialOf ?? file.size, listSize, firstSeen: known?.firstSeen ?? deliveredAt(file.id) });
      } else if (known.listSize === undefined) {
        known.listSize = listSize; // a record from before sizes were vouched for
      }
    }
    return state;
  }

  /** Records messages now durable in the Maildir; resolves once the journal is on disk. */
  add(entries: { uidl: string; record: UidlRecord }[]): Promise<void> {
    return this.append(entries.map(({ uidl, record }) => ({ op: 'add', uidl, record })));
  }

  /** Forgets UIDLs that the server no longer has and whose local copy is gone too. */
  forget(uidls: string[]): Promise<void> {
    return this.append(uidls.filter((u) => this.records.has(u)).map((uidl) => ({ op: 'drop', uidl })));
  }

  /** Writes the snapshot and empties the journal. */
  async checkpoint(): Promise<void> {
    await writeFileAtomic(join(this.root, 'pop3-state.json'), JSON.stringify({ version: STATE_VERSION, uidls: Object.fromEntries(this.records) }));
    await this.close();
    await fs.rm(this.journalPath, { force: true });
  }

  async close(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
  }

  private get journalPath(): string {
    return join(this.root, 'pop3-state.journal');
  }

  private apply(op: StateOp): void {
    if (op.op === 'add') this.records.set(op.uidl, op.record);
    else if (op.op === 'drop') this.records.delete(op.uidl);
  }

  private async append(ops: StateOp[]): Promise<void> {
    if (ops.length === 0) return;
    this.journal ??= await fs.open(this.journalPath, 'a', 0o600);
    await this.journal.write(ops.map((op) => `${JSON.stringify(op)}\n`).join(''));
    await this.journal.sync();
    for (const op of ops) this.apply(op);
  }
}

/** A Maildir id starts with its delivery time in seconds ("1767000000.M…"); no stat needed. */
function deliveredAt(id: string): number {
  const seconds = Number(id.slice(0, id.indexOf('.')));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
}
