/**
 * A leader lease kept in a `@distkit/raft` key-value store, as Patroni keeps its leader key in etcd.
 * @module
 */
import { KvClient, type KvClientResult, type RaftNodeMessage } from "@distkit/raft";
import type { Message, NodeContext, NodeId } from "@distkit/sim-net";
import { ReplicationError } from "./errors.js";
import type { LeaseOutcome, LeaseStore, LeaseStoreFactory } from "./lease-store.js";

/**
 * Options of {@link raftLeaseStore}.
 *
 * @example
 * ```ts
 * import type { RaftLeaseStoreOptions } from "@distkit/replication";
 * const o: RaftLeaseStoreOptions = { key: "/service/pg/leader", operationTimeoutMs: 1000 };
 * ```
 */
export interface RaftLeaseStoreOptions {
  /** The key holding the lease record. Default "replication/leader". */
  readonly key?: string;
  /** Per-attempt timeout of the raft client. Default 200. */
  readonly requestTimeoutMs?: number;
  /** A lease request gives up (answers `unavailable`) after this long. Default 1000. */
  readonly operationTimeoutMs?: number;
}

interface LeaseRecord {
  readonly holder: NodeId;
  readonly epoch: number;
  /** Bumped by every renewal, so observers see the record change while its holder is alive. */
  readonly renewals: number;
}

function parseRecord(raw: string | null): LeaseRecord | undefined {
  if (raw === null) return undefined;
  const r = JSON.parse(raw) as LeaseRecord;
  if (typeof r.holder !== "string" || !Number.isInteger(r.epoch) || !Number.isInteger(r.renewals)) {
    throw new Error(`@distkit/replication invariant violated: malformed lease record ${raw}`);
  }
  return r;
}

/**
 * A {@link LeaseStoreFactory} keeping the lease in a raft cluster (`@distkit/raft` `RaftNode`s named
 * `servers`), through linearizable get and compare-and-set.
 *
 * Raft's store has no clock, so expiry is observed, as in Kubernetes leader election: a replica
 * takes over only after it has seen the same lease record, unchanged, for the whole TTL on its own
 * clock; the holder bumps the record at every renewal, and stops serving when a renewal has not
 * succeeded within the TTL (minus a margin) on its clock. No clock is compared with another; only
 * bounded drift is assumed. The compare-and-set makes every takeover a new, larger epoch.
 *
 * @example
 * ```ts
 * import { raftLeaseStore, type ReplicaConfig } from "@distkit/replication";
 * const config: ReplicaConfig = {
 *   replicas: ["n1", "n2", "n3"],
 *   initialLeader: "n1",
 *   failover: { leaseStore: raftLeaseStore(["e1", "e2", "e3"]), leaseTtlMs: 3000 },
 * };
 * ```
 */
export function raftLeaseStore(
  servers: readonly NodeId[],
  options: RaftLeaseStoreOptions = {},
): LeaseStoreFactory {
  if (servers.length === 0)
    throw new ReplicationError("invalid-config", "raftLeaseStore needs at least one server");
  const key = options.key ?? "replication/leader";
  const requestTimeoutMs = options.requestTimeoutMs ?? 200;
  const operationTimeoutMs = options.operationTimeoutMs ?? 1000;
  if (!(requestTimeoutMs > 0) || !(operationTimeoutMs > 0)) {
    throw new ReplicationError("invalid-config", "raftLeaseStore timeouts must be > 0");
  }
  return (ctx: NodeContext<Message>): LeaseStore => {
    // The raft client speaks through the replica's own context; replies come back via handle().
    const kv = new KvClient(ctx as unknown as NodeContext<RaftNodeMessage>, {
      servers,
      requestTimeoutMs,
      operationTimeoutMs,
    });
    let observed: { raw: string | null; sinceMs: number } | undefined;
    const observe = (raw: string | null): number => {
      const now = ctx.now();
      if (observed === undefined || observed.raw !== raw) observed = { raw, sinceMs: now };
      return now - observed.sinceMs;
    };
    return {
      acquire(holder, ttlMs, onResult: (o: LeaseOutcome) => void) {
        if (kv.pending >= 8) {
          onResult({ outcome: "unavailable" });
          return;
        }
        kv.submit({ kind: "get", key }, (got: KvClientResult) => {
          if (got.kind !== "ok") {
            onResult({ outcome: "unavailable" });
            return;
          }
          const raw = got.outcome.value;
          const current = parseRecord(raw);
          const unchangedForMs = observe(raw);
          let next: LeaseRecord;
          if (current === undefined) next = { holder, epoch: 1, renewals: 0 };
          else if (current.holder === holder) next = { ...current, renewals: current.renewals + 1 };
          else if (unchangedForMs >= ttlMs) next = { holder, epoch: current.epoch + 1, renewals: 0 };
          else {
            onResult({ outcome: "refused", holder: current.holder, epoch: current.epoch });
            return;
          }
          const value = JSON.stringify(next);
          kv.submit({ kind: "cas", key, expected: raw, value }, (set: KvClientResult) => {
            if (set.kind !== "ok") {
              onResult({ outcome: "unavailable" });
              return;
            }
            if (!set.outcome.ok) {
              const now = parseRecord(set.outcome.value);
              observe(set.outcome.value);
              onResult(
                now === undefined
                  ? { outcome: "unavailable" }
                  : { outcome: "refused", holder: now.holder, epoch: now.epoch },
              );
              return;
            }
            observe(value);
            onResult({ outcome: "granted", holder, epoch: next.epoch });
          });
        });
      },
      watch() {
        if (kv.pending > 0) return;
        kv.submit({ kind: "get", key }, (got: KvClientResult) => {
          if (got.kind === "ok") observe(got.outcome.value);
        });
      },
      handle(from, message) {
        if (message.type !== "kv.response") return false;
        kv.onMessage(from, message as RaftNodeMessage);
        return true;
      },
    };
  };
}
