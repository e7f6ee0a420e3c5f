/**
 * The Raft server as a sim-net node: drives a {@link RaftCore} from the node context (timers,
 * durable storage synced before sending, seeded randomness, local clock for leases), replicates any
 * {@link StateMachine} (the {@link KvStore} by default) with exactly-once client sessions, and
 * serves {@link RaftClient}s and {@link KvClient}s.
 * @module
 */
import type { NodeContext, NodeId, SimNode } from "@distkit/sim-net";
import type { KvReply, KvRequest, RaftNodeMessage, SmReply, SmRequest } from "./client-protocol.js";
import { type RaftConfig, rejectUnknownKeys } from "./config.js";
import { invariant, RaftError } from "./errors.js";
import { assertJsonValue, type JsonValue } from "./json.js";
import type { KvCommand, KvOutcome, KvWriteOperation } from "./kv-state-machine.js";
import { validateKvOperation } from "./kv-state-machine.js";
import { type KvQuery, KvStore } from "./kv-store.js";
import type { MembershipChange } from "./membership.js";
import type { HardState, LogEntry, Snapshot } from "./messages.js";
import {
  type ProposeResult,
  RaftCore,
  type RaftStatus,
  type Ready,
  type RecoveredState,
  type TransferResult,
} from "./raft-core.js";
import { SessionTable } from "./sessions.js";
import type {
  ClientSession,
  ProposalData,
  ProposalOutcome,
  ProposeOptions,
  QueryOutcome,
  StateMachine,
} from "./state-machine.js";

/**
 * How the leader serves reads: `readIndex` (a heartbeat round confirms leadership), `lease`
 * (no round while a clock-drift-adjusted lease holds; needs checkQuorum), or `unsafeStale` (serve
 * from local state whenever this node believes it leads: NOT linearizable; for demonstrations).
 *
 * @example
 * ```ts
 * const mode: ReadMode = "lease";
 * ```
 */
export type ReadMode = "readIndex" | "lease" | "unsafeStale";

/**
 * Options of a {@link RaftNode}. Unknown keys are refused (a misplaced `electionTimeoutMs` belongs
 * in `raft`).
 *
 * @typeParam Command - see {@link StateMachine}; inferred from `stateMachine`.
 *
 * @example
 * ```ts
 * const options: RaftNodeOptions = { voters: ["n1", "n2", "n3"], readMode: "readIndex", raft: { electionTimeoutMs: 300 } };
 * ```
 */
export interface RaftNodeOptions<
  Command = KvWriteOperation,
  Result = KvOutcome,
  Query = KvQuery,
  QueryResult = KvOutcome,
> {
  /**
   * Initial voters of the cluster (bootstrap): node ids of the simulation (a voter that is not a
   * node is refused when the node starts). Omit, with `join: true`, for a node added later.
   */
  readonly voters?: readonly NodeId[];
  /** Start with no membership and wait to be added by a membership change. Default false. */
  readonly join?: boolean;
  /** Protocol tunables. */
  readonly raft?: RaftConfig;
  /** Read path. Default "readIndex". */
  readonly readMode?: ReadMode;
  /** Take a snapshot every this many applied entries. Default 1000. */
  readonly snapshotThresholdEntries?: number;
  /** Entries kept in the log before the snapshot index, for lagging followers. Default 100. */
  readonly retainEntries?: number;
  /** Bound on proposals waiting for their result and reads waiting for confirmation. Default 10,000. */
  readonly maxPendingRequests?: number;
  /** Bound on client sessions (least recently used evicted), kept in snapshots. Default 10,000. */
  readonly maxSessions?: number;
  /**
   * Creates an empty instance of the replicated state machine; called at start, on restart and
   * before restoring a snapshot. Default: a {@link KvStore}, served over the KV protocol.
   */
  readonly stateMachine?: () => StateMachine<Command, Result, Query, QueryResult>;
  /**
   * Prefix of every storage key this node writes. Default "raft/". Give each group its own prefix
   * when one sim-net node hosts several Raft groups (e.g. shard replicas) over one storage.
   */
  readonly storageKeyPrefix?: string;
}

const NODE_OPTION_KEYS: readonly string[] = [
  "voters",
  "join",
  "raft",
  "readMode",
  "snapshotThresholdEntries",
  "retainEntries",
  "maxPendingRequests",
  "maxSessions",
  "stateMachine",
  "storageKeyPrefix",
];

interface PendingProposal {
  readonly term: number;
  readonly onResult: (outcome: ProposalOutcome<JsonValue>) => void;
}

interface PendingQuery {
  readonly query: JsonValue;
  readonly respond: (outcome: QueryOutcome<JsonValue>) => void;
  index: number;
}

/** The state machine and sessions as stored in a Raft snapshot. */
interface NodeSnapshotData {
  readonly machine: JsonValue;
  readonly sessions: JsonValue;
}

const MAX_READY_ROUNDS = 64;

/** A run of consecutive entries stored under one key (one per Ready that appended entries). */
interface Segment {
  readonly first: number;
  last: number;
}

/**
 * A Raft server replicating a state machine, implementing the sim-net node contract. By default
 * the state machine is a {@link KvStore} served to {@link KvClient}s; pass `stateMachine` to
 * replicate your own, reached by {@link RaftClient}s or in process through
 * {@link RaftNode.propose} and {@link RaftNode.query}.
 *
 * @example
 * ```ts
 * import { Simulation } from "@distkit/sim-net";
 * const sim = new Simulation({ seed: 1 });
 * const voters = ["n1", "n2", "n3"];
 * for (const id of voters) sim.addNode(id, (ctx) => new RaftNode(ctx, { voters }));
 * sim.runFor(1000);
 * ```
 */
export class RaftNode<
  Command = KvWriteOperation,
  Result = KvOutcome,
  Query = KvQuery,
  QueryResult = KvOutcome,
> implements SimNode<RaftNodeMessage>
{
  /** The protocol core (read its status; drive it through this node). */
  readonly core: RaftCore;
  /** The read path. */
  readonly readMode: ReadMode;
  private sm: StateMachine<Command, Result, Query, QueryResult>;
  private sessions: SessionTable;
  private readonly factory: () => StateMachine<Command, Result, Query, QueryResult>;
  private readonly ctx: NodeContext<RaftNodeMessage>;
  private readonly bootstrapVoters: readonly NodeId[] | undefined;
  private readonly snapshotThreshold: number;
  private readonly retainEntries: number;
  private readonly maxPending: number;
  private readonly maxSessions: number;
  private persistedOffset: number;
  private segments: Segment[] = [];
  private lastSnapshotIndex: number;
  private readonly pendingProposals = new Map<number, PendingProposal>();
  private readonly pendingReads = new Map<number, PendingQuery>();
  private waitingReads: PendingQuery[] = [];
  private nextReadId = 1;
  private inReady = false;
  private readonly keyHardState: string;
  private readonly keySnapshot: string;
  private readonly keyOffset: string;
  private readonly keySegment: string;

  /**
   * Builds the node over `ctx`, recovering durable state from `ctx.storage`.
   *
   * @throws {@link RaftError} `invalid-config` for bad or unknown options.
   */
  constructor(
    ctx: NodeContext<RaftNodeMessage>,
    options: RaftNodeOptions<Command, Result, Query, QueryResult>,
  ) {
    this.ctx = ctx;
    if (typeof options !== "object" || options === null) {
      throw new RaftError("invalid-config", "RaftNode options must be an object");
    }
    rejectUnknownKeys("RaftNode options", options, NODE_OPTION_KEYS);
    const join = options.join ?? false;
    if (!join && (options.voters === undefined || options.voters.length === 0)) {
      throw new RaftError(
        "invalid-config",
        "RaftNode needs `voters` (the initial cluster) unless `join` is true",
      );
    }
    this.bootstrapVoters = join ? undefined : options.voters;
    this.readMode = options.readMode ?? "readIndex";
    if (!["readIndex", "lease", "unsafeStale"].includes(this.readMode)) {
      throw new RaftError(
        "invalid-config",
        `readMode must be "readIndex", "lease" or "unsafeStale", got ${String(this.readMode)}`,
      );
    }
    this.snapshotThreshold = positive("snapshotThresholdEntries", options.snapshotThresholdEntries ?? 1000);
    this.retainEntries = nonNegative("retainEntries", options.retainEntries ?? 100);
    this.maxPending = positive("maxPendingRequests", options.maxPendingRequests ?? 10_000);
    this.maxSessions = positive("maxSessions", options.maxSessions ?? 10_000);
    const factory = options.stateMachine;
    if (factory !== undefined && typeof factory !== "function") {
      throw new RaftError(
        "invalid-config",
        "stateMachine must be a function returning a fresh state machine ({ apply, snapshot, restore, query? })",
      );
    }
    const prefix = options.storageKeyPrefix ?? "raft/";
    if (typeof prefix !== "string") {
      throw new RaftError("invalid-config", `storageKeyPrefix must be a string, got ${typeof prefix}`);
    }
    this.keyHardState = `${prefix}hs`;
    this.keySnapshot = `${prefix}snap`;
    this.keyOffset = `${prefix}offset`;
    this.keySegment = `${prefix}s/`;
    this.factory =
      factory ?? (() => new KvStore() as unknown as StateMachine<Command, Result, Query, QueryResult>);

    const recovered = this.recover();
    this.core = new RaftCore({
      id: ctx.id,
      ...(join || options.voters === undefined ? {} : { bootstrapVoters: options.voters }),
      ...(options.raft === undefined ? {} : { config: options.raft }),
      random: ctx.random,
      now: () => ctx.now(),
      recovered,
    });
    if (this.readMode === "lease" && !this.core.config.checkQuorum) {
      throw new RaftError("invalid-config", 'readMode "lease" requires raft.checkQuorum = true');
    }
    this.sm = this.newMachine();
    this.sessions = new SessionTable(this.maxSessions);
    if (recovered.snapshot !== null) this.restoreSnapshot(recovered.snapshot.data);
    this.persistedOffset = recovered.logOffset.index;
    this.lastSnapshotIndex = recovered.snapshot?.index ?? 0;
  }

  private segmentKey(first: number): string {
    return this.keySegment + first;
  }

  private newMachine(): StateMachine<Command, Result, Query, QueryResult> {
    const sm = this.factory();
    const m = sm as unknown as Record<string, unknown> | null;
    if (
      typeof m !== "object" ||
      m === null ||
      typeof m.apply !== "function" ||
      typeof m.snapshot !== "function" ||
      typeof m.restore !== "function"
    ) {
      throw new RaftError(
        "invalid-config",
        "stateMachine() must return an object with apply(command, index), snapshot() and restore(snapshot) methods (query optional)",
      );
    }
    return sm;
  }

  private restoreSnapshot(data: unknown): void {
    const d = data as NodeSnapshotData | null;
    if (typeof d !== "object" || d === null || !("machine" in d) || !Array.isArray(d.sessions)) {
      throw new RaftError("corrupt-storage", "raft snapshot data must be { machine, sessions: [...] }");
    }
    const sm = this.newMachine();
    sm.restore(d.machine);
    this.sm = sm;
    this.sessions = SessionTable.fromSnapshot(d.sessions, this.maxSessions);
  }

  private recover(): RecoveredState {
    const s = this.ctx.storage;
    const hardState = s.get<HardState>(this.keyHardState) ?? { term: 0, vote: null, commit: 0 };
    const snapshot = s.get<Snapshot>(this.keySnapshot) ?? null;
    const logOffset = s.get<{ index: number; term: number }>(this.keyOffset) ?? { index: 0, term: 0 };
    const found: { first: number; entries: LogEntry[] }[] = [];
    for (const key of s.keys(this.keySegment)) {
      const first = Number(key.slice(this.keySegment.length));
      const seg = s.get<LogEntry[]>(key);
      if (
        !Number.isSafeInteger(first) ||
        !Array.isArray(seg) ||
        seg.length === 0 ||
        seg[0]!.index !== first
      ) {
        throw new RaftError("corrupt-storage", `log segment ${key} is malformed`);
      }
      found.push({ first, entries: seg });
    }
    found.sort((a, b) => a.first - b.first);
    const entries: LogEntry[] = [];
    for (const seg of found) {
      const last = seg.first + seg.entries.length - 1;
      this.segments.push({ first: seg.first, last });
      for (const e of seg.entries) {
        if (e.index <= logOffset.index) continue;
        if (e.index !== logOffset.index + entries.length + 1) {
          throw new RaftError("corrupt-storage", `log segments are not contiguous at index ${e.index}`);
        }
        entries.push(e);
      }
    }
    if (hardState.commit > logOffset.index + entries.length && hardState.commit > (snapshot?.index ?? 0)) {
      throw new RaftError("corrupt-storage", `commit index ${hardState.commit} is beyond the stored log`);
    }
    return { hardState, snapshot, logOffset, entries };
  }

  /**
   * The replicated state machine (read-only use: change it only through proposals). A new instance
   * replaces it when a snapshot from the leader is installed.
   */
  get stateMachine(): StateMachine<Command, Result, Query, QueryResult> {
    return this.sm;
  }

  /**
   * The replicated key-value store, when the state machine is the built-in {@link KvStore}.
   *
   * @throws {@link RaftError} `invalid-argument` when the node runs another state machine.
   */
  get kv(): KvStore {
    if (!(this.sm instanceof KvStore)) {
      throw new RaftError(
        "invalid-argument",
        "this RaftNode runs a custom state machine: use node.stateMachine",
      );
    }
    return this.sm;
  }

  /** Status of the core (role, term, indexes, progress, metrics). */
  status(): RaftStatus {
    return this.core.status();
  }

  /**
   * Starts ticking and flushes recovered state.
   *
   * @throws {@link RaftError} `invalid-config` when a bootstrap voter is not a node of the
   * simulation (`ctx.peers` and this node), e.g. a typo in `voters`.
   */
  onStart(): void {
    if (this.bootstrapVoters !== undefined) {
      const peers = this.ctx.peers;
      for (const v of this.bootstrapVoters) {
        if (v !== this.ctx.id && !peers.includes(v)) {
          throw new RaftError(
            "invalid-config",
            `voter ${JSON.stringify(v)} of node ${this.ctx.id} is not a node of the simulation (neither this node nor one of ctx.peers); voters must be node ids, the nodes are: ${[this.ctx.id, ...peers].sort().join(", ")}`,
          );
        }
      }
    }
    this.scheduleTick();
    this.processReady();
  }

  /** Handles a Raft or client message. */
  onMessage(from: NodeId, message: RaftNodeMessage): void {
    if (message.type === "kv.request") this.handleKvRequest(from, message);
    else if (message.type === "sm.request") this.handleSmRequest(from, message);
    else if (message.type === "kv.response" || message.type === "sm.response") return;
    else this.core.step(from, message);
    this.processReady();
  }

  /**
   * Proposes a command (as the leader), in process. Returns where it was appended (or why not);
   * `options.onResult` is called once the index is applied on this node, with the state machine's
   * result (or why it did not take effect). `options.session` makes retries apply exactly once.
   *
   * @throws {@link RaftError} `invalid-argument` when the command is not JSON or the session is malformed.
   * @example
   * ```ts
   * declare const node: RaftNode<{ add: number }, number, null, number>;
   * const r = node.propose({ add: 2 }, { onResult: (o) => { if (o.kind === "applied") console.log(o.index, o.result); } });
   * if (r.kind === "notLeader") console.log("ask", r.leaderHint);
   * ```
   */
  propose(command: Command, options: ProposeOptions<Result> = {}): ProposeResult {
    assertJsonValue(command, "command");
    const session = options.session;
    if (session !== undefined) validateSession(session);
    const onResult = options.onResult as ((o: ProposalOutcome<JsonValue>) => void) | undefined;
    if (onResult !== undefined && typeof onResult !== "function") {
      throw new RaftError("invalid-argument", "onResult must be a function");
    }
    if (onResult !== undefined && this.pendingProposals.size >= this.maxPending) {
      return { kind: "dropped", reason: "overloaded" };
    }
    const data: ProposalData =
      session === undefined ? { command } : { command, clientId: session.clientId, seq: session.seq };
    const r = this.core.propose(data);
    if (r.kind === "ok" && onResult !== undefined)
      this.pendingProposals.set(r.index, { term: r.term, onResult });
    this.processReady();
    return r;
  }

  /**
   * Runs a read-only query (as the leader), in process: it is answered from the state machine once
   * leadership is confirmed (ReadIndex round or lease, per `readMode`) and the confirmed index is
   * applied, so the answer is linearizable (except in `unsafeStale` mode). `onResult` may be called
   * before `query` returns (refusals, `unsafeStale`).
   *
   * @throws {@link RaftError} `invalid-argument` when the query is not JSON or the state machine has no `query`.
   * @example
   * ```ts
   * declare const node: RaftNode<{ add: number }, number, null, number>;
   * node.query(null, (o) => { if (o.kind === "ok") console.log("total", o.result, "as of", o.index); });
   * ```
   */
  query(query: Query, onResult: (outcome: QueryOutcome<QueryResult>) => void): void {
    assertJsonValue(query, "query");
    if (typeof this.sm.query !== "function") {
      throw new RaftError("invalid-argument", "this state machine has no query method");
    }
    if (typeof onResult !== "function")
      throw new RaftError("invalid-argument", "onResult must be a function");
    this.startQuery(query, onResult as (o: QueryOutcome<JsonValue>) => void);
    this.processReady();
  }

  /**
   * Proposes a key-value command directly (as the leader), deduplicated by its (clientId, seq).
   * For benchmarks and tests of the built-in KV store.
   *
   * @throws {@link RaftError} `invalid-argument` when the node runs a custom state machine.
   */
  proposeCommand(command: KvCommand): ProposeResult {
    const r = this.proposeKv(command);
    this.processReady();
    return r;
  }

  /** Proposes many key-value commands in one batch (one flush); returns how many were accepted. */
  proposeCommands(commands: readonly KvCommand[]): number {
    let accepted = 0;
    for (const c of commands) if (this.proposeKv(c).kind === "ok") accepted++;
    this.processReady();
    return accepted;
  }

  private proposeKv(c: KvCommand): ProposeResult {
    if (!(this.sm instanceof KvStore)) {
      throw new RaftError(
        "invalid-argument",
        "proposeCommand needs the built-in KV state machine: use propose()",
      );
    }
    const data: ProposalData = { command: c.op as unknown as JsonValue, clientId: c.clientId, seq: c.seq };
    return this.core.propose(data, commandSize(c));
  }

  /**
   * Proposes a membership change (joint consensus).
   *
   * @throws {@link RaftError} `invalid-argument` for a malformed change or a member that is not a
   * node of the simulation.
   */
  proposeMembership(change: MembershipChange): ProposeResult {
    if (typeof change === "object" && change !== null) {
      const peers = this.ctx.peers;
      for (const id of [...(Array.isArray(change.voters) ? change.voters : []), ...(change.learners ?? [])]) {
        if (id !== this.ctx.id && !peers.includes(id)) {
          throw new RaftError(
            "invalid-argument",
            `member ${JSON.stringify(id)} is not a node of the simulation; the nodes are: ${[this.ctx.id, ...peers].sort().join(", ")}`,
          );
        }
      }
    }
    const r = this.core.proposeMembership(change);
    this.processReady();
    return r;
  }

  /** Starts a leadership transfer to `to`. */
  transferLeadership(to: NodeId): TransferResult {
    const r = this.core.transferLeadership(to);
    this.processReady();
    return r;
  }

  /** Starts an election now. */
  campaign(): void {
    this.core.campaign();
    this.processReady();
  }

  private scheduleTick(): void {
    this.ctx.setTimer(
      this.core.config.tickMs,
      () => {
        this.core.tick();
        this.processReady();
        this.scheduleTick();
      },
      "tick",
    );
  }

  // ---------------------------------------------------------------- client requests

  private handleKvRequest(from: NodeId, req: KvRequest): void {
    const reply = (r: KvReply) =>
      this.ctx.send(from, { type: "kv.response", clientId: req.clientId, seq: req.seq, reply: r });
    let op: ReturnType<typeof validateKvOperation>;
    try {
      op = validateKvOperation(req.op);
      if (typeof req.clientId !== "string" || !Number.isSafeInteger(req.seq)) {
        throw new RaftError("invalid-argument", "kv request needs a string clientId and an integer seq");
      }
    } catch (e) {
      reply({ kind: "unavailable", reason: e instanceof Error ? e.message : "invalid request" });
      return;
    }
    if (!(this.sm instanceof KvStore)) {
      reply({
        kind: "unavailable",
        reason: "this node runs a custom state machine: use RaftClient (sm.request)",
      });
      return;
    }
    if (this.core.currentRole !== "leader") {
      reply({ kind: "notLeader", leaderHint: this.core.leaderId });
      return;
    }
    if (op.kind === "get") {
      this.startQuery(op as unknown as JsonValue, (o) => {
        if (o.kind === "ok") reply({ kind: "ok", outcome: o.result as unknown as KvOutcome });
        else if (o.kind === "notLeader") reply({ kind: "notLeader", leaderHint: o.leaderHint });
        else reply({ kind: "unavailable", reason: o.reason });
      });
      return;
    }
    const look = this.sessions.lookup(req.clientId, req.seq);
    if (look.kind === "duplicate") {
      reply({ kind: "ok", outcome: look.result as unknown as KvOutcome });
      return;
    }
    if (look.kind === "stale") {
      reply({ kind: "ok", outcome: { ok: false, value: null } });
      return;
    }
    if (this.pendingProposals.size >= this.maxPending) {
      reply({ kind: "unavailable", reason: "too many pending writes" });
      return;
    }
    const r = this.proposeKv({ clientId: req.clientId, seq: req.seq, op });
    if (r.kind === "ok") {
      this.pendingProposals.set(r.index, {
        term: r.term,
        onResult: (o) => {
          if (o.kind === "applied") reply({ kind: "ok", outcome: o.result as unknown as KvOutcome });
          // Superseded or covered by a snapshot: the client retries with the same seq.
        },
      });
    } else if (r.kind === "notLeader") reply({ kind: "notLeader", leaderHint: r.leaderHint });
    else reply({ kind: "unavailable", reason: r.reason });
  }

  private handleSmRequest(from: NodeId, req: SmRequest): void {
    const reply = (r: SmReply) =>
      this.ctx.send(from, { type: "sm.response", clientId: req.clientId, seq: req.seq, reply: r });
    const request = req.request as SmRequest["request"] | null;
    if (
      typeof req.clientId !== "string" ||
      !Number.isSafeInteger(req.seq) ||
      req.seq <= 0 ||
      typeof request !== "object" ||
      request === null ||
      (request.kind !== "propose" && request.kind !== "query")
    ) {
      reply({
        kind: "rejected",
        reason:
          'malformed request; accepted: {clientId: string, seq: positive integer, request: {kind: "propose", command} | {kind: "query", query}}',
      });
      return;
    }
    if (this.core.currentRole !== "leader") {
      reply({ kind: "notLeader", leaderHint: this.core.leaderId });
      return;
    }
    if (request.kind === "query") {
      let query: JsonValue;
      try {
        assertJsonValue(request.query, "query");
        if (typeof this.sm.query !== "function") {
          throw new RaftError("invalid-argument", "this state machine answers no queries");
        }
        query = (this.sm.validateQuery?.(request.query) ?? request.query) as JsonValue;
      } catch (e) {
        reply({ kind: "rejected", reason: e instanceof Error ? e.message : "invalid query" });
        return;
      }
      this.startQuery(query, (o) => {
        if (o.kind === "ok") reply({ kind: "ok", index: o.index, result: o.result });
        else if (o.kind === "notLeader") reply({ kind: "notLeader", leaderHint: o.leaderHint });
        else reply({ kind: "unavailable", reason: o.reason });
      });
      return;
    }
    let command: JsonValue;
    try {
      assertJsonValue(request.command, "command");
      command = (this.sm.validateCommand?.(request.command) ?? request.command) as JsonValue;
    } catch (e) {
      reply({ kind: "rejected", reason: e instanceof Error ? e.message : "invalid command" });
      return;
    }
    const look = this.sessions.lookup(req.clientId, req.seq);
    if (look.kind === "duplicate") {
      reply({ kind: "ok", index: look.index, result: look.result });
      return;
    }
    if (look.kind === "stale") {
      reply({ kind: "rejected", reason: `seq ${req.seq} is older than the session's latest` });
      return;
    }
    if (this.pendingProposals.size >= this.maxPending) {
      reply({ kind: "unavailable", reason: "too many pending proposals" });
      return;
    }
    const r = this.core.propose({ command, clientId: req.clientId, seq: req.seq });
    if (r.kind === "ok") {
      this.pendingProposals.set(r.index, {
        term: r.term,
        onResult: (o) => {
          if (o.kind === "applied") reply({ kind: "ok", index: o.index, result: o.result });
          else if (o.kind === "notApplied" && o.reason === "superseded") {
            reply({ kind: "unavailable", reason: "the entry was replaced by a new leader" });
          }
          // staleSession: the client moved on; unknown: the retry is answered from the session.
        },
      });
    } else if (r.kind === "notLeader") reply({ kind: "notLeader", leaderHint: r.leaderHint });
    else reply({ kind: "unavailable", reason: r.reason });
  }

  private startQuery(query: JsonValue, respond: (o: QueryOutcome<JsonValue>) => void): void {
    if (this.core.currentRole !== "leader") {
      respond({ kind: "notLeader", leaderHint: this.core.leaderId });
      return;
    }
    if (this.readMode === "unsafeStale") {
      respond({ kind: "ok", index: this.core.appliedIndex, result: this.runQuery(query) });
      return;
    }
    if (this.pendingReads.size + this.waitingReads.length >= this.maxPending) {
      respond({ kind: "dropped", reason: "overloaded" });
      return;
    }
    const id = this.nextReadId++;
    const r = this.core.readIndex(id, this.readMode === "lease");
    if (r.kind === "pending") this.pendingReads.set(id, { query, respond, index: 0 });
    else if (r.kind === "notLeader") respond({ kind: "notLeader", leaderHint: r.leaderHint });
    else respond({ kind: "dropped", reason: r.reason });
  }

  private runQuery(query: JsonValue): JsonValue {
    const q = this.sm.query;
    invariant(typeof q === "function", "queries are only started on machines with query()");
    return q.call(this.sm, query as unknown as Query) as unknown as JsonValue;
  }

  // ---------------------------------------------------------------- the Ready loop

  /** Persists, syncs, sends, applies: the Ready loop (not re-entered from result callbacks). */
  private processReady(): void {
    if (this.inReady) return;
    this.inReady = true;
    try {
      for (let round = 0; round < MAX_READY_ROUNDS && this.core.hasReady(); round++) {
        const rd = this.core.ready();
        this.persist(rd);
        for (const m of rd.messages) this.ctx.send(m.to, m.message);
        if (rd.snapshot !== null) {
          this.restoreSnapshot(rd.snapshot.data);
          this.lastSnapshotIndex = rd.snapshot.index;
          // Proposals covered by the snapshot can no longer be matched to their entries.
          for (const [index, p] of this.pendingProposals) {
            if (index > rd.snapshot.index) continue;
            this.pendingProposals.delete(index);
            p.onResult({ kind: "unknown", index, reason: "snapshot" });
          }
        }
        for (const e of rd.committedEntries) this.apply(e);
        this.core.advance(rd);
        for (const rs of rd.readStates) {
          const pr = this.pendingReads.get(rs.requestId);
          if (pr === undefined) continue;
          this.pendingReads.delete(rs.requestId);
          pr.index = rs.index;
          this.waitingReads.push(pr);
        }
        this.serveReads();
        this.maybeSnapshot();
      }
      if (
        this.core.currentRole !== "leader" &&
        (this.pendingReads.size > 0 || this.waitingReads.length > 0)
      ) {
        const hint = this.core.leaderId;
        const dropped = [...this.pendingReads.values(), ...this.waitingReads];
        this.pendingReads.clear();
        this.waitingReads = [];
        for (const pr of dropped) pr.respond({ kind: "notLeader", leaderHint: hint });
      }
    } finally {
      this.inReady = false;
    }
  }

  private persist(rd: Ready): void {
    const s = this.ctx.storage;
    let dirty = false;
    if (rd.snapshot !== null) {
      s.set(this.keySnapshot, rd.snapshot);
      dirty = true;
    }
    if (rd.logOffset.index !== this.persistedOffset) {
      // Compaction or snapshot install: drop segments wholly at or below the new offset.
      let drop = 0;
      while (drop < this.segments.length && this.segments[drop]!.last <= rd.logOffset.index) {
        s.delete(this.segmentKey(this.segments[drop]!.first));
        drop++;
      }
      if (drop > 0) this.segments = this.segments.slice(drop);
      s.set(this.keyOffset, rd.logOffset);
      this.persistedOffset = rd.logOffset.index;
      dirty = true;
    }
    // Entries beyond the new end (truncated by a new leader, or replaced below) are removed.
    const keepUpTo = rd.entries.length > 0 ? rd.entries[0]!.index - 1 : rd.lastIndex;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      if (seg.last <= keepUpTo) break;
      if (seg.first > keepUpTo) {
        s.delete(this.segmentKey(seg.first));
        this.segments.pop();
      } else {
        const kept = s.get<LogEntry[]>(this.segmentKey(seg.first))!.slice(0, keepUpTo - seg.first + 1);
        s.set(this.segmentKey(seg.first), kept);
        seg.last = keepUpTo;
      }
      dirty = true;
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      s.set(this.segmentKey(first), rd.entries);
      this.segments.push({ first, last: first + rd.entries.length - 1 });
      dirty = true;
    }
    invariant(
      this.segments.length === 0 ||
        this.segments[this.segments.length - 1]!.last === rd.lastIndex ||
        rd.lastIndex <= this.persistedOffset,
      "persisted log ends at the core's last index",
    );
    if (rd.hardState !== null) {
      s.set(this.keyHardState, rd.hardState);
      dirty = true;
    }
    if (dirty) s.sync();
  }

  /** Applies one committed entry: sessions first, then the state machine; answers its proposer. */
  private apply(e: LogEntry): void {
    const pending = this.pendingProposals.get(e.index);
    if (pending !== undefined) this.pendingProposals.delete(e.index);
    if (e.kind !== "normal") {
      pending?.onResult({ kind: "notApplied", index: e.index, reason: "superseded" });
      return;
    }
    const p = e.data as ProposalData;
    let outcome: ProposalOutcome<JsonValue>;
    if (p.clientId !== undefined && p.seq !== undefined) {
      const look = this.sessions.lookup(p.clientId, p.seq);
      if (look.kind === "duplicate") {
        outcome = { kind: "applied", index: look.index, result: look.result, duplicate: true };
      } else if (look.kind === "stale") {
        outcome = { kind: "notApplied", index: e.index, reason: "staleSession" };
      } else {
        const result = this.sm.apply(p.command as unknown as Command, e.index) as unknown as JsonValue;
        this.sessions.record(p.clientId, p.seq, e.index, result);
        outcome = { kind: "applied", index: e.index, result, duplicate: false };
      }
    } else {
      const result = this.sm.apply(p.command as unknown as Command, e.index) as unknown as JsonValue;
      outcome = { kind: "applied", index: e.index, result, duplicate: false };
    }
    if (pending === undefined) return;
    if (pending.term === e.term) pending.onResult(outcome);
    else pending.onResult({ kind: "notApplied", index: e.index, reason: "superseded" });
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const applied = this.core.appliedIndex;
    const still: PendingQuery[] = [];
    const ready: PendingQuery[] = [];
    for (const pr of this.waitingReads) (pr.index > applied ? still : ready).push(pr);
    this.waitingReads = still;
    for (const pr of ready) pr.respond({ kind: "ok", index: pr.index, result: this.runQuery(pr.query) });
  }

  private maybeSnapshot(): void {
    const applied = this.core.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.snapshotThreshold) return;
    const machine = this.sm.snapshot();
    assertJsonValue(machine, "stateMachine.snapshot()");
    const data: NodeSnapshotData = { machine, sessions: this.sessions.toSnapshot() as unknown as JsonValue };
    const snap = this.core.createSnapshot(applied, data, this.retainEntries);
    this.lastSnapshotIndex = applied;
    this.ctx.storage.set(this.keySnapshot, snap);
    this.ctx.storage.sync();
  }
}

function commandSize(c: KvCommand): number {
  const op = c.op;
  let size = 24 + c.clientId.length + op.key.length;
  if (op.kind === "put" || op.kind === "append") size += op.value.length;
  else if (op.kind === "cas") size += op.value.length + (op.expected?.length ?? 0);
  return size;
}

function validateSession(session: ClientSession): void {
  if (
    typeof session !== "object" ||
    session === null ||
    typeof session.clientId !== "string" ||
    session.clientId.length === 0 ||
    !Number.isSafeInteger(session.seq) ||
    session.seq <= 0
  ) {
    throw new RaftError(
      "invalid-argument",
      "session must be { clientId: non-empty string, seq: positive integer }",
    );
  }
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RaftError("invalid-config", `${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RaftError("invalid-config", `${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}
