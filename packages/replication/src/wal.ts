/**
 * A replica's write-ahead log: the records in memory, stored in segments (one per group commit or
 * append message), with the epoch lookups that failover and catch-up need. Internal.
 * @module
 */
import type { DurableStorage } from "@distkit/sim-net";
import { invariant } from "./errors.js";
import type { WalRecord } from "./wal-record.js";

/** The WAL is stored in segments: `wal/<first lsn>`. */
const WAL_PREFIX = "wal/";
const walKey = (lsn: number): string => WAL_PREFIX + String(lsn).padStart(12, "0");

/**
 * A log position with the epoch of the record there: what failover compares (Raft's "up to date").
 * Internal.
 *
 * @example
 * ```ts
 * const p: LogPosition = { lastLsn: 12, lastEpoch: 3 };
 * ```
 */
export interface LogPosition {
  readonly lastLsn: number;
  readonly lastEpoch: number;
}

/**
 * The log of one replica. Appends go to memory first; {@link WriteAheadLog.persist} writes them as
 * one segment, made durable by the caller's next `storage.sync()`. Internal.
 *
 * @example
 * ```ts
 * const wal = new WriteAheadLog(ctx.storage, 1000);
 * wal.append(record);
 * wal.persist();
 * ctx.storage.sync();
 * ```
 */
export class WriteAheadLog {
  private readonly records: WalRecord[] = [];
  private readonly segments: { firstLsn: number; count: number }[] = [];
  private unpersisted: WalRecord[] = [];
  private readonly storage: DurableStorage;
  private readonly maxRecords: number;

  /** Recovers the log from `storage` (empty on a fresh disk). */
  constructor(storage: DurableStorage, maxRecords: number) {
    this.storage = storage;
    this.maxRecords = maxRecords;
    for (const key of storage.keys(WAL_PREFIX)) {
      const segment = storage.get<readonly WalRecord[]>(key);
      invariant(segment !== undefined && segment.length > 0, "stored WAL segments are not empty");
      this.segments.push({ firstLsn: this.records.length + 1, count: segment.length });
      for (const record of segment) {
        invariant(record.lsn === this.records.length + 1, "stored WAL has no gaps");
        this.records.push(record);
      }
    }
  }

  /** Last position (0 when empty). */
  get length(): number {
    return this.records.length;
  }

  /** Whether the log reached its bound. */
  get full(): boolean {
    return this.records.length >= this.maxRecords;
  }

  /** The record at `lsn` (1-based), or undefined past the end. */
  at(lsn: number): WalRecord | undefined {
    return this.records[lsn - 1];
  }

  /** Records with lsn in (afterLsn, toLsn], a copy. */
  slice(afterLsn: number, toLsn: number = this.records.length): WalRecord[] {
    return this.records.slice(afterLsn, toLsn);
  }

  /** Epoch of the record at `lsn` (0 for lsn 0). */
  epochAt(lsn: number): number {
    if (lsn === 0) return 0;
    const r = this.records[lsn - 1];
    invariant(r !== undefined, `epochAt(${lsn}) within the log of length ${this.records.length}`);
    return r.epoch;
  }

  /** The last position and its epoch. */
  position(): LogPosition {
    return { lastLsn: this.records.length, lastEpoch: this.epochAt(this.records.length) };
  }

  /** Last position of this log written in an epoch <= `epoch` (Kafka's OffsetForLeaderEpoch). */
  endOfEpoch(epoch: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.epochAt(mid) <= epoch) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Appends one record in memory (durable after the next persist and sync). */
  append(record: WalRecord): void {
    invariant(record.lsn === this.records.length + 1, "records are appended in order");
    invariant(
      this.records.length < this.maxRecords,
      `the log stays within maxLogRecords (${this.maxRecords})`,
    );
    invariant(record.epoch >= this.epochAt(this.records.length), "epochs in a log never decrease");
    this.records.push(record);
    this.unpersisted.push(record);
  }

  /** Writes the records appended since the last call as one segment. */
  persist(): void {
    const records = this.unpersisted;
    if (records.length === 0) return;
    const firstLsn = records[0]!.lsn;
    this.storage.set(walKey(firstLsn), records);
    this.segments.push({ firstLsn, count: records.length });
    this.unpersisted = [];
  }

  /** Discards every record after `lsn` (memory and storage); returns them. */
  truncateAfter(lsn: number): WalRecord[] {
    if (lsn >= this.records.length) return [];
    const discarded = this.records.slice(lsn);
    this.unpersisted = this.unpersisted.filter((r) => r.lsn <= lsn);
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1]!;
      if (last.firstLsn + last.count - 1 <= lsn) break;
      if (last.firstLsn > lsn) {
        this.storage.delete(walKey(last.firstLsn));
        this.segments.pop();
      } else {
        last.count = lsn - last.firstLsn + 1;
        this.storage.set(walKey(last.firstLsn), this.records.slice(last.firstLsn - 1, lsn));
        break;
      }
    }
    this.records.length = lsn;
    return discarded;
  }
}
