/**
 * Configuration of a single-leader store, its validation, and the status types a replica reports.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { type CommitMode, validateCommitMode } from "./commit-mode.js";
import { ReplicationError } from "./errors.js";
import type { LeaseStoreFactory } from "./lease-store.js";

/**
 * Automatic failover: a failure detector on followers plus a leader lease in a store.
 *
 * @example
 * ```ts
 * import { leaseServerStore, type AutomaticFailoverConfig } from "@distkit/replication";
 * const failover: AutomaticFailoverConfig = { leaseStore: leaseServerStore("lease"), leaseTtlMs: 3000 };
 * ```
 */
export interface AutomaticFailoverConfig {
  /** Builds the lease store client of each replica. */
  readonly leaseStore: LeaseStoreFactory;
  /** Lease time to live on the store's clock. Default 3000. */
  readonly leaseTtlMs?: number;
  /** How often the leader renews. Default a third of the TTL. */
  readonly renewIntervalMs?: number;
  /** The leader stops serving this long before its lease would end on its own clock. Default 10% of the TTL. */
  readonly safetyMarginMs?: number;
  /** A follower suspects the leader after this long without hearing from it. Default the TTL. */
  readonly failureTimeoutMs?: number;
  /** How long a suspecting follower collects peers' log positions before trying to take the lease. Default 100. */
  readonly candidateWaitMs?: number;
}

/**
 * Configuration shared by every replica of one single-leader store.
 *
 * @example
 * ```ts
 * import type { ReplicaConfig } from "@distkit/replication";
 * const config: ReplicaConfig = { replicas: ["n1", "n2", "n3"], initialLeader: "n1", commit: { kind: "any", k: 1 } };
 * ```
 */
export interface ReplicaConfig {
  /** Every replica (leader and followers). */
  readonly replicas: readonly NodeId[];
  /** The leader of epoch 1. */
  readonly initialLeader: NodeId;
  /** Default commit mode of writes. Default async. */
  readonly commit?: CommitMode;
  /** After this long without enough acknowledgements, commit asynchronously and report it (MySQL semi-sync). */
  readonly fallbackTimeoutMs?: number;
  /** Which follower position counts for commit: flushed to disk or applied to the state. Default "flush". */
  readonly ackOn?: "flush" | "apply";
  /** Leader heartbeat (and retransmission) interval. Default 50. */
  readonly heartbeatIntervalMs?: number;
  /** A follower not heard from for this long is disconnected (FIRST k skips it). Default 5 heartbeats. */
  readonly standbyTimeoutMs?: number;
  /** Most records per append message. Default 4096. */
  readonly maxBatchRecords?: number;
  /** Followers apply a record this long after flushing it (a delayed replica). Default 0. */
  readonly applyDelayMs?: number;
  /** Bound on writes waiting for commit and reads waiting for a position. Default 100000. */
  readonly maxPendingRequests?: number;
  /** Bound on the log length. Default 10 million records. */
  readonly maxLogRecords?: number;
  /** Automatic failover; absent means failover is manual ({@link ReplicaNode.promote}). */
  readonly failover?: AutomaticFailoverConfig;
}

/**
 * Replication progress of one follower as its leader sees it.
 *
 * @example
 * ```ts
 * import type { FollowerLag } from "@distkit/replication";
 * const line = (l: FollowerLag) => `${l.follower}: ${l.lagEntries} entries, ${l.lagMs} ms behind`;
 * ```
 */
export interface FollowerLag {
  readonly follower: NodeId;
  readonly flushedLsn: number;
  readonly appliedLsn: number;
  /** Records the follower has not applied yet. */
  readonly lagEntries: number;
  /** Age (leader clock) of the oldest record the follower has not applied; 0 when caught up. */
  readonly lagMs: number;
  /** Whether the leader heard from it within the standby timeout. */
  readonly connected: boolean;
}

/**
 * A snapshot of a replica's state for reports and tests.
 *
 * @example
 * ```ts
 * import type { ReplicaStatus } from "@distkit/replication";
 * const leads = (s: ReplicaStatus) => s.role === "leader" && s.writable;
 * ```
 */
export interface ReplicaStatus {
  readonly id: NodeId;
  readonly role: "leader" | "follower";
  readonly epoch: number;
  readonly leader: NodeId | undefined;
  readonly lastLsn: number;
  readonly commitLsn: number;
  readonly appliedLsn: number;
  /** Leader only: whether it currently accepts writes (false without a valid lease). */
  readonly writable: boolean;
  /** Leader only: the commit mode fell back to async (fallback timeout) and has not recovered. */
  readonly degraded: boolean;
  /** Times the commit mode fell back to async. */
  readonly fallbacks: number;
  /** Automatic failover only (undefined with manual failover): what this replica's failover logic is doing. */
  readonly failover?: FailoverStatus;
}

/**
 * What the automatic failover logic of one replica is doing, and why the last attempt to take over
 * did not succeed. When no safe candidate exists the cluster stays without a leader and says so
 * here (and in a log line), rather than promoting a replica that may lack acknowledged writes.
 *
 * @example
 * ```ts
 * import type { FailoverStatus } from "@distkit/replication";
 * const why = (f: FailoverStatus | undefined) =>
 *   f?.lastBlocked ? `blocked in epoch ${f.lastBlocked.epoch}: ${f.lastBlocked.reason}` : "ok";
 * ```
 */
export interface FailoverStatus {
  /**
   * - `watching`: following a leader (or leading) and watching it;
   * - `collecting-positions`: the leader is suspected; asking the other replicas where their logs end;
   * - `acquiring-lease`: asking the lease store for the next epoch;
   * - `fencing`: holding the lease of a new epoch, making replicas refuse older leaders and report
   *   their logs, before it may lead.
   */
  readonly phase: "watching" | "collecting-positions" | "acquiring-lease" | "fencing";
  /** Fenced candidacies of this replica that did not end in a promotion. */
  readonly blockedAttempts: number;
  /** The last of them, if any. */
  readonly lastBlocked:
    | {
        /** The epoch the lease store had granted. */
        readonly epoch: number;
        /** Replicas whose fenced log positions it had (itself included). */
        readonly heard: readonly NodeId[];
        /** How many replicas at most as up to date as itself it needed (see `failoverQuorum`). */
        readonly needed: number;
        /** Replicas whose logs were ahead of its own (one of them should take over instead). */
        readonly ahead: readonly NodeId[];
        /** A sentence saying why. */
        readonly reason: string;
        /** Local clock. */
        readonly atMs: number;
      }
    | undefined;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ReplicationError(
      "invalid-config",
      `${name} must be a finite number ${allowZero ? ">=" : ">"} 0, got ${value}`,
    );
  }
  return value;
}

/**
 * Checks a {@link ReplicaConfig}; throws {@link ReplicationError} when it is malformed (empty or
 * duplicate replicas, unknown leader, k larger than the followers, fallback with async, ...).
 *
 * @example
 * ```ts
 * import { validateReplicaConfig } from "@distkit/replication";
 * validateReplicaConfig({ replicas: ["a", "b"], initialLeader: "a", commit: { kind: "sync" } });
 * ```
 */
export function validateReplicaConfig(config: ReplicaConfig): void {
  const { replicas, initialLeader } = config;
  if (replicas.length === 0)
    throw new ReplicationError("invalid-config", "replicas must name at least one node");
  if (new Set(replicas).size !== replicas.length) {
    throw new ReplicationError("invalid-config", `replicas has duplicates: [${replicas.join(", ")}]`);
  }
  if (!replicas.includes(initialLeader)) {
    throw new ReplicationError(
      "invalid-config",
      `initialLeader "${initialLeader}" is not one of the replicas [${replicas.join(", ")}]`,
    );
  }
  const followers = replicas.filter((r) => r !== initialLeader);
  const mode = config.commit ?? { kind: "async" };
  validateCommitMode(mode, followers);
  if (config.fallbackTimeoutMs !== undefined && mode.kind === "async") {
    throw new ReplicationError(
      "conflicting-options",
      "fallbackTimeoutMs only applies to sync, first and any commit modes; the commit mode is async",
    );
  }
  positive("fallbackTimeoutMs", config.fallbackTimeoutMs, 1);
  positive("heartbeatIntervalMs", config.heartbeatIntervalMs, 1);
  positive("standbyTimeoutMs", config.standbyTimeoutMs, 1);
  positive("maxBatchRecords", config.maxBatchRecords, 1);
  positive("applyDelayMs", config.applyDelayMs, 0, true);
  positive("maxPendingRequests", config.maxPendingRequests, 1);
  positive("maxLogRecords", config.maxLogRecords, 1);
  if (config.ackOn !== undefined && config.ackOn !== "flush" && config.ackOn !== "apply") {
    throw new ReplicationError(
      "invalid-config",
      `ackOn must be "flush" or "apply", got ${String(config.ackOn)}`,
    );
  }
  const f = config.failover;
  if (f !== undefined) {
    const ttl = positive("leaseTtlMs", f.leaseTtlMs, 3000);
    const renew = positive("renewIntervalMs", f.renewIntervalMs, ttl / 3);
    const margin = positive("safetyMarginMs", f.safetyMarginMs, ttl / 10, true);
    positive("failureTimeoutMs", f.failureTimeoutMs, ttl);
    positive("candidateWaitMs", f.candidateWaitMs, 100);
    if (renew + margin >= ttl) {
      throw new ReplicationError(
        "conflicting-options",
        `renewIntervalMs (${renew}) + safetyMarginMs (${margin}) must be below leaseTtlMs (${ttl}), or the leader loses its lease between renewals`,
      );
    }
  }
}
