/**
 * The leader lease behind automatic failover: a small store holding "who leads, in which epoch,
 * until when", as Patroni keeps its leader key in etcd.
 * @module
 */
import type { Message, NodeContext, NodeId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";

/**
 * Answer of a lease store to an acquire-or-renew request.
 *
 * - `granted`: `holder` holds the lease for `epoch` (a new epoch when the holder changed).
 * - `refused`: another node holds an unexpired lease.
 * - `unavailable`: the store did not answer in time (no quorum, partition): assume nothing.
 *
 * @example
 * ```ts
 * import type { LeaseOutcome } from "@distkit/replication";
 * const leads = (o: LeaseOutcome, me: string) => o.outcome === "granted" && o.holder === me;
 * ```
 */
export type LeaseOutcome =
  | { readonly outcome: "granted"; readonly holder: NodeId; readonly epoch: number }
  | { readonly outcome: "refused"; readonly holder: NodeId; readonly epoch: number }
  | { readonly outcome: "unavailable" };

/**
 * What a replica needs from a lease store. Implementations talk to their servers through the
 * replica's node context, and receive the servers' replies through {@link LeaseStore.handle}.
 *
 * @example
 * ```ts
 * import type { LeaseStore } from "@distkit/replication";
 * function renew(store: LeaseStore, me: string) {
 *   store.acquire(me, 3000, (o) => console.log(o.outcome));
 * }
 * ```
 */
export interface LeaseStore {
  /**
   * Acquires the lease for `holder` (or renews it when `holder` already holds it) for `ttlMs`
   * measured on the store's clock. Calls `onResult` exactly once.
   */
  acquire(holder: NodeId, ttlMs: number, onResult: (outcome: LeaseOutcome) => void): void;
  /** Offers a received message to the store client; returns true when it was the client's. */
  handle(from: NodeId, message: Message): boolean;
  /**
   * Optional: followers call this periodically, so a store that observes expiry (rather than
   * keeping server-side TTLs) starts watching the lease record before the leader fails.
   */
  watch?(): void;
}

/**
 * Builds a {@link LeaseStore} client for one replica, from that replica's node context.
 *
 * @example
 * ```ts
 * import { leaseServerStore, type LeaseStoreFactory } from "@distkit/replication";
 * const factory: LeaseStoreFactory = leaseServerStore("lease");
 * ```
 */
export type LeaseStoreFactory = (ctx: NodeContext<Message>) => LeaseStore;

/**
 * A command to the lease state machine: acquire or renew for `holder`, for `ttlMs` from `nowMs`
 * (the store's clock, decided once, so every replica of a replicated store applies the same thing).
 *
 * @example
 * ```ts
 * import type { LeaseCommand } from "@distkit/replication";
 * const c: LeaseCommand = { holder: "n1", ttlMs: 3000, nowMs: 1000 };
 * ```
 */
export interface LeaseCommand {
  readonly holder: NodeId;
  readonly ttlMs: number;
  readonly nowMs: number;
}

/**
 * The lease state machine: deterministic, so it can run on one server or replicated by raft.
 * Epochs only grow: each change of holder takes the next epoch, which is the fencing token.
 *
 * @example
 * ```ts
 * import { LeaseTable } from "@distkit/replication";
 * const t = new LeaseTable();
 * t.apply({ holder: "n1", ttlMs: 1000, nowMs: 0 }); // granted, epoch 1
 * t.apply({ holder: "n2", ttlMs: 1000, nowMs: 500 }); // refused: n1 holds it until 1000
 * t.apply({ holder: "n2", ttlMs: 1000, nowMs: 1500 }); // granted, epoch 2
 * ```
 */
export class LeaseTable {
  private holderId: NodeId | undefined;
  private epochValue: number;
  private expiresAtMs = Number.NEGATIVE_INFINITY;

  /** Starts empty; the first grant gets epoch `initialEpoch + 1`. */
  constructor(initialEpoch = 0) {
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0) {
      throw new ReplicationError(
        "invalid-config",
        `initialEpoch must be an integer >= 0, got ${initialEpoch}`,
      );
    }
    this.epochValue = initialEpoch;
  }

  /** Applies one command and says whether the lease was granted. */
  apply(command: LeaseCommand): LeaseOutcome {
    if (!(command.ttlMs > 0)) {
      throw new ReplicationError("invalid-config", `lease ttlMs must be > 0, got ${command.ttlMs}`);
    }
    if (this.holderId === command.holder && command.nowMs < this.expiresAtMs) {
      this.expiresAtMs = command.nowMs + command.ttlMs;
      return { outcome: "granted", holder: command.holder, epoch: this.epochValue };
    }
    if (this.holderId !== undefined && command.nowMs < this.expiresAtMs) {
      return { outcome: "refused", holder: this.holderId, epoch: this.epochValue };
    }
    this.holderId = command.holder;
    this.epochValue++;
    this.expiresAtMs = command.nowMs + command.ttlMs;
    return { outcome: "granted", holder: command.holder, epoch: this.epochValue };
  }

  /** The current holder (possibly expired) and epoch. */
  get current(): {
    readonly holder: NodeId | undefined;
    readonly epoch: number;
    readonly expiresAtMs: number;
  } {
    return { holder: this.holderId, epoch: this.epochValue, expiresAtMs: this.expiresAtMs };
  }
}
