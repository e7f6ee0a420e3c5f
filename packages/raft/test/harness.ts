/**
 * Test harness: builds Raft clusters in sim-net, checks the Raft safety invariants after every
 * simulated event, and drives key-value workloads that record histories for @distkit/check.
 */
import { HistoryRecorder } from "@distkit/check";
import { type LinkConfig, type NodeId, type NodeRef, Simulation } from "@distkit/sim-net";
import {
  type KvClientOptions,
  type KvOperation,
  KvClient,
  type ConfigChangeData,
  type LogEntry,
  type Membership,
  type RaftConfig,
  RaftNode,
  type RaftNodeOptions,
  type ReadMode,
} from "../src/index.js";

export interface ClusterOptions {
  readonly seed: number;
  readonly servers?: number;
  readonly network?: Partial<LinkConfig>;
  readonly raft?: RaftConfig;
  readonly readMode?: ReadMode;
  readonly trace?: "off" | "full" | "digest";
  readonly clients?: number;
  readonly clientOptions?: Omit<KvClientOptions, "servers">;
  readonly node?: Omit<RaftNodeOptions, "voters" | "raft" | "readMode">;
  readonly checkInvariants?: boolean;
  /** The last `joiners` servers start outside the cluster (join: true). Default 0. */
  readonly joiners?: number;
}

export interface Cluster {
  readonly sim: Simulation;
  readonly serverIds: NodeId[];
  readonly clientIds: NodeId[];
  readonly checker: InvariantChecker | undefined;
  server(id: NodeId): RaftNode;
  client(id: NodeId): KvClient;
  /** Up (not crashed) servers that believe they lead, with their terms. */
  leaders(): { id: NodeId; term: number }[];
  /** The unique leader of the highest term among up nodes, if any. */
  leader(): NodeId | undefined;
}

export function serverNames(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

export function buildCluster(options: ClusterOptions): Cluster {
  const sim = new Simulation({
    seed: options.seed,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 5 }, ...(options.network ?? {}) },
    trace: options.trace ?? "off",
  });
  const serverIds = serverNames(options.servers ?? 3);
  const clientIds = Array.from({ length: options.clients ?? 0 }, (_, i) => `c${i + 1}`);
  const voters = serverIds.slice(0, serverIds.length - (options.joiners ?? 0));
  for (const id of serverIds) {
    sim.addNode(
      id,
      (ctx) =>
        new RaftNode(ctx, {
          ...(voters.includes(id) ? { voters } : { join: true }),
          ...(options.raft === undefined ? {} : { raft: options.raft }),
          ...(options.readMode === undefined ? {} : { readMode: options.readMode }),
          ...(options.node ?? {}),
        }),
    );
  }
  for (const id of clientIds) {
    sim.addNode(id, (ctx) => new KvClient(ctx, { servers: serverIds, ...(options.clientOptions ?? {}) }));
  }
  const checker =
    options.checkInvariants === false ? undefined : new InvariantChecker(sim, serverIds, voters);
  const server = (id: NodeId) => sim.node<RaftNode>(id).instance;
  const leaders = () =>
    sim.nodeIds
      .filter((id) => sim.node(id).instance instanceof RaftNode && sim.node(id).status !== "crashed")
      .map((id) => ({ id, core: server(id).core }))
      .filter((x) => x.core.currentRole === "leader")
      .map((x) => ({ id: x.id, term: x.core.currentTerm }));
  return {
    sim,
    serverIds,
    clientIds,
    checker,
    server,
    client: (id) => sim.node<KvClient>(id).instance,
    leaders,
    leader() {
      const ls = leaders().sort((a, b) => b.term - a.term);
      return ls[0]?.id;
    },
  };
}

export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantViolation";
  }
}

function sameEntry(a: LogEntry, b: LogEntry): boolean {
  if (a === b) return true;
  return (
    a.index === b.index &&
    a.term === b.term &&
    a.kind === b.kind &&
    JSON.stringify(a.data) === JSON.stringify(b.data)
  );
}

/**
 * Checks Raft's safety properties after every simulated event:
 * Election Safety, Leader Append-Only, Log Matching (pairwise, periodically), Leader Completeness,
 * State Machine Safety (every node's committed prefix agrees with one global committed log),
 * commit never regresses (also across restarts), and the highest committed entry is durable on a
 * majority of the voters.
 */
export class InvariantChecker {
  /** Global committed log: index -> entry. */
  readonly committed: (LogEntry | undefined)[] = [];
  /** Upper bound of the term in which each committed index was committed. */
  private readonly commitTermBound: number[] = [];
  maxCommitted = 0;
  events = 0;
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly leaderSeen = new Map<NodeId, { term: number; last: number; lastTerm: number }>();
  private readonly checkedCommit = new Map<NodeId, number>();
  private readonly lastCommit = new Map<NodeId, number>();
  /** Configuration entries of the committed log, by index. */
  private readonly configs: { index: number; membership: Membership }[] = [];
  private readonly bootstrap: Membership;
  private readonly refs: NodeRef<RaftNode>[];

  /** Starts checking a server added after the cluster was built. */
  track(id: NodeId): void {
    this.refs.push(this.sim.node<RaftNode>(id));
  }
  private readonly logMatchingEvery: number;

  constructor(
    private readonly sim: Simulation,
    serverIds: readonly NodeId[],
    initialVoters: readonly NodeId[] = serverIds,
    logMatchingEvery = 250,
  ) {
    this.bootstrap = { voters: [...initialVoters], outgoing: [], learners: [], learnersNext: [] };
    this.refs = serverIds.map((id) => sim.node<RaftNode>(id));
    this.logMatchingEvery = logMatchingEvery;
    sim.onEvent(() => this.check());
  }

  private fail(what: string): never {
    throw new InvariantViolation(`${what} (at t=${this.sim.nowMs.toFixed(3)} ms, event ${this.events})`);
  }

  check(): void {
    this.events++;
    for (const ref of this.refs) {
      const node = ref.instance;
      if (node === undefined) continue;
      const core = node.core;
      const id = ref.id;
      const term = core.currentTerm;
      const commit = core.commitIndex;
      // Commit index never regresses, even across crash and restart (it is durable).
      const prevCommit = this.lastCommit.get(id) ?? 0;
      if (commit < prevCommit) this.fail(`commit index of ${id} regressed from ${prevCommit} to ${commit}`);
      this.lastCommit.set(id, commit);
      if (core.currentRole === "leader") {
        // Election Safety.
        const other = this.leaderOfTerm.get(term);
        if (other !== undefined && other !== id) this.fail(`two leaders in term ${term}: ${other} and ${id}`);
        this.leaderOfTerm.set(term, id);
        const seen = this.leaderSeen.get(id);
        if (seen === undefined || seen.term !== term) {
          // Leader Completeness: a new leader of term T holds every entry committed in a term < T.
          for (let i = Math.max(core.logOffsetIndex + 1, 1); i <= this.maxCommitted; i++) {
            const e = this.committed[i];
            const mine = core.entryAt(i);
            if (
              e !== undefined &&
              this.commitTermBound[i]! < term &&
              (mine === undefined || !sameEntry(mine, e))
            ) {
              this.fail(`leader ${id} of term ${term} lacks committed entry ${i}`);
            }
          }
        } else if (seen.last > core.logOffsetIndex) {
          // Leader Append-Only.
          if (core.lastIndex < seen.last || core.termAt(seen.last) !== seen.lastTerm) {
            this.fail(`leader ${id} of term ${term} truncated its log below ${seen.last}`);
          }
        }
        this.leaderSeen.set(id, { term, last: core.lastIndex, lastTerm: core.termAt(core.lastIndex) ?? 0 });
      } else {
        this.leaderSeen.delete(id);
      }
      // State Machine Safety: the committed prefix of every node is the same log.
      const from = Math.max(this.checkedCommit.get(id) ?? 0, core.logOffsetIndex) + 1;
      for (let i = from; i <= commit; i++) {
        const e = core.entryAt(i);
        if (e === undefined) this.fail(`${id} commit ${commit} but entry ${i} is missing`);
        const g = this.committed[i];
        if (g === undefined) {
          this.committed[i] = e;
          this.commitTermBound[i] = term;
          if (e.kind === "config") {
            this.configs.push({ index: i, membership: (e.data as ConfigChangeData).membership });
            this.configs.sort((a, b) => a.index - b.index);
          }
        } else if (!sameEntry(g, e)) {
          this.fail(`${id} committed entry ${i} (term ${e.term}) differs from committed (term ${g.term})`);
        }
      }
      this.checkedCommit.set(id, commit);
      if (commit > this.maxCommitted) this.maxCommitted = commit;
    }
    this.checkDurableMajority();
    if (this.events % this.logMatchingEvery === 0) this.checkLogMatching();
  }

  /** The highest committed entry is on the (synced) disks of a majority of the voters. */
  private checkDurableMajority(): void {
    const c = this.maxCommitted;
    if (c === 0) return;
    const g = this.committed[c];
    if (g === undefined) return;
    const holds = (id: NodeId) => {
      const core = this.refs.find((r) => r.id === id)?.instance.core;
      return core !== undefined && (core.logOffsetIndex >= c || core.termAt(c) === g.term);
    };
    // The entry was committed under the membership of the last configuration entry before it or,
    // when both were committed together, under the one before that.
    let k1 = -1;
    for (let i = this.configs.length - 1; i >= 0; i--) {
      if (this.configs[i]!.index < c) {
        k1 = i;
        break;
      }
    }
    const after = k1 >= 0 ? this.configs[k1]!.membership : this.bootstrap;
    const before = k1 >= 1 ? this.configs[k1 - 1]!.membership : this.bootstrap;
    const majorityHolds = (voters: readonly NodeId[]) =>
      voters.filter(holds).length >= Math.floor(voters.length / 2) + 1;
    if (!majorityHolds(after.voters) && !majorityHolds(before.voters)) {
      this.fail(
        `committed entry ${c} is durable on only ${after.voters.filter(holds).length} of ${after.voters.length} voters`,
      );
    }
  }

  /** Log Matching: two logs with an entry of the same index and term agree on every entry before it. */
  checkLogMatching(): void {
    const cores = this.refs.map((r) => ({ id: r.id, core: r.instance.core }));
    for (let a = 0; a < cores.length; a++) {
      for (let b = a + 1; b < cores.length; b++) {
        const x = cores[a]!;
        const y = cores[b]!;
        const lo = Math.max(x.core.logOffsetIndex, y.core.logOffsetIndex) + 1;
        const hi = Math.min(x.core.lastIndex, y.core.lastIndex);
        let matched = false;
        for (let i = hi; i >= lo; i--) {
          const ex = x.core.entryAt(i)!;
          const ey = y.core.entryAt(i)!;
          if (!matched && ex.term === ey.term) matched = true;
          if (matched && !sameEntry(ex, ey)) {
            this.fail(`log matching violated between ${x.id} and ${y.id} at index ${i}`);
          }
        }
      }
    }
  }
}

export interface WorkloadOptions {
  readonly keys?: readonly string[];
  /** Fraction of gets. */
  readonly readRatio?: number;
  /** Stop issuing new operations after this true time (ms). */
  readonly untilMs: number;
  /** Pause between a client's operations (ms). */
  readonly thinkMs?: number;
}

export interface Workload {
  readonly recorder: HistoryRecorder;
  completed: number;
  timeouts: number;
  readonly appliedValues: Map<string, string[]>;
}

/**
 * Drives every client of the cluster with random operations until `untilMs`, recording a history
 * in @distkit/check's format (timeouts of writes are `info`, of gets `fail`).
 */
export function startWorkload(cluster: Cluster, options: WorkloadOptions): Workload {
  const { sim } = cluster;
  const keys = options.keys ?? ["x", "y"];
  const readRatio = options.readRatio ?? 0.4;
  const think = options.thinkMs ?? 5;
  const recorder = new HistoryRecorder();
  const wl: Workload = { recorder, completed: 0, timeouts: 0, appliedValues: new Map() };
  let rng = (cluster.sim.seed ^ 0x9e3779b9) >>> 0;
  const next = () => {
    rng = (Math.imul(rng ^ (rng >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return rng / 0x100000000;
  };
  let counter = 0;
  for (const cid of cluster.clientIds) {
    let incarnation = 0;
    const loop = () => {
      if (sim.nowMs >= options.untilMs) return;
      const key = keys[Math.floor(next() * keys.length)]!;
      const r = next();
      let op: KvOperation;
      let f: string;
      let value: string | null = null;
      if (r < readRatio) {
        op = { kind: "get", key };
        f = "get";
      } else {
        value = `${cid}.${counter++}`;
        const append = next() < 0.5;
        op = append ? { kind: "append", key, value: `${value};` } : { kind: "put", key, value };
        f = append ? "append" : "put";
        if (append) value = `${value};`;
      }
      const process = `${cid}#${incarnation}`;
      const handle = recorder.invoke(process, f, { key, value }, sim.nowMs);
      cluster.client(cid).submit(op, (result) => {
        if (result.kind === "ok") {
          wl.completed++;
          recorder.ok(handle, f === "get" ? (result.outcome.value ?? "") : undefined, sim.nowMs);
        } else {
          wl.timeouts++;
          if (f === "get") recorder.fail(handle, undefined, sim.nowMs);
          else {
            recorder.info(handle, sim.nowMs);
            incarnation++;
          }
        }
        sim.schedule(think * next(), loop, "workload");
      });
    };
    sim.schedule(1 + next() * 10, loop, "workload");
  }
  return wl;
}

/** A small deterministic PRNG for test-side choices. */
export function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
