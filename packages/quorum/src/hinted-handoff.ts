import type { NodeId, TimerId } from "@distkit/sim-net";
import { invariant } from "./errors.js";
import type { Json } from "./json.js";
import { HINT_PREFIX, MAX_BATCH, type NodeCore } from "./node-core.js";

/**
 * Hints this node holds for other owners (internal): writes kept on behalf of a replica that did not
 * acknowledge them, durable (synced to storage before anyone relies on them), bounded (`maxHints`; a hint
 * beyond the cap is not stored and counted in `stats.hintsDropped`), and offered to their owners every
 * `hintedHandoffIntervalMs` until the owner acknowledges (so a hint reaches its owner once the owner is
 * reachable again, however long it was down or cut off).
 *
 * Two kinds of node hold hints: a fallback of a sloppy quorum that received a write for an owner presumed
 * down, and a coordinator of a sloppy-quorum write, which keeps a hint for every owner that has not
 * acknowledged the write (stored before the write is sent, released when the owner acknowledges).
 */
export class HintedHandoff<S extends Json> {
  /** key -> owner -> state held for that owner. */
  private readonly hints = new Map<string, Map<NodeId, S>>();
  private count = 0;
  private timer: TimerId | null = null;

  constructor(private readonly core: NodeCore<S>) {}

  /** Number of hints held. */
  get size(): number {
    return this.count;
  }

  /** Loads hints from durable storage (after a start or restart). */
  recover(): void {
    const storage = this.core.ctx.storage;
    for (const k of storage.keys(HINT_PREFIX)) {
      const rest = k.slice(HINT_PREFIX.length);
      const sep = rest.indexOf("\u0000");
      const state = storage.get<S>(k);
      if (sep < 0 || state === undefined) continue;
      const owner = rest.slice(0, sep);
      const key = rest.slice(sep + 1);
      let owners = this.hints.get(key);
      if (owners === undefined) {
        owners = new Map();
        this.hints.set(key, owners);
      }
      if (!owners.has(owner)) this.count++;
      owners.set(owner, state);
    }
  }

  /** Arms the handoff timer if hints were recovered. */
  onStart(): void {
    if (this.count > 0) this.arm();
  }

  /**
   * Stores (merges) a hint of `state` for `owner`. Returns false when the cap is reached and the hint was
   * dropped (counted). With `sync` false the caller must call {@link HintedHandoff.sync} before relying on it.
   */
  store(key: string, owner: NodeId, state: S, sync = true): boolean {
    invariant(owner !== this.core.id, "a node never holds a hint for itself");
    let owners = this.hints.get(key);
    const prev = owners?.get(owner);
    if (prev === undefined && this.count >= this.core.settings.maxHints) {
      this.core.stats.hintsDropped++;
      this.core.ctx.log(`hint of ${key} for ${owner} dropped: ${this.core.settings.maxHints} hints held`);
      return false;
    }
    if (owners === undefined) {
      owners = new Map();
      this.hints.set(key, owners);
    }
    if (prev === undefined) this.count++;
    const next = prev === undefined ? state : this.core.policy.merge(prev, state);
    owners.set(owner, next);
    this.core.ctx.storage.set(`${HINT_PREFIX}${owner}\u0000${key}`, next);
    if (sync) this.core.ctx.storage.sync();
    this.core.stats.hintsStored++;
    this.arm();
    return true;
  }

  /** Makes every stored hint durable. */
  sync(): void {
    this.core.ctx.storage.sync();
  }

  /**
   * The owner acknowledged `state` (it now holds it): the hint for it is released if `state` contains
   * everything the hint holds (a hint merged with a later write stays until that one is acknowledged too).
   * Not synced: a released hint that comes back after a crash is only offered again (idempotent).
   */
  release(key: string, owner: NodeId, state: S): void {
    const owners = this.hints.get(key);
    const held = owners?.get(owner);
    if (owners === undefined || held === undefined || !this.core.policy.descends(state, held)) return;
    this.remove(key, owner, owners);
  }

  /** States held for any owner of `key` (what a fallback knows beyond its own replica). */
  heldFor(key: string): Iterable<S> | undefined {
    return this.hints.get(key)?.values();
  }

  /** The owner acknowledged a handed-off hint with this digest. */
  onAck(from: NodeId, key: string, digest: string): void {
    const owners = this.hints.get(key);
    const state = owners?.get(from);
    if (owners === undefined || state === undefined || this.core.policy.digest(state) !== digest) return;
    this.remove(key, from, owners);
    this.core.ctx.storage.sync();
    this.core.stats.hintsHandedOff++;
  }

  private remove(key: string, owner: NodeId, owners: Map<NodeId, S>): void {
    owners.delete(owner);
    this.count--;
    invariant(this.count >= 0, "hint count never goes negative");
    if (owners.size === 0) this.hints.delete(key);
    this.core.ctx.storage.delete(`${HINT_PREFIX}${owner}\u0000${key}`);
  }

  private arm(): void {
    if (this.timer !== null) return;
    this.timer = this.core.ctx.setTimer(
      this.core.settings.handoffIntervalMs,
      () => this.tick(),
      "hinted-handoff",
    );
  }

  /** Offers up to MAX_BATCH hints per owner; the rest wait for the next tick. */
  private tick(): void {
    this.timer = null;
    if (this.hints.size === 0) return;
    const perOwner = new Map<NodeId, number>();
    for (const [key, owners] of this.hints) {
      for (const [owner, state] of owners) {
        const sent = perOwner.get(owner) ?? 0;
        if (sent >= MAX_BATCH) continue;
        perOwner.set(owner, sent + 1);
        this.core.ctx.send(owner, { type: "q.hint", key, state, digest: this.core.policy.digest(state) });
      }
    }
    this.arm();
  }
}
