/**
 * Simulated durable storage with explicit sync, lost on crash unless synced, with optional faults.
 *
 * @module
 */
import type { DurableStorage } from "./contract.js";
import type { SeededRandom } from "./random.js";

/** One not-yet-durable write: a set (`value` defined) or a delete. */
interface PendingWrite {
  readonly key: string;
  readonly deleted: boolean;
  readonly value: unknown;
}

/**
 * What happened at one `sync()` call.
 * @internal
 */
export interface SyncOutcome {
  readonly writes: number;
  readonly lost: boolean;
}

/**
 * The disk of one node: a current view (what reads see) and a durable view (what survives a crash).
 * Survives restarts; a crash resets the current view to the durable one.
 * @internal
 */
export class SimStorage {
  private current = new Map<string, unknown>();
  private durable = new Map<string, unknown>();
  private pending: PendingWrite[] = [];
  /** Probability that a sync silently does not persist (the writes stay volatile). */
  lostSyncRate = 0;
  syncs = 0;
  lostSyncs = 0;

  constructor(
    private readonly faultRandom: SeededRandom,
    private readonly onSync: (outcome: SyncOutcome) => void,
  ) {}

  get(key: string): unknown {
    return this.current.get(key);
  }
  has(key: string): boolean {
    return this.current.has(key);
  }
  set(key: string, value: unknown): void {
    this.current.set(key, value);
    this.pending.push({ key, deleted: false, value });
  }
  delete(key: string): void {
    this.current.delete(key);
    this.pending.push({ key, deleted: true, value: undefined });
  }
  keys(prefix?: string): string[] {
    const out: string[] = [];
    for (const k of this.current.keys()) if (prefix === undefined || k.startsWith(prefix)) out.push(k);
    return out.sort(compareStrings);
  }
  get unsyncedWrites(): number {
    return this.pending.length;
  }
  sync(): void {
    const writes = this.pending.length;
    this.syncs++;
    const lost = this.lostSyncRate > 0 && this.faultRandom.next() < this.lostSyncRate;
    if (lost) {
      this.lostSyncs++;
    } else {
      for (const w of this.pending) this.applyDurable(w);
    }
    this.pending = [];
    this.onSync({ writes, lost });
  }

  /**
   * Crash: unsynced writes are lost; with `tornWrites`, a random prefix of them survives.
   * Returns the number of unsynced writes that survived.
   */
  crash(tornWrites: boolean): number {
    let survived = 0;
    if (tornWrites && this.pending.length > 0) {
      survived = Math.floor(this.faultRandom.next() * (this.pending.length + 1));
      for (let i = 0; i < survived; i++) this.applyDurable(this.pending[i] as PendingWrite);
    }
    this.pending = [];
    this.current = new Map(this.durable);
    return survived;
  }

  /** A sorted snapshot of the durable contents (for tests and inspection). */
  durableEntries(): [string, unknown][] {
    return [...this.durable.entries()].sort((a, b) => compareStrings(a[0], b[0]));
  }

  private applyDurable(w: PendingWrite): void {
    if (w.deleted) this.durable.delete(w.key);
    else this.durable.set(w.key, w.value);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The storage a node's context exposes: delegates to the node's disk while its incarnation is alive;
 * a crashed incarnation's writes are ignored.
 * @internal
 */
export class StorageView implements DurableStorage {
  constructor(
    private readonly disk: SimStorage,
    private readonly isAlive: () => boolean,
  ) {}
  get<T = unknown>(key: string): T | undefined {
    return this.disk.get(key) as T | undefined;
  }
  has(key: string): boolean {
    return this.disk.has(key);
  }
  set(key: string, value: unknown): void {
    if (this.isAlive()) this.disk.set(key, value);
  }
  delete(key: string): void {
    if (this.isAlive()) this.disk.delete(key);
  }
  keys(prefix?: string): string[] {
    return this.disk.keys(prefix);
  }
  sync(): void {
    if (this.isAlive()) this.disk.sync();
  }
  get unsyncedWrites(): number {
    return this.disk.unsyncedWrites;
  }
}
