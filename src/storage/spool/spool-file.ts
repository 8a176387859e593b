/**
 * The spool's file (Invariant 2: buffered records survive a crash). Appends are group-committed:
 * every append waiting while a write+fdatasync is in flight joins the next single write+fdatasync,
 * and each append's promise resolves only after the fsync that covers its bytes. The file keeps the
 * list of durable records not yet acknowledged as written to the database. A checkpoint file holds
 * the last acknowledged seq; it is written without fsync because replaying records the database
 * already has is harmless (every spooled write is idempotent by key). A flushed prefix is dropped by
 * an atomic rewrite (temp file, fsync, rename, fsync of the directory), serialised with the appends.
 */
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SpoolCorruptedError } from '../errors.js';
import { decodeRecord, encodeRecord, type SpoolRecord } from './spool-codec.js';

interface Entry {
  readonly record: SpoolRecord;
  readonly bytes: number;
}

const COMPACT_MIN_BYTES = 1 << 20;

export class SpoolFile {
  #handle: FileHandle;
  #size: number;
  #pending: Entry[];
  #pendingBytes: number;
  #waiting: Array<{ entry: Entry; text: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  #drainScheduled = false;
  #chain: Promise<void> = Promise.resolve();
  #checkpoint: number;
  #syncs = 0;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    size: number,
    pending: Entry[],
    checkpoint: number,
  ) {
    this.#handle = handle;
    this.#checkpoint = checkpoint;
    this.#size = size;
    this.#pending = pending;
    this.#pendingBytes = pending.reduce((total, entry) => total + entry.bytes, 0);
  }

  /** Opens (or creates) the spool with the records after the checkpoint; a torn last line is cut off. */
  static async open(path: string): Promise<SpoolFile> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? '' : Promise.reject(error),
    );
    const checkpoint = Number(await readFile(`${path}.checkpoint`, 'utf8').catch(() => '0')) || 0;
    // Whatever follows the last newline is a torn append: it never resolved, so nobody relied on it.
    const lines = text.split('\n').slice(0, -1);
    const pending: Entry[] = [];
    lines.forEach((line, index) => {
      let record: SpoolRecord;
      try {
        record = decodeRecord(line);
      } catch (error) {
        throw new SpoolCorruptedError(path, index + 1, (error as Error).message);
      }
      if (record.seq > checkpoint) pending.push({ record, bytes: Buffer.byteLength(line) + 1 });
    });
    const validBytes = lines.reduce((total, line) => total + Buffer.byteLength(line) + 1, 0);
    const handle = await open(path, 'a+');
    if (validBytes !== Buffer.byteLength(text)) {
      await handle.truncate(validBytes);
      await handle.datasync();
    }
    return new SpoolFile(path, handle, validBytes, pending, checkpoint);
  }

  /** Durable records not yet acknowledged, oldest first. */
  pending(limit: number): readonly SpoolRecord[] {
    return this.#pending.slice(0, limit).map((entry) => entry.record);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Bytes of the pending records plus those waiting for their fsync. */
  get pendingBytes(): number {
    return this.#pendingBytes + this.#waiting.reduce((total, waiting) => total + waiting.entry.bytes, 0);
  }

  /** fdatasync calls made for appends (group commit makes this far lower than the appends). */
  get syncCount(): number {
    return this.#syncs;
  }

  /** The highest seq ever spooled here (pending or acknowledged), so seqs keep rising across restarts. */
  get lastSeq(): number {
    return Math.max(this.#checkpoint, this.#pending.at(-1)?.record.seq ?? 0);
  }

  /** Appends `record`; resolves once it is on disk (sharing the fsync with concurrent appends). */
  append(record: SpoolRecord): Promise<void> {
    const text = encodeRecord(record);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ entry: { record, bytes: Buffer.byteLength(text) }, text, resolve, reject });
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        void this.#exclusive(() => this.#drain());
      }
    });
  }

  /** Drops the records up to `seq` (now in the database) and compacts the file when worthwhile. */
  async acknowledge(seq: number): Promise<void> {
    let dropped = 0;
    while (dropped < this.#pending.length && this.#pending[dropped]!.record.seq <= seq) {
      this.#pendingBytes -= this.#pending[dropped]!.bytes;
      dropped += 1;
    }
    this.#pending = this.#pending.slice(dropped);
    this.#checkpoint = Math.max(this.#checkpoint, seq);
    await writeFile(`${this.path}.checkpoint`, String(seq));
    const flushedBytes = this.#size - this.#pendingBytes;
    if (this.#pending.length === 0 || flushedBytes > Math.max(COMPACT_MIN_BYTES, this.#pendingBytes)) {
      await this.#exclusive(() => this.#compact());
    }
  }

  /** Appends a refused record with the refusal's code to `<path>.rejected` and fsyncs it. */
  async deadLetter(record: SpoolRecord, code: string): Promise<void> {
    const handle = await open(`${this.path}.rejected`, 'a');
    try {
      await handle.write(`${JSON.stringify({ code, record: JSON.parse(encodeRecord(record)) as unknown })}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await this.#exclusive(async () => {
      await this.#handle.close();
    });
  }

  #exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #drain(): Promise<void> {
    this.#drainScheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    try {
      const buffer = Buffer.from(batch.map((waiting) => waiting.text).join(''), 'utf8');
      await this.#handle.write(buffer, 0, buffer.length, null);
      await this.#handle.datasync();
      this.#syncs += 1;
      this.#size += buffer.length;
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const waiting of batch) {
      this.#pending.push(waiting.entry);
      this.#pendingBytes += waiting.entry.bytes;
      waiting.resolve();
    }
  }

  async #compact(): Promise<void> {
    const text = this.#pending.map((entry) => encodeRecord(entry.record)).join('');
    if (text === '') {
      await this.#handle.truncate(0);
      await this.#handle.datasync();
      this.#size = 0;
      return;
    }
    const temporary = `${this.path}.compact`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    await syncDirectory(dirname(this.path));
    await this.#handle.close();
    this.#handle = await open(this.path, 'a+');
    this.#size = Buffer.byteLength(text);
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
