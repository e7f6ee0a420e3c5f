import type { NodeId, TimerId } from "@distkit/sim-net";
import { QuorumError } from "./errors.js";
import type { Json } from "./json.js";
import { MAX_BATCH, MEMBERS_KEY, type NodeCore } from "./node-core.js";
import type { ReplicaStore } from "./replica-store.js";

interface Transfer {
  readonly target: NodeId;
  readonly entries: readonly (readonly [string, Json])[];
  attempts: number;
  timer: TimerId;
}

/** Upper bound on retransmissions of one transfer batch. */
const MAX_TRANSFER_ATTEMPTS = 20;

/**
 * Membership changes and key handoff to new owners (internal): a change is broadcast with a new epoch;
 * every node pushes the keys it holds to the members that newly own them (the partitioner's rebalancing
 * plan at key granularity, in bounded batches retried until acknowledged) and drops the keys it no longer
 * owns once no transfer of them is outstanding.
 */
export class Membership<S extends Json> {
  private epoch = 0;
  private readonly transfers = new Map<number, Transfer>();

  constructor(
    private readonly core: NodeCore<S>,
    private readonly store: ReplicaStore<S>,
  ) {}

  /** Restores the last membership this node learned (after a restart). */
  recover(): void {
    const members = this.core.ctx.storage.get<{ epoch: number; members: NodeId[] }>(MEMBERS_KEY);
    if (members !== undefined) {
      this.epoch = members.epoch;
      this.core.placement = this.core.placement.withMembers(members.members);
    }
  }

  /** Operator call: validates, broadcasts and applies a new membership. */
  change(members: readonly NodeId[]): void {
    if (members.length === 0 || new Set(members).size !== members.length) {
      throw new QuorumError("invalid-config", "a membership must be a non-empty list of distinct node ids");
    }
    const n = this.core.settings.defaults.n;
    if (n > members.length) {
      throw new QuorumError(
        "invalid-replication",
        `N = ${n} exceeds the new membership size ${members.length}; keep at least N members`,
      );
    }
    const epoch = this.epoch + 1;
    const everyone = new Set([...this.core.placement.members, ...members]);
    for (const id of everyone)
      if (id !== this.core.id) this.core.ctx.send(id, { type: "q.membership", epoch, members });
    this.apply(epoch, members);
  }

  /** A membership of `epoch` (ignored unless newer than the one known). */
  apply(epoch: number, members: readonly NodeId[]): void {
    if (epoch <= this.epoch) return;
    const { ctx, settings } = this.core;
    const old = this.core.placement;
    this.epoch = epoch;
    this.core.placement = old.withMembers(members);
    ctx.storage.set(MEMBERS_KEY, { epoch, members: [...members] });
    ctx.storage.sync();
    const n = Math.min(settings.defaults.n, members.length);
    const batches = new Map<NodeId, [string, Json][]>();
    for (const [key, e] of this.store.entries) {
      const before = old.preferenceList(key, Math.min(n, old.members.length));
      const after = this.core.placement.preferenceList(key, n);
      for (const target of after) {
        if (target === ctx.id || before.includes(target)) continue;
        let batch = batches.get(target);
        if (batch === undefined) {
          batch = [];
          batches.set(target, batch);
        }
        batch.push([key, e.state]);
      }
    }
    for (const [target, entries] of batches) {
      for (let i = 0; i < entries.length; i += MAX_BATCH)
        this.startTransfer(target, entries.slice(i, i + MAX_BATCH));
    }
    this.dropUnowned();
  }

  /** Applies a batch of transferred keys (the receiving side). */
  onTransfer(entries: readonly (readonly [string, Json])[]): void {
    for (const [key, state] of entries) this.store.apply(key, state as S);
  }

  onTransferAck(rid: number): void {
    const t = this.transfers.get(rid);
    if (t === undefined) return;
    this.transfers.delete(rid);
    this.core.ctx.cancelTimer(t.timer);
    this.dropUnowned();
  }

  private startTransfer(target: NodeId, entries: readonly (readonly [string, Json])[]): void {
    const rid = this.core.nextRid();
    const t: Transfer = { target, entries, attempts: 0, timer: 0 };
    this.transfers.set(rid, t);
    this.sendTransfer(rid, t);
  }

  private sendTransfer(rid: number, t: Transfer): void {
    const { ctx, stats, settings } = this.core;
    t.attempts++;
    stats.keysTransferred += t.entries.length;
    ctx.send(t.target, { type: "q.transfer", rid, entries: t.entries });
    t.timer = ctx.setTimer(
      settings.timeoutMs,
      () => {
        if (!this.transfers.has(rid)) return;
        if (t.attempts >= MAX_TRANSFER_ATTEMPTS) {
          ctx.log(`transfer to ${t.target} abandoned after ${t.attempts} attempts; anti-entropy will repair`);
          this.transfers.delete(rid);
          this.dropUnowned();
          return;
        }
        this.sendTransfer(rid, t);
      },
      "transfer-retry",
    );
  }

  /** Drops keys this node no longer replicates, once no transfer of them is outstanding. */
  private dropUnowned(): void {
    const busy = new Set<string>();
    for (const t of this.transfers.values()) for (const [k] of t.entries) busy.add(k);
    const placement = this.core.placement;
    const n = Math.min(this.core.settings.defaults.n, placement.members.length);
    for (const key of [...this.store.entries.keys()]) {
      if (busy.has(key) || placement.preferenceList(key, n).includes(this.core.id)) continue;
      this.store.remove(key);
    }
    this.core.ctx.storage.sync();
  }
}
