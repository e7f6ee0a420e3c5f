/**
 * Durable storage of one node in a folder: the node contract's {@link DurableStorage} over files.
 *
 * Writes go to memory at once and to disk at {@link FileStorage.sync}: one record per sync, appended to
 * the log `log.<generation>` and made durable with `fdatasync` (unless `fsync: false`). A record is a
 * 4-byte length, a CRC-32 of the payload and the payload (the JSON list of the writes since the last
 * sync), so a record torn by a crash in mid-write fails its length or checksum: on opening, the log is
 * read up to the last whole record and truncated there, and `recovery.truncatedBytes` says how much was
 * cut. When the log outgrows the data, the whole state is written to `snapshot.tmp`, synced, renamed
 * to `snapshot` (atomic), and a new log generation starts, so a crash at any point of a compaction
 * leaves either the old snapshot and log or the new ones.
 * @module
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { DurableStorage } from "@distkit/sim-net";
import { RuntimeError } from "./errors.js";

const RECORD_HEADER_BYTES = 8;
const SNAPSHOT = "snapshot";
const SNAPSHOT_TMP = "snapshot.tmp";
const LOG_PREFIX = "log.";

/**
 * Options of a {@link FileStorage}.
 *
 * @example
 * ```ts
 * const options: FileStorageOptions = { dir: "./data/n1", fsync: true, compactAfterBytes: 8 * 1024 * 1024 };
 * ```
 */
export interface FileStorageOptions {
  /** The folder (created when missing). One node per folder. */
  readonly dir: string;
  /** `fdatasync` at every sync (default true). False survives a process crash, not a machine crash. */
  readonly fsync?: boolean;
  /** Compact once the log is larger than this and than twice the last snapshot (default 8 MiB). */
  readonly compactAfterBytes?: number;
}

/**
 * What opening a data folder found.
 *
 * @example
 * ```ts
 * const storage = FileStorage.open({ dir: "./data/n1" });
 * if (storage.recovery.truncatedBytes > 0) console.warn("a torn write was cut off");
 * ```
 */
export interface StorageRecovery {
  /** The snapshot's generation (0: none yet). */
  readonly generation: number;
  /** Whole records replayed from the log. */
  readonly recordsReplayed: number;
  /** Bytes cut from the end of the log: a record torn by a crash, or garbage after it. */
  readonly truncatedBytes: number;
  /** Keys present after recovery. */
  readonly keys: number;
}

type Op = readonly [kind: "s", key: string, value: unknown] | readonly [kind: "d", key: string];

function frame(payload: string): Buffer {
  const bytes = Buffer.from(payload, "utf8");
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.writeUInt32BE(crc32(bytes), 4);
  bytes.copy(out, RECORD_HEADER_BYTES);
  return out;
}

/** Whole records of `buf` from the start; `validBytes` is where the first bad or partial record starts. */
function readRecords(buf: Buffer): { payloads: string[]; validBytes: number } {
  const payloads: string[] = [];
  let offset = 0;
  while (buf.length - offset >= RECORD_HEADER_BYTES) {
    const length = buf.readUInt32BE(offset);
    const checksum = buf.readUInt32BE(offset + 4);
    const start = offset + RECORD_HEADER_BYTES;
    if (buf.length - start < length) break;
    const payload = buf.subarray(start, start + length);
    if (crc32(payload) !== checksum) break;
    payloads.push(payload.toString("utf8"));
    offset = start + length;
  }
  return { payloads, validBytes: offset };
}

function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  // Bounded: every round writes at least one byte or throws.
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

function serialize(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new RuntimeError(
      "invalid-value",
      `storage value for "${key}" is not JSON data: ${(e as Error).message}`,
    );
  }
  if (json === undefined) {
    throw new RuntimeError(
      "invalid-value",
      `storage value for "${key}" is not JSON data (got ${typeof value}); accepted: null, booleans, numbers, strings, arrays and plain objects`,
    );
  }
  return json;
}

/**
 * File-backed {@link DurableStorage}: what a node of the real runtime gets as `ctx.storage`.
 *
 * @example
 * ```ts
 * const storage = FileStorage.open({ dir: "./data/n1" });
 * storage.set("term", 3);
 * storage.sync(); // on disk (fdatasync) before this returns
 * storage.close();
 * ```
 */
export class FileStorage implements DurableStorage {
  /** What opening the folder found. */
  readonly recovery: StorageRecovery;
  private readonly dir: string;
  private readonly fsync: boolean;
  private readonly compactAfterBytes: number;
  private readonly data = new Map<string, unknown>();
  private pending: string[] = [];
  private generation: number;
  private fd: number;
  private logBytes: number;
  private snapshotBytes: number;
  private closed = false;

  private constructor(options: FileStorageOptions) {
    if (typeof options?.dir !== "string" || options.dir.length === 0) {
      throw new RuntimeError("invalid-config", "FileStorage needs `dir`, a non-empty folder path");
    }
    const compactAfterBytes = options.compactAfterBytes ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(compactAfterBytes) || compactAfterBytes < 1) {
      throw new RuntimeError(
        "invalid-config",
        `compactAfterBytes must be a positive integer, got ${compactAfterBytes}`,
      );
    }
    this.dir = options.dir;
    this.fsync = options.fsync ?? true;
    this.compactAfterBytes = compactAfterBytes;
    mkdirSync(this.dir, { recursive: true });

    this.generation = 0;
    this.snapshotBytes = 0;
    const snapshotPath = join(this.dir, SNAPSHOT);
    if (existsSync(snapshotPath)) {
      const buf = readFileSync(snapshotPath);
      const { payloads, validBytes } = readRecords(buf);
      if (payloads.length !== 1 || validBytes !== buf.length) {
        throw new RuntimeError(
          "storage-corrupt",
          `${snapshotPath} fails its checksum: the data folder is damaged`,
        );
      }
      const snap = JSON.parse(payloads[0]!) as { generation: number; entries: [string, unknown][] };
      this.generation = snap.generation;
      for (const [k, v] of snap.entries) this.data.set(k, v);
      this.snapshotBytes = buf.length;
    }
    const logPath = join(this.dir, LOG_PREFIX + this.generation);
    let recordsReplayed = 0;
    let truncatedBytes = 0;
    this.logBytes = 0;
    if (existsSync(logPath)) {
      const buf = readFileSync(logPath);
      const { payloads, validBytes } = readRecords(buf);
      for (const p of payloads) this.applyOps(JSON.parse(p) as Op[]);
      recordsReplayed = payloads.length;
      truncatedBytes = buf.length - validBytes;
      this.logBytes = validBytes;
      if (truncatedBytes > 0) {
        const fd = openSync(logPath, "r+");
        ftruncateSync(fd, validBytes);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    for (const f of readdirSync(this.dir)) {
      if ((f.startsWith(LOG_PREFIX) && f !== LOG_PREFIX + this.generation) || f === SNAPSHOT_TMP) {
        unlinkSync(join(this.dir, f));
      }
    }
    this.fd = openSync(logPath, "a");
    this.recovery = { generation: this.generation, recordsReplayed, truncatedBytes, keys: this.data.size };
  }

  /** Opens (or creates) the data folder and replays it. Throws {@link RuntimeError} when it is damaged. */
  static open(options: FileStorageOptions): FileStorage {
    return new FileStorage(options);
  }

  private applyOps(ops: readonly Op[]): void {
    for (const op of ops) {
      if (op[0] === "s") this.data.set(op[1], op[2]);
      else this.data.delete(op[1]);
    }
  }

  private checkKey(key: unknown): asserts key is string {
    if (typeof key !== "string") {
      throw new RuntimeError("invalid-value", `storage keys are strings, got ${typeof key}`);
    }
    if (this.closed) throw new RuntimeError("stopped", "storage is closed");
  }

  get<T = unknown>(key: string): T | undefined {
    this.checkKey(key);
    return this.data.get(key) as T | undefined;
  }

  has(key: string): boolean {
    this.checkKey(key);
    return this.data.has(key);
  }

  set(key: string, value: unknown): void {
    this.checkKey(key);
    // Serialized now, so a later mutation of `value` cannot change what reaches the disk.
    const json = serialize(key, value);
    this.pending.push(`["s",${JSON.stringify(key)},${json}]`);
    this.data.set(key, value);
  }

  delete(key: string): void {
    this.checkKey(key);
    this.pending.push(`["d",${JSON.stringify(key)}]`);
    this.data.delete(key);
  }

  keys(prefix = ""): string[] {
    const out: string[] = [];
    for (const k of this.data.keys()) if (k.startsWith(prefix)) out.push(k);
    return out.sort();
  }

  get unsyncedWrites(): number {
    return this.pending.length;
  }

  sync(): void {
    if (this.closed) throw new RuntimeError("stopped", "storage is closed");
    if (this.pending.length === 0) return;
    const record = frame(`[${this.pending.join(",")}]`);
    writeAll(this.fd, record);
    if (this.fsync) fdatasyncSync(this.fd);
    this.pending = [];
    this.logBytes += record.length;
    if (this.logBytes > this.compactAfterBytes && this.logBytes > 2 * this.snapshotBytes) this.compact();
  }

  /** Writes the whole state as a new snapshot generation and starts a new, empty log. */
  compact(): void {
    if (this.pending.length > 0) this.sync();
    const next = this.generation + 1;
    const snapshot = frame(JSON.stringify({ generation: next, entries: [...this.data.entries()] }));
    const tmp = join(this.dir, SNAPSHOT_TMP);
    const tfd = openSync(tmp, "w");
    writeAll(tfd, snapshot);
    fsyncSync(tfd);
    closeSync(tfd);
    renameSync(tmp, join(this.dir, SNAPSHOT));
    const dfd = openSync(this.dir, "r");
    fsyncSync(dfd);
    closeSync(dfd);
    closeSync(this.fd);
    const old = join(this.dir, LOG_PREFIX + this.generation);
    this.generation = next;
    this.fd = openSync(join(this.dir, LOG_PREFIX + next), "a");
    unlinkSync(old);
    this.logBytes = 0;
    this.snapshotBytes = snapshot.length;
  }

  /** Closes the log file. Unsynced writes are dropped, as a crash would drop them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
