/**
 * The embedded sim venue's journal: a file of JSON lines holding, after a header, every call that
 * changed the venue (orders placed and cancelled, leverage, price steps). The matching engine is
 * deterministic, so replaying the journal on the same settings rebuilds the same world: the same
 * open orders, fills, balances, positions and the price path where it stopped.
 *
 * Durability: each entry is written (write(2), synchronously) before the call returns, so a process
 * kill loses nothing the caller was told; entries that changed an order are also fdatasync'ed, so a
 * power cut cannot leave QuantMesh's database (SQLite synchronous=FULL) knowing an order the venue
 * forgot. A torn last line (a kill mid-write) was never answered and is cut off on open.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { InvalidSimConfigError } from './errors.js';

/** What the journal was started with: replaying needs the same. */
export interface SimJournalHeader {
  readonly format: 1;
  /** The account id the venue's orders and fills belong to, kept for the journal's whole life. */
  readonly account: string;
  /** Simulated start time of the world. */
  readonly startTime: number;
  /** sha256 of the venue settings (markets, seed, fees, balances); a mismatch refuses the replay. */
  readonly settingsDigest: string;
  /** Settings the world was opened with that are not configuration (e.g. restored positions), as JSON. */
  readonly opening: unknown;
}

/** One journaled call, as a JSON array: its name, then its arguments. */
export type SimJournalEntry = readonly [string, ...unknown[]];

export class SimJournal {
  readonly path: string;
  readonly header: SimJournalHeader;
  /** The entries found at open, to replay once. */
  readonly entries: readonly SimJournalEntry[];
  #fd: number | undefined;

  private constructor(path: string, fd: number, header: SimJournalHeader, entries: readonly SimJournalEntry[]) {
    this.path = path;
    this.#fd = fd;
    this.header = header;
    this.entries = entries;
  }

  /**
   * Opens the journal at `path`, or starts it with `fresh()` as its header when there is none. An
   * existing journal whose settings digest differs from `settingsDigest` is refused: replaying it on
   * other settings would build another world than the one QuantMesh's database remembers.
   */
  static open(path: string, settingsDigest: string, fresh: () => SimJournalHeader): SimJournal {
    const text = readText(path);
    const fd = openSync(path, 'a+');
    try {
      if (text === undefined || text === '') {
        const header = fresh();
        writeSync(fd, `${JSON.stringify(header)}\n`);
        fdatasyncSync(fd);
        return new SimJournal(path, fd, header, []);
      }
      const lines = text.split('\n');
      const complete = lines.slice(0, -1);
      const validBytes = complete.reduce((total, line) => total + Buffer.byteLength(line) + 1, 0);
      if (validBytes !== Buffer.byteLength(text)) ftruncateSync(fd, validBytes);
      const header = parseLine(path, complete[0] ?? '', 1) as SimJournalHeader;
      if (header.format !== 1)
        throw new InvalidSimConfigError(`${path}: unknown sim journal format ${JSON.stringify(header.format)}`);
      if (header.settingsDigest !== settingsDigest) {
        throw new InvalidSimConfigError(
          `${path}: the sim venue's settings (markets, seed, fees or balances) changed since this journal was started; ` +
            'restore them, or delete this file together with the database to start a new simulated account',
        );
      }
      const entries = complete.slice(1).map((line, index) => parseLine(path, line, index + 2) as SimJournalEntry);
      return new SimJournal(path, fd, header, entries);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Appends one entry; `sync` also waits for it to reach the disk. */
  append(entry: SimJournalEntry, sync: boolean): void {
    if (this.#fd === undefined) throw new InvalidSimConfigError(`${this.path}: the sim journal is closed`);
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    if (sync) fdatasyncSync(this.#fd);
  }

  /** Closes the file; idempotent. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseLine(path: string, line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new InvalidSimConfigError(`${path} line ${lineNumber}: not a sim journal entry; the file is damaged`);
  }
}
