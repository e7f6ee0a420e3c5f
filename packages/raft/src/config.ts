/**
 * Configuration of the Raft protocol core, with defaults and validation.
 * @module
 */
import { RaftError } from "./errors.js";

/**
 * Tunables of the Raft protocol core. Every field is optional; {@link resolveRaftConfig} fills in
 * defaults and validates. Times are in milliseconds of the node's local clock and must be whole
 * multiples of `tickMs` (the core counts logical ticks, like etcd-io/raft).
 *
 * @example
 * ```ts
 * const options: RaftConfig = { electionTimeoutMs: 300, heartbeatIntervalMs: 50, preVote: true };
 * ```
 */
export interface RaftConfig {
  /** Length of one logical tick. Default 10. */
  readonly tickMs?: number;
  /** Base election timeout; the real one is drawn from [base, 2 * base). Default 150. */
  readonly electionTimeoutMs?: number;
  /** Interval between leader heartbeats; must be below the election timeout. Default 50. */
  readonly heartbeatIntervalMs?: number;
  /** Run a pre-vote round before a real election (no term inflation by partitioned nodes). Default true. */
  readonly preVote?: boolean;
  /**
   * A leader steps down when it has not heard from a quorum within an election timeout, and a node
   * that heard from a leader within an election timeout ignores vote requests (leader stickiness).
   * Required for lease reads. Default true.
   */
  readonly checkQuorum?: boolean;
  /** Upper bound on the entry bytes of one append message (at least one entry is sent). Default 1 MiB. */
  readonly maxSizePerMsgBytes?: number;
  /** Maximum number of unacknowledged append messages per follower (pipelining window). Default 256. */
  readonly maxInflightMsgs?: number;
  /** Maximum number of unacknowledged entry bytes per follower. Default 64 MiB. */
  readonly maxInflightBytes?: number;
  /** Proposals are dropped while this many entries are uncommitted. Default 200,000. */
  readonly maxUncommittedEntries?: number;
  /** Bound on the relative clock rate error between nodes, used to shorten leases. Default 0.01. */
  readonly maxClockDriftRatio?: number;
}

/**
 * A validated {@link RaftConfig} with every default filled in, plus the tick counts the core uses.
 *
 * @example
 * ```ts
 * const config: ResolvedRaftConfig = resolveRaftConfig({});
 * console.log(config.electionTicks); // 15
 * ```
 */
export interface ResolvedRaftConfig {
  /** Length of one logical tick in ms. */
  readonly tickMs: number;
  /** Base election timeout in ms. */
  readonly electionTimeoutMs: number;
  /** Heartbeat interval in ms. */
  readonly heartbeatIntervalMs: number;
  /** Base election timeout in ticks. */
  readonly electionTicks: number;
  /** Heartbeat interval in ticks. */
  readonly heartbeatTicks: number;
  /** Whether pre-vote is on. */
  readonly preVote: boolean;
  /** Whether check-quorum and leader stickiness are on. */
  readonly checkQuorum: boolean;
  /** Max entry bytes per append message. */
  readonly maxSizePerMsgBytes: number;
  /** Max in-flight append messages per follower. */
  readonly maxInflightMsgs: number;
  /** Max in-flight entry bytes per follower. */
  readonly maxInflightBytes: number;
  /** Max uncommitted entries before proposals are dropped. */
  readonly maxUncommittedEntries: number;
  /** Clock drift bound used for leases. */
  readonly maxClockDriftRatio: number;
}

const RAFT_CONFIG_KEYS: readonly string[] = [
  "tickMs",
  "electionTimeoutMs",
  "heartbeatIntervalMs",
  "preVote",
  "checkQuorum",
  "maxSizePerMsgBytes",
  "maxInflightMsgs",
  "maxInflightBytes",
  "maxUncommittedEntries",
  "maxClockDriftRatio",
];

/**
 * Throws {@link RaftError} `invalid-config` naming the first key of `options` outside `accepted`
 * and listing the accepted ones (a {@link RaftConfig} key outside `raft` gets a hint). Internal.
 */
export function rejectUnknownKeys(what: string, options: object, accepted: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const hint =
      accepted !== RAFT_CONFIG_KEYS && RAFT_CONFIG_KEYS.includes(key)
        ? ` (${key} is a protocol tunable: pass it inside \`raft: { ${key} }\`)`
        : "";
    throw new RaftError(
      "invalid-config",
      `unknown ${what} key ${JSON.stringify(key)}${hint}; accepted keys: ${accepted.join(", ")}`,
    );
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RaftError("invalid-config", `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function bool(name: string, value: boolean): boolean {
  if (typeof value !== "boolean") {
    throw new RaftError("invalid-config", `${name} must be a boolean, got ${typeof value}`);
  }
  return value;
}

/**
 * Validates a {@link RaftConfig} and fills in defaults.
 *
 * @throws {@link RaftError} with code `invalid-config` when a key is unknown, a field is out of
 * range, a timeout is not a multiple of `tickMs`, or the heartbeat interval is not below the
 * election timeout.
 *
 * @example
 * ```ts
 * const config = resolveRaftConfig({ electionTimeoutMs: 300 });
 * console.log(config.electionTicks); // 30
 * ```
 */
export function resolveRaftConfig(config: RaftConfig = {}): ResolvedRaftConfig {
  if (typeof config !== "object" || config === null) {
    throw new RaftError("invalid-config", "raft config must be an object");
  }
  rejectUnknownKeys("raft config", config, RAFT_CONFIG_KEYS);
  const tickMs = positiveInteger("tickMs", config.tickMs ?? 10);
  const electionTimeoutMs = positiveInteger("electionTimeoutMs", config.electionTimeoutMs ?? 150);
  const heartbeatIntervalMs = positiveInteger("heartbeatIntervalMs", config.heartbeatIntervalMs ?? 50);
  if (electionTimeoutMs % tickMs !== 0 || heartbeatIntervalMs % tickMs !== 0) {
    throw new RaftError(
      "invalid-config",
      `electionTimeoutMs (${electionTimeoutMs}) and heartbeatIntervalMs (${heartbeatIntervalMs}) must be multiples of tickMs (${tickMs})`,
    );
  }
  if (heartbeatIntervalMs >= electionTimeoutMs) {
    throw new RaftError(
      "invalid-config",
      `heartbeatIntervalMs (${heartbeatIntervalMs}) must be below electionTimeoutMs (${electionTimeoutMs})`,
    );
  }
  const electionTicks = electionTimeoutMs / tickMs;
  if (electionTicks < 2) {
    throw new RaftError("invalid-config", `electionTimeoutMs must be at least 2 ticks (${2 * tickMs} ms)`);
  }
  const maxClockDriftRatio = config.maxClockDriftRatio ?? 0.01;
  if (!(typeof maxClockDriftRatio === "number" && maxClockDriftRatio >= 0 && maxClockDriftRatio < 0.5)) {
    throw new RaftError(
      "invalid-config",
      `maxClockDriftRatio must be a number in [0, 0.5), got ${String(maxClockDriftRatio)}`,
    );
  }
  return {
    tickMs,
    electionTimeoutMs,
    heartbeatIntervalMs,
    electionTicks,
    heartbeatTicks: heartbeatIntervalMs / tickMs,
    preVote: bool("preVote", config.preVote ?? true),
    checkQuorum: bool("checkQuorum", config.checkQuorum ?? true),
    maxSizePerMsgBytes: positiveInteger("maxSizePerMsgBytes", config.maxSizePerMsgBytes ?? 1024 * 1024),
    maxInflightMsgs: positiveInteger("maxInflightMsgs", config.maxInflightMsgs ?? 256),
    maxInflightBytes: positiveInteger("maxInflightBytes", config.maxInflightBytes ?? 64 * 1024 * 1024),
    maxUncommittedEntries: positiveInteger("maxUncommittedEntries", config.maxUncommittedEntries ?? 200_000),
    maxClockDriftRatio,
  };
}
