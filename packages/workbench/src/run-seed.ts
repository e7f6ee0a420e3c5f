/**
 * One run of a workload against a node factory: one seed, one fault schedule.
 *
 * @module
 */
import {
  EventStormError,
  type FaultSchedule,
  type LinkConfig,
  type Message,
  type NodeFactory,
  type NodeId,
  SimNetError,
  type SimNode,
  Simulation,
} from "@distkit/sim-net";
import { WorkbenchClient, type ClientShared } from "./client.js";
import { WorkbenchError, assertNonNegative, assertPositiveInteger } from "./errors.js";
import { NodeLedger, type NodeProblemKind, type NodeReport, guardNode } from "./guard.js";
import { clientIds, serverIds } from "./protocol.js";
import { StatsAccumulator, type RunStats } from "./stats.js";
import type { CheckOutcome, WorkbenchOperation, Workload } from "./workload.js";

/**
 * A node factory as the workbench takes it: any sim-net node factory (its message type is the
 * node's business; the workbench checks at run time that messages are JSON data).
 *
 * @example
 * ```ts
 * const nodes: WorkbenchNodeFactory = (ctx) => ({ onMessage(from, m) { ctx.send(from, m); } });
 * ```
 */
export type WorkbenchNodeFactory = NodeFactory<Message, SimNode<Message>>;

/**
 * How to run a workload once (everything but the seed and the schedule).
 *
 * @example
 * ```ts
 * const spec: RunSpec = { workload: echo(), nodes: myEchoNode, nodeCount: 1 };
 * ```
 */
export interface RunSpec {
  /** The workload (client generator and checker). */
  readonly workload: Workload;
  /** The user's node factory; one node per id `n1..nN`. */
  readonly nodes: WorkbenchNodeFactory;
  /** Cluster size; default 3. */
  readonly nodeCount?: number;
  /** Simulated clients `c1..cK`, one operation at a time each; default the node count. */
  readonly clientCount?: number;
  /** Length of the main phase (faults and operations), ms of simulated time; default 2000. */
  readonly durationMs?: number;
  /** Settling time after the cluster healed, before the final operations; default 1000. */
  readonly recoveryMs?: number;
  /** Time allowed for the final operations (retried until ok); default 2000. */
  readonly finalTimeoutMs?: number;
  /** A client gives up on a request after this long (recorded as indeterminate); default 500. */
  readonly requestTimeoutMs?: number;
  /** Mean pause between one client's operations, ms; default 10. */
  readonly thinkMs?: number;
  /** The network (latency distribution, loss, ...); default latency uniform 1 to 5 ms. */
  readonly network?: Partial<LinkConfig>;
  /** Check at send time that node messages are JSON data (default true; costs a walk per message). */
  readonly validateMessages?: boolean;
  /** Bound on simulated events per run (a message storm is reported, not hung on); default 5,000,000. */
  readonly maxEventsPerRun?: number;
  /** Bound on client operations per run; default 100,000. */
  readonly maxOperations?: number;
}

/** @internal Resolved run spec. */
export interface ResolvedSpec {
  readonly workload: Workload;
  readonly nodes: WorkbenchNodeFactory;
  readonly nodeCount: number;
  readonly clientCount: number;
  readonly durationMs: number;
  readonly recoveryMs: number;
  readonly finalTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly thinkMs: number;
  readonly network: Partial<LinkConfig>;
  readonly validateMessages: boolean;
  readonly maxEventsPerRun: number;
  readonly maxOperations: number;
  readonly nodeIds: readonly NodeId[];
}

/** @internal */
export function resolveSpec(spec: RunSpec): ResolvedSpec {
  if (typeof spec !== "object" || spec === null)
    throw new WorkbenchError("invalid-argument", "options must be an object { workload, nodes, ... }");
  if (
    typeof spec.workload !== "object" ||
    spec.workload === null ||
    typeof spec.workload.start !== "function"
  )
    throw new WorkbenchError(
      "invalid-argument",
      "workload must be a workload such as echo(), broadcast() or linKv() (an object with start())",
    );
  if (typeof spec.nodes !== "function")
    throw new WorkbenchError(
      "invalid-argument",
      "nodes must be a node factory (ctx) => ({ onMessage(from, message) {...} })",
    );
  const nodeCount = spec.nodeCount ?? 3;
  assertPositiveInteger(nodeCount, "nodeCount");
  const clientCount = spec.clientCount ?? nodeCount;
  assertPositiveInteger(clientCount, "clientCount");
  const r = {
    workload: spec.workload,
    nodes: spec.nodes,
    nodeCount,
    clientCount,
    durationMs: spec.durationMs ?? 2000,
    recoveryMs: spec.recoveryMs ?? 1000,
    finalTimeoutMs: spec.finalTimeoutMs ?? 2000,
    requestTimeoutMs: spec.requestTimeoutMs ?? 500,
    thinkMs: spec.thinkMs ?? 10,
    network: spec.network ?? { latency: { kind: "uniform", minMs: 1, maxMs: 5 } },
    validateMessages: spec.validateMessages ?? true,
    maxEventsPerRun: spec.maxEventsPerRun ?? 5_000_000,
    maxOperations: spec.maxOperations ?? 100_000,
    nodeIds: serverIds(nodeCount),
  } satisfies ResolvedSpec;
  assertPositiveInteger(Math.ceil(r.durationMs), "durationMs");
  assertNonNegative(r.recoveryMs, "recoveryMs");
  assertNonNegative(r.finalTimeoutMs, "finalTimeoutMs");
  assertNonNegative(r.thinkMs, "thinkMs");
  if (!(r.requestTimeoutMs > 0))
    throw new WorkbenchError(
      "invalid-argument",
      `requestTimeoutMs must be > 0, got ${String(r.requestTimeoutMs)}`,
    );
  assertPositiveInteger(r.maxEventsPerRun, "maxEventsPerRun");
  assertPositiveInteger(r.maxOperations, "maxOperations");
  return r;
}

/**
 * The outcome of one seed.
 *
 * - `pass`: the workload's checker accepted the run and no node misbehaved.
 * - `fail`: the checker rejected it, or a node misbehaved (threw, sent garbage, broke the protocol).
 * - `error`: the run could not finish (a message storm beyond `maxEventsPerRun`, say).
 *
 * @example
 * ```ts
 * const v: SeedVerdict = "fail";
 * ```
 */
export type SeedVerdict = "pass" | "fail" | "error";

/**
 * Everything about one seed's run.
 *
 * @example
 * ```ts
 * const run = replayWorkload(options, 17, shrunkSchedule);
 * console.log(run.verdict, run.problems);
 * ```
 */
export interface SeedRun {
  /** The simulation seed. */
  readonly seed: number;
  /** The fault schedule applied. */
  readonly schedule: FaultSchedule;
  /** The verdict. */
  readonly verdict: SeedVerdict;
  /** Why it failed (checker problems, then node problems), one line each. */
  readonly problems: readonly string[];
  /** The checker's outcome. */
  readonly check: CheckOutcome;
  /** Per-node reports (client traffic, misbehaviour). */
  readonly nodes: readonly NodeReport[];
  /** The recorded operations (invocation order). */
  readonly operations: readonly WorkbenchOperation[];
  /** Statistics of this run. */
  readonly stats: RunStats;
  /** Simulated time at the end (ms). */
  readonly endedAtMs: number;
  /** The simulation (for pictures and inspection); its trace is `off` unless requested. */
  readonly simulation: Simulation;
  /** @internal Mergeable stats. */
  readonly accumulator: StatsAccumulator;
}

/** Node problems that make a run fail (never-answers alone is a warning: a faulted node may be silent). */
const FAILING_PROBLEMS: ReadonlySet<NodeProblemKind> = new Set([
  "threw",
  "unknown-destination",
  "invalid-message",
  "invalid-factory",
  "malformed-reply",
]);

/** @internal Runs one seed. Never throws for a misbehaving node; throws WorkbenchError for bad input. */
export function runSeed(
  spec: ResolvedSpec,
  seed: number,
  schedule: FaultSchedule,
  trace: "off" | "full" = "off",
): SeedRun {
  if (!Number.isSafeInteger(seed))
    throw new WorkbenchError("invalid-seeds", `a seed must be a safe integer, got ${String(seed)}`);
  const sim = new Simulation({ seed, network: spec.network, trace, maxEventsPerRun: spec.maxEventsPerRun });
  const nodeIds = spec.nodeIds;
  const clients = clientIds(spec.clientCount);
  const known = new Set<NodeId>([...nodeIds, ...clients]);
  const clientSet = new Set<NodeId>(clients);
  const ledgers = new Map<NodeId, NodeLedger>(nodeIds.map((id) => [id, new NodeLedger(id)]));
  const run = spec.workload.start({ nodeIds });
  const finalOps = [...(run.final?.(nodeIds) ?? [])];
  const mainEndMs = Math.ceil(spec.durationMs);
  const shared: ClientShared = {
    run,
    nodeIds,
    ledgers,
    ops: [],
    nowMs: () => sim.nowMs,
    mainEndMs,
    timeoutMs: spec.requestTimeoutMs,
    thinkMs: spec.thinkMs,
    finalQueue: finalOps,
    finalPending: finalOps.length,
    finalDeadlineMs: Number.NEGATIVE_INFINITY,
    maxOperations: spec.maxOperations,
    lateReplies: 0,
  };
  for (const id of nodeIds) {
    const ledger = ledgers.get(id) as NodeLedger;
    sim.addNode(
      id,
      guardNode(spec.nodes, {
        ledger,
        serverIds: nodeIds,
        isKnown: (x) => known.has(x),
        isClient: (x) => clientSet.has(x),
        nowMs: () => sim.nowMs,
        validateMessages: spec.validateMessages,
        onReplyToClient: () => ledger.replies++,
      }),
    );
  }
  const clientRefs = clients.map((id, i) => sim.addNode(id, (ctx) => new WorkbenchClient(ctx, i, shared)));
  try {
    sim.applySchedule(schedule);
  } catch (error) {
    if (error instanceof SimNetError)
      throw new WorkbenchError("invalid-schedule", `fault schedule rejected: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
  let runError: string | undefined;
  try {
    sim.runFor(mainEndMs + spec.recoveryMs);
    if (finalOps.length > 0) {
      shared.finalDeadlineMs = sim.nowMs + spec.finalTimeoutMs;
      for (const ref of clientRefs) sim.schedule(0, () => ref.instance.startFinal(), "final phase");
      sim.runUntil(() => shared.finalPending <= 0, { timeoutMs: spec.finalTimeoutMs });
      // Let replies in flight land, so late replies are counted rather than lost.
      sim.runFor(Math.min(spec.requestTimeoutMs, 50));
    }
  } catch (error) {
    runError =
      error instanceof EventStormError
        ? `the run stopped: more than ${spec.maxEventsPerRun} simulated events (a message or timer storm?) at ${Math.round(sim.nowMs)} ms`
        : `the run stopped at ${Math.round(sim.nowMs)} ms: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  const operations = shared.ops
    .slice()
    .sort((a, b) => a.callMs - b.callMs || a.id - b.id)
    .map((op, id) => ({ ...op, id }));
  for (const ledger of ledgers.values()) {
    if (ledger.requests >= 3 && ledger.replies === 0)
      ledger.problem("never-answers", sim.nowMs, `answered none of ${ledger.requests} client requests`);
  }
  const serverSet = new Set(nodeIds);
  let nodeMessages = 0;
  for (const link of sim.stats.links)
    if (serverSet.has(link.from) && serverSet.has(link.to)) nodeMessages += link.sent;
  let check: CheckOutcome;
  try {
    check = run.check(operations, { nodeIds, healedAtMs: mainEndMs, nodeMessages });
  } catch (error) {
    check = {
      valid: false,
      problems: [`the checker failed: ${error instanceof Error ? error.message : String(error)}`],
      metrics: {},
    };
  }
  const nodes = [...ledgers.values()].map((l) => l.report());
  const problems: string[] = [];
  if (runError !== undefined) problems.push(runError);
  if (!check.valid) problems.push(...check.problems);
  let nodeFailure = false;
  for (const n of nodes) {
    for (const p of n.problems) {
      if (FAILING_PROBLEMS.has(p.kind)) nodeFailure = true;
      problems.push(`${n.id} ${p.kind} (x${p.count}, first at ${Math.round(p.firstAtMs)} ms): ${p.detail}`);
    }
  }
  const verdict: SeedVerdict =
    runError !== undefined ? "error" : !check.valid || nodeFailure ? "fail" : "pass";
  const accumulator = new StatsAccumulator();
  accumulator.addRun(operations, nodeMessages, shared.lateReplies);
  return {
    seed,
    schedule,
    verdict,
    problems,
    check,
    nodes,
    operations,
    stats: accumulator.stats(),
    endedAtMs: sim.nowMs,
    simulation: sim,
    accumulator,
  };
}
