import type { TimerId } from "@distkit/sim-net";
import { invariant } from "./errors.js";
import type { Json } from "./json.js";
import { KV_PREFIX, type NodeCore } from "./node-core.js";

/** One key of the local replica. */
export interface Entry<S> {
  state: S;
  /** Local time at which this key became a tombstone, or null when it holds a live value. */
  tombstoneAtMs: number | null;
}

/** Upper bound on remembered lost-write ids (for de-duplication of the lostWrites count). */
const MAX_LOST_IDS = 10_000;

/**
 * The keys this node stores as a replica (internal): merge-on-write, durable persistence (synced before an
 * acknowledgement when `syncWrites`), recovery after a restart, the lost-write count of LWW merges, and
 * tombstone garbage collection after the grace period.
 */
export class ReplicaStore<S extends Json> {
  readonly entries = new Map<string, Entry<S>>();
  private readonly lostIds = new Set<string>();
  private tombstones = 0;
  private gcTimer: TimerId | null = null;

  constructor(private readonly core: NodeCore<S>) {}

  /** Loads the replica from durable storage (after a start or restart). */
  recover(): void {
    const storage = this.core.ctx.storage;
    for (const k of storage.keys(KV_PREFIX)) {
      const e = storage.get<{ state: S; tombstoneAtMs: number | null }>(k);
      if (e === undefined) continue;
      this.entries.set(k.slice(KV_PREFIX.length), { state: e.state, tombstoneAtMs: e.tombstoneAtMs });
      if (e.tombstoneAtMs !== null) this.tombstones++;
    }
  }

  /** Arms the collection timer if tombstones were recovered. */
  onStart(): void {
    if (this.tombstones > 0) this.armGc();
  }

  /** The local state of `key`, or undefined. */
  state(key: string): S | undefined {
    return this.entries.get(key)?.state;
  }

  /** Counts a version a merge discarded although its writer's successor never saw it (once per version). */
  recordLost(key: string, lost: S): void {
    const id = `${key}\u0000${this.core.policy.digest(lost)}`;
    if (this.lostIds.has(id)) return; // the same loss seen again through another merge
    if (this.lostIds.size >= MAX_LOST_IDS) this.lostIds.delete(this.lostIds.values().next().value as string);
    this.lostIds.add(id);
    this.core.stats.lostWrites++;
  }

  /** Merges `incoming` into the local replica of `key` and persists the result (synced when `syncWrites`). */
  apply(key: string, incoming: S): void {
    const { policy, stats, ctx } = this.core;
    stats.replicaWrites++;
    const existing = this.entries.get(key);
    const merged =
      existing === undefined
        ? incoming
        : policy.merge(existing.state, incoming, (lost) => this.recordLost(key, lost));
    if (existing !== undefined && merged === existing.state) return;
    const dead = policy.isTombstone(merged);
    const entry: Entry<S> = {
      state: merged,
      tombstoneAtMs: dead ? (existing?.tombstoneAtMs ?? ctx.now()) : null,
    };
    if (dead && existing?.tombstoneAtMs == null) {
      this.tombstones++;
      this.armGc();
    } else if (!dead && existing?.tombstoneAtMs != null) {
      this.tombstones--;
    }
    this.entries.set(key, entry);
    this.persist(key, entry);
  }

  /** Removes `key` from the replica (membership: a key this node no longer owns). Not synced. */
  remove(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    if (e.tombstoneAtMs !== null) this.tombstones--;
    this.entries.delete(key);
    this.core.ctx.storage.delete(KV_PREFIX + key);
  }

  private persist(key: string, entry: Entry<S>): void {
    const storage = this.core.ctx.storage;
    storage.set(KV_PREFIX + key, { state: entry.state, tombstoneAtMs: entry.tombstoneAtMs });
    if (this.core.settings.syncWrites) storage.sync();
  }

  private armGc(): void {
    if (this.gcTimer !== null) return;
    this.gcTimer = this.core.ctx.setTimer(
      this.core.settings.gcIntervalMs,
      () => this.gcTick(),
      "tombstone-gc",
    );
  }

  private gcTick(): void {
    this.gcTimer = null;
    const { ctx, settings, stats } = this.core;
    const now = ctx.now();
    for (const [key, e] of this.entries) {
      if (e.tombstoneAtMs !== null && now - e.tombstoneAtMs >= settings.tombstoneGraceMs) {
        this.entries.delete(key);
        ctx.storage.delete(KV_PREFIX + key);
        this.tombstones--;
        stats.tombstonesCollected++;
      }
    }
    if (settings.syncWrites) ctx.storage.sync();
    invariant(this.tombstones >= 0, "tombstone count never goes negative");
    if (this.tombstones > 0) this.armGc();
  }
}
