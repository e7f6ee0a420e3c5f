import type { NodeId } from "@distkit/sim-net";
import type { QuorumSize } from "./consistency.js";
import type { Json } from "./json.js";
import type { CausalContext } from "./versioning.js";

/**
 * How a read repairs the replicas it found stale: not at all, in the background after answering the
 * client (`async`), or before answering (`blocking`: the client waits for the repair acknowledgements).
 *
 * @example
 * ```ts
 * import type { ReadRepairMode } from "@distkit/quorum";
 * const mode: ReadRepairMode = "blocking";
 * ```
 */
export type ReadRepairMode = "off" | "async" | "blocking";

/**
 * How a coordinator picks the timestamp of a last-write-wins write.
 *
 * - `one-phase` (default): the coordinator's clock (or the request's `timestampMs`). One round trip
 *   (the write). Under clock skew a write acknowledged after another can get the lower timestamp and be
 *   discarded by every replica, so LWW reads are not linearizable then, even with strict quorums.
 * - `two-phase`: ABD's write. The coordinator first reads the current timestamps of the key from a read
 *   quorum (R replicas), then writes with a timestamp above the greatest one seen (and above its own
 *   clock). Two round trips (read, then write). With R + W > N on the strict preference list, a write that
 *   starts after another was acknowledged always gets a greater timestamp, whatever the clocks say.
 *   Only for policies with timestamps (`lwwPolicy`); DVV and CRDT stores order writes causally and reject it.
 *
 * @example
 * ```ts
 * import type { WriteMode } from "@distkit/quorum";
 * const mode: WriteMode = "two-phase";
 * ```
 */
export type WriteMode = "one-phase" | "two-phase";

/**
 * Per-request settings; each one overrides the store's default.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@distkit/quorum";
 * const opts: RequestOptions = { r: "ONE", timeoutMs: 50 };
 * ```
 */
export interface RequestOptions {
  /** Replication factor for this request (1..cluster size). */
  readonly n?: number;
  /** Read quorum: replies to wait for. */
  readonly r?: QuorumSize;
  /** Write quorum: acknowledgements to wait for. */
  readonly w?: QuorumSize;
  /** How long the coordinator waits for the quorum. */
  readonly timeoutMs?: number;
  /** Use a sloppy quorum (first N healthy nodes of the extended preference list, with hints). */
  readonly sloppy?: boolean;
  /** Read repair for this read. */
  readonly readRepair?: ReadRepairMode;
  /** LWW only: the write timestamp (Cassandra's `USING TIMESTAMP`); default the coordinator's clock. */
  readonly timestampMs?: number;
  /**
   * LWW only: `two-phase` reads the key's timestamps from R replicas before writing above them (ABD; two
   * round trips), `one-phase` writes with the coordinator's clock (one round trip). See {@link WriteMode}.
   */
  readonly writeMode?: WriteMode;
}

/**
 * The outcome of a write (expected failures are values, never exceptions).
 *
 * @example
 * ```ts
 * import type { WriteResult } from "@distkit/quorum";
 * function show(r: WriteResult) { return r.ok ? `acked by ${r.acks}` : `failed: ${r.reason}`; }
 * ```
 */
export type WriteResult =
  | {
      readonly ok: true;
      /** Acknowledgements received when the write was reported (at least W). */
      readonly acks: number;
      /** How many of them came from fallback nodes holding a hint (sloppy quorum). */
      readonly hinted: number;
      /** The coordinator that ran the write. */
      readonly coordinator: NodeId;
    }
  | {
      readonly ok: false;
      /** `timeout`: fewer than W acks in time (the write may still have happened); `rejected`: bad request. */
      readonly reason: "timeout" | "rejected";
      readonly acks: number;
      readonly message: string;
    };

/**
 * The outcome of a read.
 *
 * @example
 * ```ts
 * import type { ReadResult } from "@distkit/quorum";
 * function show(r: ReadResult) { return r.ok ? r.values : r.reason; }
 * ```
 */
export type ReadResult =
  | {
      readonly ok: true;
      /** Live values: one, several siblings (DVV), or none (absent or deleted). */
      readonly values: readonly Json[];
      /** Causal context to pass to the next write of this key. */
      readonly context: CausalContext;
      /** Replies merged into the answer (at least R). */
      readonly replies: number;
      /** Replicas repaired before answering (blocking read repair). */
      readonly repaired: number;
      /** The coordinator that ran the read. */
      readonly coordinator: NodeId;
    }
  | {
      readonly ok: false;
      readonly reason: "timeout" | "rejected";
      readonly replies: number;
      readonly message: string;
    };

/**
 * Every message the quorum store's nodes and clients exchange (a discriminated union on `type`).
 *
 * @example
 * ```ts
 * import type { QuorumMessage } from "@distkit/quorum";
 * function isClientRequest(m: QuorumMessage) { return m.type === "q.put" || m.type === "q.get"; }
 * ```
 */
export type QuorumMessage =
  | {
      readonly type: "q.put";
      readonly reqId: number;
      readonly key: string;
      readonly value: Json;
      readonly deleted: boolean;
      readonly context: CausalContext;
      readonly options: RequestOptions;
    }
  | { readonly type: "q.get"; readonly reqId: number; readonly key: string; readonly options: RequestOptions }
  | { readonly type: "q.putResult"; readonly reqId: number; readonly result: WriteResult }
  | { readonly type: "q.getResult"; readonly reqId: number; readonly result: ReadResult }
  | {
      readonly type: "q.rwrite";
      readonly rid: number;
      readonly key: string;
      readonly state: Json;
      /** The owner this copy is held for (sloppy quorum), or null for a regular replica write. */
      readonly hintFor: NodeId | null;
    }
  | { readonly type: "q.rwriteAck"; readonly rid: number }
  | { readonly type: "q.rread"; readonly rid: number; readonly key: string }
  | { readonly type: "q.rreadReply"; readonly rid: number; readonly state: Json | null }
  | { readonly type: "q.repair"; readonly rid: number; readonly key: string; readonly state: Json }
  | { readonly type: "q.repairAck"; readonly rid: number }
  | { readonly type: "q.hint"; readonly key: string; readonly state: Json; readonly digest: string }
  | { readonly type: "q.hintAck"; readonly key: string; readonly digest: string }
  | {
      readonly type: "q.aeEntries";
      readonly round: number;
      readonly entries: readonly (readonly [string, Json])[];
    }
  | {
      /** Level-by-level anti-entropy: the sender's hashes of tree nodes `nodes` (heap indices). */
      readonly type: "q.aeHashes";
      readonly round: number;
      readonly depth: number;
      readonly nodes: readonly number[];
      readonly hashes: readonly number[];
    }
  | {
      /** Level-by-level anti-entropy: the sender's (key, version digest) lists of the differing leaves. */
      readonly type: "q.aeKeys";
      readonly round: number;
      readonly depth: number;
      readonly leaves: readonly number[];
      readonly keys: readonly (readonly [string, string])[];
    }
  | {
      /** Level-by-level anti-entropy: the differing keys' states the sender holds, and the keys it wants. */
      readonly type: "q.aePull";
      readonly round: number;
      readonly entries: readonly (readonly [string, Json])[];
      readonly want: readonly string[];
    }
  | {
      readonly type: "q.transfer";
      readonly rid: number;
      readonly entries: readonly (readonly [string, Json])[];
    }
  | { readonly type: "q.transferAck"; readonly rid: number }
  | { readonly type: "q.membership"; readonly epoch: number; readonly members: readonly NodeId[] };
