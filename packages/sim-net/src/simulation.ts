/**
 * The deterministic discrete-event simulator.
 *
 * @module
 */
import { type ClockConfig, NodeClock, validateClockConfig } from "./clock.js";
import type { Message, NodeContext, NodeFactory, NodeId, SimNode, TimerId } from "./contract.js";
import {
  EventStormError,
  SimNetError,
  assertNonNegative,
  assertPositiveInteger,
  assertProbability,
  invariant,
} from "./errors.js";
import { EventQueue } from "./event-queue.js";
import { type FaultEvent, type FaultSchedule, validateFaultEvent } from "./fault-schedule.js";
import { type CompiledSampler, compileLatency } from "./latency.js";
import {
  DEFAULT_LINK_CONFIG,
  type LinkConfig,
  linkConfigToJSON,
  mergeLinkConfig,
  validateLinkConfig,
} from "./link-config.js";
import { SeededRandom, deriveSeed } from "./random.js";
import { LatencyHistogram, type LinkStats, type NodeStats, type SimStats } from "./stats.js";
import { SimStorage, StorageView } from "./storage.js";
import { Trace, type TraceMode, stableStringify } from "./trace.js";
import type { DropReason, TraceEvent } from "./trace-event.js";

/**
 * Options of a {@link Simulation}.
 *
 * @example
 * ```ts
 * const options: SimulationOptions = {
 *   seed: 42,
 *   network: { latency: { kind: "uniform", minMs: 1, maxMs: 5 }, lossRate: 0.01 },
 *   trace: "full",
 * };
 * ```
 */
export interface SimulationOptions {
  /** Seed of every random stream (a safe integer). Same seed and code, same run. */
  readonly seed: number;
  /** Network-wide link config (fields not given take {@link DEFAULT_LINK_CONFIG}'s values). */
  readonly network?: Partial<LinkConfig>;
  /** What to record; default `"full"`. Use `"off"` for speed, `"digest"` for long determinism checks. */
  readonly trace?: TraceMode;
  /** Bound on events processed by one run call (`runFor`, `runUntil`, `run`); default 50,000,000. */
  readonly maxEventsPerRun?: number;
  /** Bound on pending events in the queue; default 20,000,000. */
  readonly maxPendingEvents?: number;
  /** Bound on events kept by a `"full"` trace (later events are digested, not kept); default 1,000,000. */
  readonly maxTraceEvents?: number;
  /** Bound on messages a clogged link holds; beyond it they are dropped (`"clogged"`); default 100,000. */
  readonly maxHeldPerLink?: number;
  /**
   * When true, every message is deep-frozen when sent, so a node that mutates a message after sending
   * it (or one it received) fails loudly instead of corrupting the run; default false (it costs time).
   */
  readonly freezeMessages?: boolean;
}

/**
 * Options of {@link Simulation.addNode}.
 *
 * @example
 * ```ts
 * sim.addNode("n1", factory, { clock: { offsetMs: -20, driftPpm: 50 }, lostSyncRate: 0.01 });
 * ```
 */
export interface NodeOptions {
  /** The node's clock (default offset 0, drift 0). */
  readonly clock?: Partial<ClockConfig>;
  /** Probability in [0, 1] that a `storage.sync()` silently does not persist; default 0. */
  readonly lostSyncRate?: number;
}

/**
 * Options of a bounded run call.
 *
 * @example
 * ```ts
 * sim.runFor(60_000, { maxEvents: 1_000_000 });
 * ```
 */
export interface RunOptions {
  /** Bound on events this call may process; exceeding it throws {@link EventStormError}. */
  readonly maxEvents?: number;
}

/**
 * Options of {@link Simulation.runUntil}.
 *
 * @example
 * ```ts
 * const elected = sim.runUntil(() => leaderOf(sim) !== undefined, { timeoutMs: 5000 });
 * ```
 */
export interface RunUntilOptions extends RunOptions {
  /** Give up after this much true time (ms); default: no time limit (the event bound still applies). */
  readonly timeoutMs?: number;
}

/**
 * Status of a node.
 *
 * @example
 * ```ts
 * if (sim.node("n1").status === "crashed") sim.restart("n1");
 * ```
 */
export type NodeStatus = "up" | "crashed" | "paused";

/**
 * Options of {@link Simulation.crash}.
 *
 * @example
 * ```ts
 * sim.crash("n1", { tornWrites: true });
 * ```
 */
export interface CrashOptions {
  /** When true, a random prefix of the unsynced writes survives the crash (a torn write). */
  readonly tornWrites?: boolean;
}

/**
 * A handle on a node of the simulation.
 *
 * @example
 * ```ts
 * const ref = sim.addNode("n1", (ctx) => new Counter(ctx));
 * sim.runFor(100);
 * console.log(ref.status, ref.instance.count);
 * ```
 */
export interface NodeRef<N = SimNode> {
  /** The node id. */
  readonly id: NodeId;
  /** The current instance (replaced on restart; after a crash, the dead instance until restart). */
  readonly instance: N;
  /** Whether the node is up, crashed or paused. */
  readonly status: NodeStatus;
  /** The node's local clock reading now (ms). */
  readonly localTimeMs: number;
  /** A sorted snapshot of what this node's disk holds durably (survives a crash). */
  durableEntries(): [string, unknown][];
}

/**
 * A listener called after every processed event, with that event (see {@link Simulation.onEvent}).
 *
 * @example
 * ```ts
 * const listener: EventListener = (event) => {
 *   if (event.kind === "deliver") assertAtMostOneLeader();
 * };
 * ```
 */
export type EventListener = (event: TraceEvent) => void;

const K_DELIVER = 0;
const K_TIMER = 1;
const K_START = 2;
const K_ACTION = 3;

/** A queued event. One class, one shape: keeps the hot path monomorphic. */
class QueuedEvent {
  cancelled = false;
  atMs = 0;
  constructor(
    readonly kind: number,
    public node: NodeState | null,
    public link: LinkState | null,
    public message: Message | null,
    public msgId: number,
    public sentAtMs: number,
    readonly incarnation: number,
    readonly callback: (() => void) | null,
    readonly label: string | null,
  ) {}
}

/** Freezes `value` and everything reachable from it (to a bounded depth). */
function deepFreeze(value: unknown, depth: number): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value) || depth > 64) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], depth + 1);
}

/** Bound on recycled delivery events kept for reuse. */
const POOL_SIZE = 4096;

class LinkState {
  override: Partial<LinkConfig> | null = null;
  overrideSampler: CompiledSampler | null = null;
  version = -1;
  lossRate = 0;
  duplicateRate = 0;
  fifo = false;
  clogged = false;
  sample: CompiledSampler;
  lastDeliverAtMs = Number.NEGATIVE_INFINITY;
  blocked = false;
  held: QueuedEvent[] = [];
  sent = 0;
  delivered = 0;
  dropped = 0;
  duplicated = 0;
  constructor(
    readonly from: NodeState,
    readonly to: NodeState,
    readonly random: SeededRandom,
    sample: CompiledSampler,
  ) {
    this.sample = sample;
  }
}

class NodeState {
  status: NodeStatus = "up";
  incarnation = 0;
  instance: SimNode<Message> | null = null;
  timers = new Map<number, QueuedEvent>();
  held: QueuedEvent[] = [];
  outLinks: (LinkState | undefined)[] = [];
  peersCache: readonly NodeId[] = [];
  peersVersion = -1;
  sent = 0;
  received = 0;
  dropped = 0;
  timersFired = 0;
  crashes = 0;
  constructor(
    readonly id: NodeId,
    readonly index: number,
    readonly factory: NodeFactory<Message, SimNode<Message>>,
    readonly random: SeededRandom,
    readonly storage: SimStorage,
    readonly clock: NodeClock,
  ) {}
}

class NodeContextImpl implements NodeContext<Message> {
  readonly random: SeededRandom;
  readonly storage: StorageView;
  constructor(
    private readonly sim: Simulation,
    private readonly state: NodeState,
    private readonly incarnation: number,
  ) {
    this.random = state.random;
    this.storage = new StorageView(state.storage, () => this.alive());
  }
  get id(): NodeId {
    return this.state.id;
  }
  get peers(): readonly NodeId[] {
    return this.sim._peersOf(this.state);
  }
  alive(): boolean {
    return this.incarnation === this.state.incarnation && this.state.status !== "crashed";
  }
  now(): number {
    return this.state.clock.localAt(this.sim.nowMs);
  }
  send(to: NodeId, message: Message): void {
    if (this.incarnation === this.state.incarnation && this.state.status !== "crashed") {
      this.sim._send(this.state, to, message);
    }
  }
  setTimer(delayMs: number, onFire: () => void, label?: string): TimerId {
    return this.sim._setTimer(this.state, this.incarnation, delayMs, onFire, label);
  }
  cancelTimer(timer: TimerId): void {
    const ev = this.state.timers.get(timer);
    if (ev !== undefined && ev.incarnation === this.incarnation) {
      ev.cancelled = true;
      this.state.timers.delete(timer);
      this.sim._timerCancelled(1);
    }
  }
  log(text: string, data?: unknown): void {
    if (this.alive()) this.sim._log(this.state, text, data);
  }
}

class NodeRefImpl<N> implements NodeRef<N> {
  constructor(
    private readonly sim: Simulation,
    private readonly state: NodeState,
  ) {}
  get id(): NodeId {
    return this.state.id;
  }
  get instance(): N {
    return this.sim._instanceOf(this.state) as N;
  }
  get status(): NodeStatus {
    return this.state.status;
  }
  get localTimeMs(): number {
    return this.state.clock.localAt(this.sim.nowMs);
  }
  durableEntries(): [string, unknown][] {
    return this.state.storage.durableEntries();
  }
}

/**
 * A deterministic discrete-event simulation of nodes on a network. One thread, one event queue ordered
 * by (time, sequence number); virtual time in ms; every random choice drawn from streams derived from
 * the seed, so the same seed and code give the same run (check it with `trace.digest()`).
 *
 * @example
 * ```ts
 * import { Simulation, type NodeContext, type Message } from "@distkit/sim-net";
 *
 * type Ping = { readonly type: "ping"; readonly n: number };
 * const sim = new Simulation({ seed: 42, network: { latency: { kind: "uniform", minMs: 1, maxMs: 3 } } });
 * sim.addNode("a", (ctx: NodeContext<Ping>) => ({
 *   onStart: () => ctx.send("b", { type: "ping", n: 0 }),
 *   onMessage: (from, m) => { if (m.n < 10) ctx.send(from, { type: "ping", n: m.n + 1 }); },
 * }));
 * sim.addNode("b", (ctx: NodeContext<Ping>) => ({
 *   onMessage: (from, m) => ctx.send(from, { type: "ping", n: m.n + 1 }),
 * }));
 * sim.runFor(1000);
 * console.log(sim.stats.messagesDelivered, sim.trace.digest());
 * ```
 */
export class Simulation {
  /** The seed this simulation was created with. */
  readonly seed: number;
  /** The trace of the run (events, digest, JSON, SVG). */
  readonly trace: Trace;

  private now = 0;
  private seqCounter = 0;
  private msgCounter = 0;
  private timerCounter = 0;
  private readonly queue: EventQueue<QueuedEvent>;
  private readonly pool: QueuedEvent[] = [];
  private cancelledInQueue = 0;
  private readonly nodesById = new Map<NodeId, NodeState>();
  private readonly nodeList: NodeState[] = [];
  private readonly refs = new Map<NodeId, NodeRefImpl<unknown>>();
  private ids: NodeId[] = [];
  private membershipVersion = 0;
  private readonly links: LinkState[] = [];
  private network: LinkConfig;
  private networkSampler: CompiledSampler;
  private configVersion = 0;
  private readonly tracing: boolean;
  private readonly listeners: EventListener[] = [];
  private readonly maxEventsPerRun: number;
  private readonly maxHeldPerLink: number;
  private readonly maxPendingEvents: number;
  private running = false;
  private readonly freezeMessages: boolean;

  private eventsProcessed = 0;
  private messagesSent = 0;
  private messagesDelivered = 0;
  private messagesDuplicated = 0;
  private timersFired = 0;
  private readonly drops: Record<DropReason, number> = { loss: 0, partition: 0, crashed: 0, clogged: 0 };
  private readonly latency = new LatencyHistogram();

  /** @param options - seed, network config, trace mode and bounds */
  constructor(options: SimulationOptions) {
    if (typeof options !== "object" || options === null) {
      throw new SimNetError(
        "invalid-argument",
        "Simulation options must be an object { seed, network?, trace? }",
      );
    }
    if (typeof options.seed !== "number" || !Number.isSafeInteger(options.seed)) {
      throw new SimNetError("invalid-argument", `seed must be a safe integer, got ${String(options.seed)}`);
    }
    this.seed = options.seed;
    const mode = options.trace ?? "full";
    if (mode !== "full" && mode !== "off" && mode !== "digest") {
      throw new SimNetError(
        "invalid-argument",
        `trace must be "full", "digest" or "off", got ${String(mode)}`,
      );
    }
    this.maxEventsPerRun = options.maxEventsPerRun ?? 50_000_000;
    assertPositiveInteger(this.maxEventsPerRun, "maxEventsPerRun");
    this.maxPendingEvents = options.maxPendingEvents ?? 20_000_000;
    assertPositiveInteger(this.maxPendingEvents, "maxPendingEvents");
    const maxTraceEvents = options.maxTraceEvents ?? 1_000_000;
    assertPositiveInteger(maxTraceEvents, "maxTraceEvents");
    this.maxHeldPerLink = options.maxHeldPerLink ?? 100_000;
    assertPositiveInteger(this.maxHeldPerLink, "maxHeldPerLink");
    const patch = options.network ?? {};
    validateLinkConfig(patch);
    this.network = mergeLinkConfig(DEFAULT_LINK_CONFIG, patch);
    this.networkSampler = compileLatency(this.network.latency);
    this.queue = new EventQueue<QueuedEvent>(1024, this.maxPendingEvents);
    this.tracing = mode !== "off";
    this.freezeMessages = options.freezeMessages === true;
    this.trace = new Trace(mode, maxTraceEvents, this);
  }

  // ---------------------------------------------------------------- nodes

  /**
   * Adds a node and schedules its start at the current time: when the start event runs, `factory` is
   * called with a fresh context, then `onStart`. So every node added before the run sees the full
   * peer list (`ctx.peers`) in its factory and `onStart`. Reading `ref.instance` before the start
   * event creates the instance early (its `ctx.peers` is still live, but a constructor that copies it
   * sees only the nodes added so far).
   *
   * @example
   * ```ts
   * const ref = sim.addNode("n1", (ctx) => new RaftNode(ctx), { clock: { driftPpm: 100 } });
   * ```
   */
  addNode<M extends Message, N extends SimNode<M>>(
    id: NodeId,
    factory: NodeFactory<M, N>,
    options: NodeOptions = {},
  ): NodeRef<N> {
    if (typeof id !== "string" || id.length === 0) {
      throw new SimNetError(
        "invalid-argument",
        `node id must be a non-empty string, got ${JSON.stringify(id)}`,
      );
    }
    if (this.nodesById.has(id)) {
      throw new SimNetError(
        "duplicate-node",
        `a node with id "${id}" already exists; node ids must be unique`,
      );
    }
    if (typeof factory !== "function") {
      throw new SimNetError("invalid-argument", `node factory of "${id}" must be a function (ctx) => node`);
    }
    const clockPatch = options.clock ?? {};
    validateClockConfig(clockPatch);
    const lostSyncRate = options.lostSyncRate ?? 0;
    assertProbability(lostSyncRate, `lostSyncRate of node "${id}"`);
    const faultRandom = new SeededRandom(deriveSeed(this.seed, `faults:${id}`));
    let state: NodeState | undefined;
    const storage = new SimStorage(faultRandom, (outcome) => {
      if (this.tracing && state !== undefined) {
        this.trace.record({
          kind: "sync",
          atMs: this.now,
          node: id,
          writes: outcome.writes,
          lost: outcome.lost,
        });
      }
    });
    storage.lostSyncRate = lostSyncRate;
    state = new NodeState(
      id,
      this.nodeList.length,
      factory as unknown as NodeFactory<Message, SimNode<Message>>,
      new SeededRandom(deriveSeed(this.seed, `node:${id}`)),
      storage,
      new NodeClock({ offsetMs: clockPatch.offsetMs ?? 0, driftPpm: clockPatch.driftPpm ?? 0 }),
    );
    this.nodesById.set(id, state);
    this.nodeList.push(state);
    this.ids = [...this.ids, id];
    this.membershipVersion++;
    const ref = new NodeRefImpl<N>(this, state);
    this.refs.set(id, ref as NodeRefImpl<unknown>);
    this.push(
      this.now,
      new QueuedEvent(K_START, state, null, null, 0, this.now, state.incarnation, null, null),
    );
    return ref;
  }

  /**
   * The handle of node `id` (throws `unknown-node` for an id never added).
   *
   * @example
   * ```ts
   * const leader = sim.node<RaftNode>("n1").instance;
   * ```
   */
  node<N = SimNode>(id: NodeId): NodeRef<N> {
    const ref = this.refs.get(id);
    if (ref === undefined) throw this.unknownNode(id);
    return ref as NodeRef<N>;
  }

  /** Ids of every node, in the order they were added. */
  get nodeIds(): readonly NodeId[] {
    return this.ids;
  }

  /** Current true time in ms. */
  get nowMs(): number {
    return this.now;
  }

  /** Number of events waiting in the queue (cancelled timers included until they are reached). */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * Crashes node `id`: its memory (instance), pending timers and unsynced storage writes are lost, and
   * messages arriving while it is down are dropped (`"crashed"`). Returns false (and does nothing) when
   * the node is already crashed.
   *
   * @example
   * ```ts
   * sim.crash("n1");
   * sim.runFor(500);
   * sim.restart("n1");
   * ```
   */
  crash(id: NodeId, options: CrashOptions = {}): boolean {
    const state = this.state(id);
    if (options.tornWrites !== undefined && typeof options.tornWrites !== "boolean") {
      throw new SimNetError("invalid-argument", "crash option tornWrites must be a boolean");
    }
    if (state.status === "crashed") return false;
    state.status = "crashed";
    state.incarnation++;
    state.crashes++;
    for (const ev of state.timers.values()) ev.cancelled = true;
    this._timerCancelled(state.timers.size);
    state.timers.clear();
    const held = state.held;
    state.held = [];
    const unsynced = state.storage.unsyncedWrites;
    const kept = state.storage.crash(options.tornWrites === true);
    if (this.tracing) {
      this.trace.record({
        kind: "crash",
        atMs: this.now,
        node: id,
        unsyncedWritesLost: unsynced - kept,
        tornWritesKept: kept,
      });
    }
    for (const ev of held) {
      if (ev.kind === K_DELIVER) this.drop(ev, "crashed");
    }
    return true;
  }

  /**
   * Restarts a crashed node: calls its factory with a fresh context over the same synced storage, then
   * its `onStart`. Returns false (and does nothing) unless the node is crashed.
   *
   * @example
   * ```ts
   * sim.crash("n2");
   * sim.schedule(1000, () => sim.restart("n2"));
   * ```
   */
  restart(id: NodeId): boolean {
    const state = this.state(id);
    if (state.status !== "crashed") return false;
    state.status = "up";
    if (this.tracing) this.trace.record({ kind: "restart", atMs: this.now, node: id });
    const instance = this.instantiate(state);
    instance.onStart?.();
    return true;
  }

  /**
   * Pauses node `id` (like SIGSTOP or a long GC pause): deliveries and timer firings are held and happen
   * at {@link Simulation.resume}, in order. Returns false unless the node is up.
   *
   * @example
   * ```ts
   * sim.pause("n1");
   * sim.runFor(300);
   * sim.resume("n1"); // held messages and timers run now
   * ```
   */
  pause(id: NodeId): boolean {
    const state = this.state(id);
    if (state.status !== "up") return false;
    state.status = "paused";
    if (this.tracing) this.trace.record({ kind: "pause", atMs: this.now, node: id });
    return true;
  }

  /**
   * Resumes a paused node; what was held is processed at the current time, in arrival order. Returns
   * false unless the node is paused.
   *
   * @example
   * ```ts
   * sim.resume("n1");
   * ```
   */
  resume(id: NodeId): boolean {
    const state = this.state(id);
    if (state.status !== "paused") return false;
    state.status = "up";
    if (this.tracing) this.trace.record({ kind: "resume", atMs: this.now, node: id });
    const held = state.held;
    state.held = [];
    for (const ev of held) this.push(this.now, ev);
    return true;
  }

  // ---------------------------------------------------------------- network

  /**
   * Cuts every link between nodes of different groups, both ways (additive to existing cuts). Nodes
   * not named are unaffected. Messages in flight across a cut are dropped on arrival.
   *
   * @example
   * ```ts
   * sim.partition(["n1", "n2"], ["n3", "n4", "n5"]);
   * ```
   */
  partition(...groups: readonly (readonly NodeId[])[]): void {
    if (groups.length < 2) {
      throw new SimNetError(
        "invalid-argument",
        `partition needs at least 2 groups of node ids, got ${groups.length}`,
      );
    }
    const seen = new Set<NodeId>();
    const states = groups.map((g) => {
      if (!Array.isArray(g))
        throw new SimNetError("invalid-argument", "partition groups must be arrays of node ids");
      return g.map((id) => {
        const s = this.state(id);
        if (seen.has(id)) {
          throw new SimNetError("invalid-argument", `node "${id}" appears in more than one partition group`);
        }
        seen.add(id);
        return s;
      });
    });
    for (let i = 0; i < states.length; i++) {
      for (let j = i + 1; j < states.length; j++) {
        for (const a of states[i] as NodeState[]) {
          for (const b of states[j] as NodeState[]) {
            this.link(a, b).blocked = true;
            this.link(b, a).blocked = true;
          }
        }
      }
    }
    if (this.tracing) {
      this.trace.record({ kind: "partition", atMs: this.now, groups: groups.map((g) => [...g]) });
    }
  }

  /**
   * Cuts the links from every node of `from` to every node of `to` (one way only).
   *
   * @example
   * ```ts
   * sim.partitionOneWay(["n1"], ["n2", "n3"]); // n1 can hear n2 and n3, they cannot hear n1
   * ```
   */
  partitionOneWay(from: readonly NodeId[], to: readonly NodeId[]): void {
    if (!Array.isArray(from) || !Array.isArray(to)) {
      throw new SimNetError("invalid-argument", "partitionOneWay(from, to) takes two arrays of node ids");
    }
    const fromStates = from.map((id) => this.state(id));
    const toStates = to.map((id) => this.state(id));
    for (const a of fromStates) {
      for (const b of toStates) {
        if (a !== b) this.link(a, b).blocked = true;
      }
    }
    if (this.tracing) {
      this.trace.record({ kind: "partition-one-way", atMs: this.now, from: [...from], to: [...to] });
    }
  }

  /**
   * Cuts every link to and from node `id` (nodes added later are not cut).
   *
   * @example
   * ```ts
   * sim.isolate("n3");
   * ```
   */
  isolate(id: NodeId): void {
    const s = this.state(id);
    for (const other of this.nodeList) {
      if (other === s) continue;
      this.link(s, other).blocked = true;
      this.link(other, s).blocked = true;
    }
    if (this.tracing) this.trace.record({ kind: "isolate", atMs: this.now, node: id });
  }

  /**
   * Removes every cut made by `partition`, `partitionOneWay` and `isolate`.
   *
   * @example
   * ```ts
   * sim.heal();
   * ```
   */
  heal(): void {
    for (const l of this.links) l.blocked = false;
    if (this.tracing) this.trace.record({ kind: "heal", atMs: this.now });
  }

  /**
   * Whether the link `from` → `to` is currently cut by a partition.
   *
   * @example
   * ```ts
   * sim.partition(["a"], ["b"]);
   * sim.isCut("a", "b"); // true
   * ```
   */
  isCut(from: NodeId, to: NodeId): boolean {
    const a = this.state(from);
    const b = this.state(to);
    return a.outLinks[b.index]?.blocked ?? false;
  }

  /**
   * Changes the network-wide link config (fields given replace the current ones; per-link overrides
   * still win). Unclogging releases held messages.
   *
   * @example
   * ```ts
   * sim.setNetwork({ lossRate: 0.2, latency: { kind: "exponential", meanMs: 5 } });
   * ```
   */
  setNetwork(config: Partial<LinkConfig>): void {
    validateLinkConfig(config);
    this.network = mergeLinkConfig(this.network, config);
    if (config.latency !== undefined) this.networkSampler = compileLatency(this.network.latency);
    this.configVersion++;
    if (this.tracing)
      this.trace.record({ kind: "network", atMs: this.now, config: linkConfigToJSON(config) });
    this.releaseUnclogged();
  }

  /**
   * Overrides the config of the directed link `from` → `to` (fields given replace earlier overrides).
   *
   * @example
   * ```ts
   * sim.setLink("n1", "n2", { latency: { kind: "constant", ms: 50 }, fifo: true });
   * ```
   */
  setLink(from: NodeId, to: NodeId, config: Partial<LinkConfig>): void {
    validateLinkConfig(config);
    const link = this.link(this.state(from), this.state(to));
    link.override = { ...(link.override ?? {}), ...config };
    if (config.latency !== undefined) link.overrideSampler = compileLatency(config.latency);
    link.version = -1;
    if (this.tracing)
      this.trace.record({ kind: "link", atMs: this.now, from, to, config: linkConfigToJSON(config) });
    this.releaseUnclogged();
  }

  /**
   * Removes the override of link `from` → `to` (it follows the network config again).
   *
   * @example
   * ```ts
   * sim.resetLink("n1", "n2");
   * ```
   */
  resetLink(from: NodeId, to: NodeId): void {
    const link = this.link(this.state(from), this.state(to));
    link.override = null;
    link.overrideSampler = null;
    link.version = -1;
    if (this.tracing) this.trace.record({ kind: "link", atMs: this.now, from, to, config: {} });
    this.releaseUnclogged();
  }

  /**
   * The effective config of link `from` → `to` (network config with the link's override applied).
   *
   * @example
   * ```ts
   * sim.linkConfig("n1", "n2").lossRate;
   * ```
   */
  linkConfig(from: NodeId, to: NodeId): LinkConfig {
    const a = this.state(from);
    const b = this.state(to);
    const override = a.outLinks[b.index]?.override;
    return override ? mergeLinkConfig(this.network, override) : this.network;
  }

  /**
   * Clogs link `from` → `to`: arriving messages are held (not lost) until {@link Simulation.unclog}.
   *
   * @example
   * ```ts
   * sim.clog("n1", "n2");
   * sim.runFor(100);
   * sim.unclog("n1", "n2"); // held messages are delivered now, in arrival order
   * ```
   */
  clog(from: NodeId, to: NodeId): void {
    const link = this.link(this.state(from), this.state(to));
    link.override = { ...(link.override ?? {}), clogged: true };
    link.version = -1;
    if (this.tracing) this.trace.record({ kind: "clog", atMs: this.now, from, to });
  }

  /**
   * Unclogs link `from` → `to` and delivers what it held.
   *
   * @example
   * ```ts
   * sim.unclog("n1", "n2");
   * ```
   */
  unclog(from: NodeId, to: NodeId): void {
    const link = this.link(this.state(from), this.state(to));
    link.override = { ...(link.override ?? {}), clogged: false };
    link.version = -1;
    if (this.tracing) this.trace.record({ kind: "unclog", atMs: this.now, from, to });
    this.releaseUnclogged();
  }

  /**
   * Changes node `id`'s clock: drift changes are continuous (the reading is kept, the rate changes);
   * offset changes make the reading jump by the difference. Timers already set keep their true-time
   * deadline.
   *
   * @example
   * ```ts
   * sim.setClock("n1", { offsetMs: 5000 }); // n1's clock jumps 5 s ahead
   * ```
   */
  setClock(id: NodeId, config: Partial<ClockConfig>): void {
    const s = this.state(id);
    validateClockConfig(config);
    s.clock.set(this.now, config);
    if (this.tracing) {
      this.trace.record({
        kind: "clock",
        atMs: this.now,
        node: id,
        offsetMs: s.clock.offsetMs,
        driftPpm: s.clock.driftPpm,
      });
    }
  }

  /**
   * Sets node `id`'s lost-sync fault rate: each `storage.sync()` fails silently with this probability
   * (the writes stay volatile and are lost at the next crash).
   *
   * @example
   * ```ts
   * sim.setStorageFaults("n1", { lostSyncRate: 0.1 });
   * ```
   */
  setStorageFaults(id: NodeId, faults: { readonly lostSyncRate: number }): void {
    const s = this.state(id);
    assertProbability(faults.lostSyncRate, "lostSyncRate");
    s.storage.lostSyncRate = faults.lostSyncRate;
  }

  /**
   * Sends `message` from node `from` to node `to` through the network, as if `from` had sent it
   * (for tests that drive nodes from outside).
   *
   * @example
   * ```ts
   * sim.send("client", "n1", { type: "get", key: "x" });
   * ```
   */
  send(from: NodeId, to: NodeId, message: Message): void {
    this._send(this.state(from), to, message);
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Runs `action` after `delayMs` of true time (an external action: a test driving a client, a fault).
   *
   * @example
   * ```ts
   * sim.schedule(500, () => sim.crash("n1"), "crash n1");
   * ```
   */
  schedule(delayMs: number, action: () => void, label?: string): void {
    assertNonNegative(delayMs, "schedule delayMs");
    if (typeof action !== "function")
      throw new SimNetError("invalid-argument", "schedule action must be a function");
    this.push(
      this.now + delayMs,
      new QueuedEvent(K_ACTION, null, null, null, 0, this.now, 0, action, label ?? null),
    );
  }

  /**
   * Schedules every fault of `schedule` at its absolute time `atMs` (which must not be in the past).
   * The whole schedule is validated first: on bad input nothing is scheduled.
   *
   * @example
   * ```ts
   * sim.applySchedule([
   *   { atMs: 100, kind: "crash", node: "n1" },
   *   { atMs: 600, kind: "restart", node: "n1" },
   * ]);
   * ```
   */
  applySchedule(schedule: FaultSchedule): void {
    if (!Array.isArray(schedule)) {
      throw new SimNetError("invalid-schedule", "a fault schedule must be an array of { atMs, kind, ... }");
    }
    schedule.forEach((ev, i) => {
      validateFaultEvent(ev, i, (id) => this.nodesById.has(id));
      if (ev.atMs < this.now) {
        throw new SimNetError(
          "invalid-schedule",
          `fault schedule entry ${i} is at ${ev.atMs} ms, before the current time ${this.now} ms; accepted: atMs >= nowMs`,
        );
      }
    });
    const order = schedule.map((ev, i) => ({ ev, i })).sort((x, y) => x.ev.atMs - y.ev.atMs || x.i - y.i);
    for (const { ev } of order) {
      this.push(
        ev.atMs,
        new QueuedEvent(
          K_ACTION,
          null,
          null,
          null,
          0,
          this.now,
          0,
          () => this.applyFault(ev),
          `fault:${ev.kind}`,
        ),
      );
    }
  }

  /**
   * Applies one fault event now (its `atMs` is ignored).
   *
   * @example
   * ```ts
   * sim.applyFault({ atMs: 0, kind: "isolate", node: "n1" });
   * ```
   */
  applyFault(ev: FaultEvent): void {
    validateFaultEvent(ev, 0, (id) => this.nodesById.has(id));
    switch (ev.kind) {
      case "partition":
        if (ev.groups.length >= 2) this.partition(...ev.groups);
        return;
      case "partition-one-way":
        this.partitionOneWay(ev.from, ev.to);
        return;
      case "isolate":
        this.isolate(ev.node);
        return;
      case "heal":
        this.heal();
        return;
      case "crash":
        this.crash(ev.node, ev.tornWrites === undefined ? {} : { tornWrites: ev.tornWrites });
        return;
      case "restart":
        this.restart(ev.node);
        return;
      case "pause":
        this.pause(ev.node);
        return;
      case "resume":
        this.resume(ev.node);
        return;
      case "clock":
        this.setClock(ev.node, {
          ...(ev.offsetMs !== undefined ? { offsetMs: ev.offsetMs } : {}),
          ...(ev.driftPpm !== undefined ? { driftPpm: ev.driftPpm } : {}),
        });
        return;
      case "storage":
        this.setStorageFaults(ev.node, { lostSyncRate: ev.lostSyncRate });
        return;
      case "network":
        this.setNetwork(ev.config);
        return;
      case "link":
        this.setLink(ev.from, ev.to, ev.config);
        return;
      case "clog":
        this.clog(ev.from, ev.to);
        return;
      case "unclog":
        this.unclog(ev.from, ev.to);
        return;
    }
  }

  /**
   * Registers `listener`, called after every processed event (delivery, drop on arrival, timer,
   * start, action) with that event, once the handler has returned: the place to check invariants.
   * Returns a function that unregisters it.
   *
   * @example
   * ```ts
   * const stop = sim.onEvent(() => {
   *   if (leaders(sim).length > 1) throw new Error("two leaders");
   * });
   * ```
   */
  onEvent(listener: EventListener): () => void {
    if (typeof listener !== "function")
      throw new SimNetError("invalid-argument", "onEvent listener must be a function");
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---------------------------------------------------------------- run control

  /**
   * Processes the next event, if any. Returns whether an event was processed.
   *
   * @example
   * ```ts
   * while (sim.step() && sim.nowMs < 100) {}
   * ```
   */
  step(): boolean {
    this.enter();
    try {
      for (;;) {
        const ev = this.queue.pop();
        if (ev === undefined) return false;
        if (this.process(ev)) return true;
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs every event up to `now + ms` (inclusive), then sets the time to `now + ms`. Returns the number
   * of events processed. Throws {@link EventStormError} beyond `maxEvents`.
   *
   * @example
   * ```ts
   * sim.runFor(10_000);
   * ```
   */
  runFor(ms: number, options: RunOptions = {}): number {
    assertNonNegative(ms, "runFor ms");
    const maxEvents = this.maxEventsOf(options);
    const end = this.now + ms;
    this.enter();
    let count = 0;
    try {
      const queue = this.queue;
      while (queue.peekTime() <= end) {
        if (++count > maxEvents) throw new EventStormError(maxEvents, this.now);
        this.process(queue.pop() as QueuedEvent);
      }
      this.now = end;
    } finally {
      this.running = false;
    }
    return count;
  }

  /**
   * Runs until `predicate()` is true (checked before starting and after every event), the optional
   * time limit passes, or the queue is empty. Returns whether the predicate became true. On timeout
   * the time is advanced to the limit.
   *
   * @example
   * ```ts
   * const ok = sim.runUntil(() => client.done, { timeoutMs: 5000 });
   * if (!ok) console.log("gave up after 5 s of simulated time");
   * ```
   */
  runUntil(predicate: () => boolean, options: RunUntilOptions = {}): boolean {
    if (typeof predicate !== "function") {
      throw new SimNetError("invalid-argument", "runUntil predicate must be a function returning a boolean");
    }
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
      throw new SimNetError(
        "invalid-argument",
        `runUntil timeoutMs must be a number >= 0, got ${String(timeoutMs)}`,
      );
    }
    const maxEvents = this.maxEventsOf(options);
    if (predicate()) return true;
    const deadline = this.now + timeoutMs;
    this.enter();
    let count = 0;
    try {
      const queue = this.queue;
      while (queue.size > 0 && queue.peekTime() <= deadline) {
        if (++count > maxEvents) throw new EventStormError(maxEvents, this.now);
        if (this.process(queue.pop() as QueuedEvent) && predicate()) return true;
      }
      if (deadline !== Number.POSITIVE_INFINITY) this.now = deadline;
    } finally {
      this.running = false;
    }
    return false;
  }

  /**
   * Runs until the queue is empty (bounded by `maxEvents`). Returns the number of events processed.
   * Never returns for protocols with periodic timers: use `runFor` or `runUntil` for those.
   *
   * @example
   * ```ts
   * sim.run();
   * ```
   */
  run(options: RunOptions = {}): number {
    const maxEvents = this.maxEventsOf(options);
    this.enter();
    let count = 0;
    try {
      const queue = this.queue;
      while (queue.size > 0) {
        if (++count > maxEvents) throw new EventStormError(maxEvents, this.now);
        this.process(queue.pop() as QueuedEvent);
      }
    } finally {
      this.running = false;
    }
    return count;
  }

  /**
   * The statistics so far: counters are a snapshot taken now; `latency` is the live histogram.
   *
   * @example
   * ```ts
   * const { messagesSent, messagesDelivered, dropsByReason } = sim.stats;
   * console.log(`${messagesDelivered}/${messagesSent} delivered, ${dropsByReason.partition} cut by partitions`);
   * ```
   */
  get stats(): SimStats {
    const nodes: Record<NodeId, NodeStats> = {};
    for (const s of this.nodeList) {
      nodes[s.id] = {
        sent: s.sent,
        received: s.received,
        dropped: s.dropped,
        timersFired: s.timersFired,
        crashes: s.crashes,
      };
    }
    const links: LinkStats[] = this.links.map((l) => ({
      from: l.from.id,
      to: l.to.id,
      sent: l.sent,
      delivered: l.delivered,
      dropped: l.dropped,
      duplicated: l.duplicated,
    }));
    const d = this.drops;
    return {
      eventsProcessed: this.eventsProcessed,
      messagesSent: this.messagesSent,
      messagesDelivered: this.messagesDelivered,
      messagesDropped: d.loss + d.partition + d.crashed + d.clogged,
      dropsByReason: { ...d },
      messagesDuplicated: this.messagesDuplicated,
      timersFired: this.timersFired,
      nodes,
      links,
      latency: this.latency,
    };
  }

  // ---------------------------------------------------------------- internals

  /**
   * @internal Counts cancelled timers still in the queue; when they are many and most of the queue,
   * rebuilds the queue without them (so cancel-heavy protocols do not grow the queue without bound).
   */
  _timerCancelled(count: number): void {
    this.cancelledInQueue += count;
    if (this.cancelledInQueue > 1024 && this.cancelledInQueue * 2 > this.queue.size) {
      this.queue.compact((ev) => !ev.cancelled);
      this.cancelledInQueue = 0;
    }
  }

  /** @internal The node's instance, created now if the node has not started yet. */
  _instanceOf(state: NodeState): SimNode<Message> {
    return state.instance ?? this.instantiate(state);
  }

  /** @internal */
  _peersOf(state: NodeState): readonly NodeId[] {
    if (state.peersVersion !== this.membershipVersion) {
      state.peersCache = Object.freeze(this.ids.filter((id) => id !== state.id).sort());
      state.peersVersion = this.membershipVersion;
    }
    return state.peersCache;
  }

  /** @internal */
  _send(from: NodeState, to: NodeId, message: Message): void {
    const target = this.nodesById.get(to);
    if (target === undefined) throw this.unknownNode(to);
    if (typeof message !== "object" || message === null || typeof message.type !== "string") {
      throw new SimNetError(
        "invalid-message",
        `message from "${from.id}" to "${to}" must be an object with a string "type", got ${stableStringify(message).slice(0, 200)}`,
      );
    }
    if (this.freezeMessages) deepFreeze(message, 0);
    let link = from.outLinks[target.index];
    if (link === undefined) link = this.link(from, target);
    if (link.version !== this.configVersion) this.resolve(link);
    const msgId = ++this.msgCounter;
    const now = this.now;
    from.sent++;
    link.sent++;
    this.messagesSent++;
    if (this.tracing) this.trace.record({ kind: "send", atMs: now, msgId, from: from.id, to, message });
    if (link.blocked) {
      this.dropAtSend(link, msgId, "partition");
      return;
    }
    const random = link.random;
    if (link.lossRate > 0 && random.next() < link.lossRate) {
      this.dropAtSend(link, msgId, "loss");
      return;
    }
    this.schedule1(link, message, msgId, now + link.sample(random, message, from.id, to));
    if (link.duplicateRate > 0 && random.next() < link.duplicateRate) {
      link.duplicated++;
      this.messagesDuplicated++;
      if (this.tracing) this.trace.record({ kind: "duplicate", atMs: now, msgId, from: from.id, to });
      this.schedule1(link, message, msgId, now + link.sample(random, message, from.id, to));
    }
  }

  private schedule1(link: LinkState, message: Message, msgId: number, atMs: number): void {
    if (link.fifo) {
      if (atMs < link.lastDeliverAtMs) atMs = link.lastDeliverAtMs;
      link.lastDeliverAtMs = atMs;
    }
    let ev = this.pool.pop();
    if (ev === undefined)
      ev = new QueuedEvent(K_DELIVER, link.to, link, message, msgId, this.now, 0, null, null);
    else {
      ev.node = link.to;
      ev.link = link;
      ev.message = message;
      ev.msgId = msgId;
      ev.sentAtMs = this.now;
    }
    this.push(atMs, ev);
  }

  private dropAtSend(link: LinkState, msgId: number, reason: DropReason): void {
    link.dropped++;
    link.to.dropped++;
    this.drops[reason]++;
    if (this.tracing) {
      this.trace.record({
        kind: "drop",
        atMs: this.now,
        msgId,
        from: link.from.id,
        to: link.to.id,
        sentAtMs: this.now,
        reason,
      });
    }
  }

  /** Drops a message that arrived (or was held); returns the trace event when events are needed. */
  private drop(ev: QueuedEvent, reason: DropReason): TraceEvent | null {
    const link = ev.link as LinkState;
    link.dropped++;
    link.to.dropped++;
    this.drops[reason]++;
    if (this.tracing || this.listeners.length > 0) {
      const te: TraceEvent = {
        kind: "drop",
        atMs: this.now,
        msgId: ev.msgId,
        from: link.from.id,
        to: link.to.id,
        sentAtMs: ev.sentAtMs,
        reason,
      };
      if (this.tracing) this.trace.record(te);
      return te;
    }
    return null;
  }

  /** @internal */
  _setTimer(
    state: NodeState,
    incarnation: number,
    delayMs: number,
    onFire: () => void,
    label?: string,
  ): TimerId {
    if (typeof delayMs !== "number" || !(delayMs >= 0) || delayMs === Number.POSITIVE_INFINITY) {
      throw new SimNetError(
        "invalid-argument",
        `setTimer delayMs on "${state.id}" must be a finite number >= 0, got ${String(delayMs)}`,
      );
    }
    if (typeof onFire !== "function") {
      throw new SimNetError("invalid-argument", `setTimer on "${state.id}" needs an onFire function`);
    }
    const timerId = ++this.timerCounter;
    if (incarnation !== state.incarnation || state.status === "crashed") return timerId;
    const ev = new QueuedEvent(
      K_TIMER,
      state,
      null,
      null,
      timerId,
      this.now,
      incarnation,
      onFire,
      label ?? null,
    );
    state.timers.set(timerId, ev);
    this.push(this.now + state.clock.trueDuration(delayMs), ev);
    return timerId;
  }

  /** @internal */
  _log(state: NodeState, text: string, data?: unknown): void {
    if (!this.tracing) return;
    if (data === undefined)
      this.trace.record({ kind: "log", atMs: this.now, node: state.id, text: String(text) });
    else this.trace.record({ kind: "log", atMs: this.now, node: state.id, text: String(text), data });
  }

  private push(atMs: number, ev: QueuedEvent): void {
    invariant(atMs >= this.now, "events are never scheduled in the past");
    if (this.queue.size >= this.maxPendingEvents) {
      throw new SimNetError(
        "queue-overflow",
        `more than ${this.maxPendingEvents} pending events at ${this.now} ms; raise maxPendingEvents (a positive integer) or look for a message/timer storm`,
      );
    }
    ev.atMs = atMs;
    this.queue.push(atMs, this.seqCounter++, ev);
  }

  /** Processes one popped event; returns false for a skipped (cancelled) one. */
  private process(ev: QueuedEvent): boolean {
    invariant(ev.atMs >= this.now, "time never goes backwards");
    this.now = ev.atMs;
    switch (ev.kind) {
      case K_DELIVER:
        this.processDeliver(ev);
        return true;
      case K_TIMER:
        return this.processTimer(ev);
      case K_START:
        return this.processStart(ev);
      default:
        this.processAction(ev);
        return true;
    }
  }

  private processDeliver(ev: QueuedEvent): void {
    this.eventsProcessed++;
    const link = ev.link as LinkState;
    const to = link.to;
    if (link.version !== this.configVersion) this.resolve(link);
    let te: TraceEvent | null = null;
    if (link.blocked) te = this.drop(ev, "partition");
    else if (link.clogged) {
      this.notifyOrNothing(this.hold(link, ev));
      return;
    } else if (to.status === "crashed") te = this.drop(ev, "crashed");
    else if (to.status === "paused") {
      this.notifyOrNothing(this.holdPaused(to, ev));
      return;
    } else {
      to.received++;
      link.delivered++;
      this.messagesDelivered++;
      this.latency.record(this.now - ev.sentAtMs);
      const message = ev.message as Message;
      if (this.tracing || this.listeners.length > 0) {
        te = {
          kind: "deliver",
          atMs: this.now,
          msgId: ev.msgId,
          from: link.from.id,
          to: to.id,
          sentAtMs: ev.sentAtMs,
          message,
        };
        if (this.tracing) this.trace.record(te);
      }
      (to.instance ?? this.instantiate(to)).onMessage(link.from.id, message);
    }
    if (te !== null) this.notify(te);
    // Delivered or dropped: nothing refers to the event any more, recycle it.
    if (this.pool.length < POOL_SIZE) {
      ev.message = null;
      ev.node = null;
      ev.link = null;
      this.pool.push(ev);
    }
  }

  private notifyOrNothing(te: TraceEvent | null): void {
    if (te !== null) this.notify(te);
  }

  private hold(link: LinkState, ev: QueuedEvent): TraceEvent | null {
    if (link.held.length >= this.maxHeldPerLink) return this.drop(ev, "clogged");
    link.held.push(ev);
    return this.holdEvent(ev, "clogged");
  }

  private holdPaused(state: NodeState, ev: QueuedEvent): TraceEvent | null {
    if (state.held.length >= this.maxPendingEvents) {
      throw new SimNetError(
        "queue-overflow",
        `paused node "${state.id}" holds more than ${this.maxPendingEvents} events`,
      );
    }
    state.held.push(ev);
    return ev.kind === K_DELIVER ? this.holdEvent(ev, "paused") : null;
  }

  private holdEvent(ev: QueuedEvent, reason: "clogged" | "paused"): TraceEvent | null {
    if (!this.tracing && this.listeners.length === 0) return null;
    const link = ev.link as LinkState;
    const te: TraceEvent = {
      kind: "hold",
      atMs: this.now,
      msgId: ev.msgId,
      from: link.from.id,
      to: link.to.id,
      reason,
    };
    if (this.tracing) this.trace.record(te);
    return te;
  }

  private processTimer(ev: QueuedEvent): boolean {
    if (ev.cancelled) {
      if (this.cancelledInQueue > 0) this.cancelledInQueue--;
      return false;
    }
    const state = ev.node as NodeState;
    invariant(ev.incarnation === state.incarnation, "a live timer belongs to the current incarnation");
    this.eventsProcessed++;
    if (state.status === "paused") {
      this.holdPaused(state, ev);
      return true;
    }
    state.timers.delete(ev.msgId);
    state.timersFired++;
    this.timersFired++;
    let te: TraceEvent | null = null;
    if (this.tracing || this.listeners.length > 0) {
      te = { kind: "timer", atMs: this.now, node: state.id, timerId: ev.msgId, label: ev.label };
      if (this.tracing) this.trace.record(te);
    }
    (ev.callback as () => void)();
    if (te !== null) this.notify(te);
    return true;
  }

  private processStart(ev: QueuedEvent): boolean {
    const state = ev.node as NodeState;
    if (ev.incarnation !== state.incarnation || state.status === "crashed") return false;
    this.eventsProcessed++;
    if (state.status === "paused") {
      this.holdPaused(state, ev);
      return true;
    }
    let te: TraceEvent | null = null;
    if (this.tracing || this.listeners.length > 0) {
      te = { kind: "start", atMs: this.now, node: state.id };
      if (this.tracing) this.trace.record(te);
    }
    (state.instance ?? this.instantiate(state)).onStart?.();
    if (te !== null) this.notify(te);
    return true;
  }

  private processAction(ev: QueuedEvent): void {
    this.eventsProcessed++;
    const isFault = ev.label?.startsWith("fault:") === true;
    let te: TraceEvent | null = null;
    if (this.tracing || this.listeners.length > 0) {
      te = { kind: "action", atMs: this.now, label: ev.label };
      if (this.tracing && !isFault) this.trace.record(te);
    }
    (ev.callback as () => void)();
    if (te !== null) this.notify(te);
  }

  private notify(te: TraceEvent): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as EventListener)(te);
  }

  private instantiate(state: NodeState): SimNode<Message> {
    const ctx = new NodeContextImpl(this, state, state.incarnation);
    const instance = state.factory(ctx);
    if (typeof instance !== "object" || instance === null || typeof instance.onMessage !== "function") {
      throw new SimNetError(
        "invalid-argument",
        `the factory of node "${state.id}" must return an object with an onMessage(from, message) method`,
      );
    }
    state.instance = instance;
    return instance;
  }

  private link(from: NodeState, to: NodeState): LinkState {
    let link = from.outLinks[to.index];
    if (link === undefined) {
      link = new LinkState(
        from,
        to,
        new SeededRandom(deriveSeed(this.seed, `link:${from.id}\u0000${to.id}`)),
        this.networkSampler,
      );
      while (from.outLinks.length < to.index) from.outLinks.push(undefined);
      from.outLinks[to.index] = link;
      this.links.push(link);
    }
    return link;
  }

  private resolve(link: LinkState): void {
    const o = link.override;
    const n = this.network;
    if (o === null) {
      link.lossRate = n.lossRate;
      link.duplicateRate = n.duplicateRate;
      link.fifo = n.fifo;
      link.clogged = n.clogged;
      link.sample = this.networkSampler;
    } else {
      link.lossRate = o.lossRate ?? n.lossRate;
      link.duplicateRate = o.duplicateRate ?? n.duplicateRate;
      link.fifo = o.fifo ?? n.fifo;
      link.clogged = o.clogged ?? n.clogged;
      link.sample = link.overrideSampler ?? this.networkSampler;
    }
    link.version = this.configVersion;
  }

  private releaseUnclogged(): void {
    for (const link of this.links) {
      if (link.held.length === 0) continue;
      if (link.version !== this.configVersion) this.resolve(link);
      if (link.clogged) continue;
      const held = link.held;
      link.held = [];
      for (const ev of held) this.push(this.now, ev);
    }
  }

  private state(id: NodeId): NodeState {
    const s = this.nodesById.get(id);
    if (s === undefined) throw this.unknownNode(id);
    return s;
  }

  private unknownNode(id: unknown): SimNetError {
    const known = this.ids.length <= 20 ? this.ids.join(", ") : `${this.ids.slice(0, 20).join(", ")}, ...`;
    return new SimNetError(
      "unknown-node",
      `unknown node ${JSON.stringify(id)}; known nodes: ${known || "(none)"}`,
    );
  }

  private maxEventsOf(options: RunOptions): number {
    const maxEvents = options.maxEvents ?? this.maxEventsPerRun;
    assertPositiveInteger(maxEvents, "maxEvents");
    return maxEvents;
  }

  private enter(): void {
    if (this.running) {
      throw new SimNetError(
        "reentrant-run",
        "runFor/runUntil/run/step called from inside an event handler; schedule work with sim.schedule instead",
      );
    }
    this.running = true;
  }
}
