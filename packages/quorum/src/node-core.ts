import type { NodeContext, NodeId } from "@distkit/sim-net";
import type { QuorumSize, ResolvedQuorum } from "./consistency.js";
import { invariant } from "./errors.js";
import type { Json } from "./json.js";
import type { QuorumMessage, ReadRepairMode, WriteMode } from "./messages.js";
import type { PlacementStrategy } from "./placement.js";
import type { VersioningPolicy } from "./versioning.js";

/**
 * Anti-entropy settings: every `intervalMs` a node picks a random peer and compares Merkle trees of
 * depth `depth` over the key range they both replicate, level by level: the root hash first, then the
 * children's hashes of every node that differs; at differing leaves the two exchange (key, version) lists
 * and stream only the keys whose versions differ.
 *
 * @example
 * ```ts
 * import type { AntiEntropyConfig } from "@distkit/quorum";
 * const ae: AntiEntropyConfig = { intervalMs: 1000, depth: 6 };
 * ```
 */
export interface AntiEntropyConfig {
  /** Time between two rounds started by one node. */
  readonly intervalMs: number;
  /** Merkle tree depth (0..16): 2^depth leaves per compared range. */
  readonly depth: number;
}

/**
 * Counters a node keeps about its own work.
 *
 * @example
 * ```ts
 * import type { QuorumNodeStats } from "@distkit/quorum";
 * const streamed = (s: QuorumNodeStats) => s.antiEntropyKeysStreamed;
 * ```
 */
export interface QuorumNodeStats {
  /** Writes this node coordinated (including failed ones). */
  coordinatedWrites: number;
  /** Reads this node coordinated. */
  coordinatedReads: number;
  /** Coordinated writes that timed out before W acks. */
  writeTimeouts: number;
  /** Coordinated reads that timed out before R replies. */
  readTimeouts: number;
  /** Replica writes applied here (including repairs, handoffs, transfers). */
  replicaWrites: number;
  /** Writes stored here as hints for another owner. */
  hintsStored: number;
  /** Hints this node handed off and saw acknowledged. */
  hintsHandedOff: number;
  /**
   * Hints not stored because this node already held `maxHints` hints (the owner then depends on read
   * repair or anti-entropy for that write). A fallback that drops a hint does not acknowledge the write.
   */
  hintsDropped: number;
  /** Two-phase writes: timestamp reads (the first round trip) this node ran. */
  timestampReads: number;
  /** Repair messages sent by read repair. */
  readRepairsSent: number;
  /** Anti-entropy rounds this node started. */
  antiEntropyRounds: number;
  /** Keys this node sent to peers in anti-entropy. */
  antiEntropyKeysStreamed: number;
  /**
   * Merkle tree-node hashes this node sent in anti-entropy (level-by-level exchange: the root, then the
   * children of every node found different). Identical replicas cost one hash per round.
   */
  antiEntropyHashesSent: number;
  /** Tombstones garbage-collected. */
  tombstonesCollected: number;
  /** Keys sent to new owners after membership changes. */
  keysTransferred: number;
  /** Distinct concurrent writes this node's merges discarded (LWW's silent losses). */
  lostWrites: number;
}

/** A new stats record with every counter at zero. */
export function emptyStats(): QuorumNodeStats {
  return {
    coordinatedWrites: 0,
    coordinatedReads: 0,
    writeTimeouts: 0,
    readTimeouts: 0,
    replicaWrites: 0,
    hintsStored: 0,
    hintsHandedOff: 0,
    hintsDropped: 0,
    timestampReads: 0,
    readRepairsSent: 0,
    antiEntropyRounds: 0,
    antiEntropyKeysStreamed: 0,
    antiEntropyHashesSent: 0,
    tombstonesCollected: 0,
    keysTransferred: 0,
    lostWrites: 0,
  };
}

/** The store configuration after validation and defaults (internal). */
export interface NodeSettings {
  readonly defaults: ResolvedQuorum;
  readonly rDefault: QuorumSize;
  readonly wDefault: QuorumSize;
  readonly timeoutMs: number;
  readonly readRepair: ReadRepairMode;
  readonly writeMode: WriteMode;
  readonly sloppyDefault: boolean;
  readonly sloppyFallbackAfterMs: number;
  readonly handoffIntervalMs: number;
  readonly maxHints: number;
  readonly antiEntropy: AntiEntropyConfig | false;
  readonly tombstoneGraceMs: number;
  readonly gcIntervalMs: number;
  readonly syncWrites: boolean;
}

/**
 * What every part of a node shares (internal): the context, the policy, the settings, the counters, the
 * current placement and the request-id generator.
 */
export class NodeCore<S extends Json> {
  readonly stats: QuorumNodeStats = emptyStats();
  /** The current placement (changes with membership). */
  placement: PlacementStrategy;
  /** Request ids, unique across restarts (so a late reply to a dead incarnation never matches a new request). */
  private ridCounter: number;

  constructor(
    readonly ctx: NodeContext<QuorumMessage>,
    readonly policy: VersioningPolicy<S>,
    readonly settings: NodeSettings,
    placement: PlacementStrategy,
  ) {
    this.placement = placement;
    this.ridCounter = nextIncarnation(ctx) * RIDS_PER_INCARNATION + 1;
  }

  /** A fresh request id. */
  nextRid(): number {
    return this.ridCounter++;
  }

  /** This node's id. */
  get id(): NodeId {
    return this.ctx.id;
  }
}

/** Storage key prefixes and bounds shared by the parts of a node. */
export const KV_PREFIX = "kv:";
export const HINT_PREFIX = "hint:";
export const MEMBERS_KEY = "meta:members";
/** Upper bound on hints offered per owner per handoff tick, and on entries per transfer message. */
export const MAX_BATCH = 256;
/** Upper bound on concurrently pending coordinated operations; beyond it requests are rejected. */
export const MAX_PENDING_OPS = 100_000;
/** Default upper bound on hints one node holds for other owners. */
export const DEFAULT_MAX_HINTS = 100_000;

const INCARNATION_KEY = "meta:incarnation";
/** Request ids per incarnation; incarnations up to 2^21 keep ids below 2^53. */
const RIDS_PER_INCARNATION = 2 ** 32;

/** Counts this node's starts in durable storage (synced) and returns the new count. */
export function nextIncarnation(ctx: NodeContext<QuorumMessage>): number {
  const incarnation = (ctx.storage.get<number>(INCARNATION_KEY) ?? 0) + 1;
  invariant(incarnation < 2 ** 21, "fewer than 2^21 restarts of one node");
  ctx.storage.set(INCARNATION_KEY, incarnation);
  ctx.storage.sync();
  return incarnation;
}
