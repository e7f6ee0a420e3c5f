/**
 * Nemeses: fault schedules for a run, drawn with fast-check so failing schedules shrink. Partitions
 * come in Jepsen's shapes (random halves, majorities rings, bridges, one isolated node); crashes with
 * restarts, pauses and clock skew are drawn by sim-net's `faultScheduleArb`; loss and duplication
 * change the links between nodes for a while. Every schedule ends, at `durationMs`, with a recovery
 * tail: heal, and every node resumed and restarted.
 *
 * @module
 */
import type { FaultEvent, FaultKind, FaultSchedule, LinkConfig, NodeId } from "@distkit/sim-net";
import { faultScheduleArb } from "@distkit/sim-net/testing";
import * as fc from "fast-check";
import { WorkbenchError, assertPositiveInteger } from "./errors.js";

/**
 * The nemesis kinds.
 *
 * - `partition`: network partitions between nodes (random halves, a majorities ring, a bridge, one
 *   node isolated), each healed after a while.
 * - `crash`: crashes and restarts (unsynced writes lost; sometimes torn writes).
 * - `pause`: pauses and resumes (a stop-the-world GC).
 * - `clock`: clock offsets and drift.
 * - `loss`: a period of message loss on every link between nodes (client links stay reliable).
 * - `duplicate`: a period of message duplication on every link between nodes.
 *
 * @example
 * ```ts
 * const kinds: NemesisKind[] = ["partition", "crash"];
 * ```
 */
export type NemesisKind = "partition" | "crash" | "pause" | "clock" | "loss" | "duplicate";

/**
 * Every nemesis kind.
 *
 * @example
 * ```ts
 * console.log(NEMESIS_KINDS.join(","));
 * ```
 */
export const NEMESIS_KINDS: readonly NemesisKind[] = Object.freeze([
  "partition",
  "crash",
  "pause",
  "clock",
  "loss",
  "duplicate",
]);

/**
 * Options of {@link nemesisArb}.
 *
 * @example
 * ```ts
 * const o: NemesisOptions = { nodeIds: ["n1", "n2", "n3"], durationMs: 2000, kinds: ["partition"] };
 * ```
 */
export interface NemesisOptions {
  /** The cluster's nodes (clients are never faulted, but an isolated node is cut from everyone). */
  readonly nodeIds: readonly NodeId[];
  /** Faults happen in [0, durationMs); the recovery tail is at durationMs. */
  readonly durationMs: number;
  /** Which nemeses (default: all). */
  readonly kinds?: readonly NemesisKind[];
  /** Most faults per kind group in one schedule (default 4). */
  readonly maxFaults?: number;
  /** The loss and duplication rates restored after a loss/duplication period (default 0). */
  readonly baseNetwork?: Partial<LinkConfig>;
}

/**
 * Checks nemesis names (from a CLI flag, say); throws `unknown-nemesis` otherwise.
 *
 * @example
 * ```ts
 * parseNemesis("partition,crash"); // ["partition", "crash"]
 * ```
 */
export function parseNemesis(text: string | readonly string[]): NemesisKind[] {
  const names = typeof text === "string" ? text.split(",").map((s) => s.trim()) : [...text];
  const out: NemesisKind[] = [];
  for (const name of names) {
    if (name === "" || name === "none") continue;
    if (name === "all") {
      out.push(...NEMESIS_KINDS);
      continue;
    }
    if (!(NEMESIS_KINDS as readonly string[]).includes(name)) {
      throw new WorkbenchError(
        "unknown-nemesis",
        `unknown nemesis "${name}"; accepted: ${NEMESIS_KINDS.join(", ")}, all, none (comma-separated)`,
      );
    }
    out.push(name as NemesisKind);
  }
  return [...new Set(out)];
}

/** A partition shape, as cuts between pairs of nodes (pairs are additive in sim-net). */
function shapeCuts(shape: string, order: readonly NodeId[], sides: readonly boolean[]): FaultEvent[] {
  const n = order.length;
  const at = 0;
  if (shape === "halves") {
    const a = order.filter((_, i) => sides[i]);
    const b = order.filter((_, i) => !sides[i]);
    if (a.length === 0) a.push(b.shift() as NodeId);
    if (b.length === 0) b.push(a.pop() as NodeId);
    return [{ atMs: at, kind: "partition", groups: [a, b] }];
  }
  if (shape === "isolate") {
    const [first, ...rest] = order;
    return [{ atMs: at, kind: "partition", groups: [[first as NodeId], rest] }];
  }
  if (shape === "bridge") {
    // order[0] is the bridge: it sees both sides, which do not see each other.
    const rest = order.slice(1);
    const half = Math.ceil(rest.length / 2);
    const a = rest.slice(0, half);
    const b = rest.slice(half);
    return b.length === 0 ? [] : [{ atMs: at, kind: "partition", groups: [a, b] }];
  }
  // Majorities ring: in ring order, every node sees the nodes within ring distance d (d chosen so
  // that each sees a majority), and no two nodes see the same majority.
  if (n <= 3)
    return n < 3
      ? []
      : [{ atMs: at, kind: "partition", groups: [[order[0] as NodeId], [order[2] as NodeId]] }];
  const majority = Math.floor(n / 2) + 1;
  const d = Math.ceil((majority - 1) / 2);
  const cuts: FaultEvent[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dist = Math.min(j - i, n - (j - i));
      if (dist > d)
        cuts.push({ atMs: at, kind: "partition", groups: [[order[i] as NodeId], [order[j] as NodeId]] });
    }
  }
  return cuts;
}

function withTime(events: readonly FaultEvent[], atMs: number): FaultEvent[] {
  return events.map((e) => ({ ...e, atMs }));
}

/**
 * A fast-check arbitrary of fault schedules for a run (shrinks towards fewer, shorter, simpler faults),
 * ending with the recovery tail at `durationMs`.
 *
 * @example
 * ```ts
 * const schedule = fc.sample(nemesisArb({ nodeIds: ["n1", "n2", "n3"], durationMs: 1000, kinds: ["partition"] }), 1)[0];
 * ```
 */
export function nemesisArb(options: NemesisOptions): fc.Arbitrary<FaultSchedule> {
  const ids = [...options.nodeIds];
  if (ids.length === 0) throw new WorkbenchError("invalid-argument", "nemesisArb needs at least one node id");
  const durationMs = Math.ceil(options.durationMs);
  assertPositiveInteger(durationMs, "nemesis durationMs");
  const kinds = options.kinds ?? NEMESIS_KINDS;
  parseNemesis(kinds);
  const maxFaults = options.maxFaults ?? 4;
  if (!Number.isSafeInteger(maxFaults) || maxFaults < 0)
    throw new WorkbenchError(
      "invalid-argument",
      `maxFaults must be an integer >= 0, got ${String(maxFaults)}`,
    );
  const atMs = fc.integer({ min: 0, max: durationMs - 1 });
  const lengthMs = fc.integer({ min: 1, max: durationMs });
  const parts: fc.Arbitrary<FaultEvent[]>[] = [];
  if (kinds.includes("partition") && ids.length >= 2) {
    const shapes = ["halves", "isolate", "bridge", "ring"] as const;
    const one = fc
      .record({
        at: atMs,
        len: lengthMs,
        shape: fc.constantFrom(...shapes),
        order: fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }),
        sides: fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
      })
      .map(({ at, len, shape, order, sides }) => {
        const cuts = withTime(shapeCuts(shape, order, sides), at);
        const healAt = Math.min(durationMs - 1, at + len);
        return cuts.length === 0 ? [] : [...cuts, { atMs: healAt, kind: "heal" } as FaultEvent];
      });
    parts.push(fc.array(one, { maxLength: maxFaults }).map((xs) => xs.flat()));
  }
  const simKinds: FaultKind[] = [];
  if (kinds.includes("crash")) simKinds.push("crash", "restart");
  if (kinds.includes("pause")) simKinds.push("pause", "resume");
  if (kinds.includes("clock")) simKinds.push("clock");
  if (simKinds.length > 0) {
    parts.push(
      faultScheduleArb({
        nodeIds: ids,
        durationMs,
        kinds: simKinds,
        maxFaults: maxFaults * (simKinds.length > 1 ? 2 : 1),
        recoverAtEnd: false,
        maxClockOffsetMs: 500,
        maxDriftPpm: 1000,
      }).map((s) => [...s]),
    );
  }
  // Loss and duplication hit the links between cluster nodes only: clients talk to the cluster as
  // over TCP (a lost request is a timeout, but a request is never delivered twice).
  const pairs: [NodeId, NodeId][] = [];
  for (const a of ids) for (const b of ids) if (a !== b) pairs.push([a, b]);
  const linkEvents = (atMs: number, config: Partial<LinkConfig>): FaultEvent[] =>
    pairs.map(([from, to]): FaultEvent => ({ atMs, kind: "link", from, to, config }));
  const period = (field: "lossRate" | "duplicateRate", max: number) =>
    fc
      .array(
        fc
          .record({ at: atMs, len: lengthMs, rate: fc.double({ min: 0.05, max, noNaN: true }) })
          .map(({ at, len, rate }): FaultEvent[] => [
            ...linkEvents(at, { [field]: Math.round(rate * 100) / 100 }),
            ...linkEvents(Math.min(durationMs - 1, at + len), { [field]: options.baseNetwork?.[field] ?? 0 }),
          ]),
        { maxLength: Math.max(1, Math.ceil(maxFaults / 2)) },
      )
      .map((xs) => xs.flat());
  if (kinds.includes("loss")) parts.push(period("lossRate", 0.5));
  if (kinds.includes("duplicate")) parts.push(period("duplicateRate", 0.5));
  const tail = recoveryTail(ids, durationMs);
  if (parts.length === 0) return fc.constant(tail);
  return fc.tuple(...parts).map((groups) => {
    const all = groups.flat().map((f, i) => ({ f, i }));
    all.sort((x, y) => x.f.atMs - y.f.atMs || x.i - y.i);
    return [...all.map((x) => x.f), ...tail];
  });
}

/**
 * The recovery tail of a schedule at `atMs`: heal, resume and restart every node. (Loss and
 * duplication periods drawn by {@link nemesisArb} restore the links themselves.)
 *
 * @example
 * ```ts
 * const schedule = [{ atMs: 10, kind: "crash", node: "n1" }, ...recoveryTail(["n1", "n2"], 500)];
 * ```
 */
export function recoveryTail(nodeIds: readonly NodeId[], atMs: number): FaultEvent[] {
  return [
    { atMs, kind: "heal" },
    ...nodeIds.map((node): FaultEvent => ({ atMs, kind: "resume", node })),
    ...nodeIds.map((node): FaultEvent => ({ atMs, kind: "restart", node })),
  ];
}

/**
 * A short human-readable line per fault of a schedule (the recovery tail folded into one line).
 *
 * @example
 * ```ts
 * console.log(describeSchedule(schedule).join("\n"));
 * ```
 */
export function describeSchedule(schedule: FaultSchedule): string[] {
  const lines: string[] = [];
  const last = schedule.length === 0 ? -1 : Math.max(...schedule.map((f) => f.atMs));
  const tailAt =
    schedule.some((f) => f.kind === "heal" && f.atMs === last) &&
    schedule.some((f) => f.kind === "restart" && f.atMs === last)
      ? last
      : undefined;
  let tailDone = false;
  for (let i = 0; i < schedule.length; i++) {
    const f = schedule[i] as FaultEvent;
    const t = `${f.atMs} ms`;
    if (f.atMs === tailAt && (f.kind === "heal" || f.kind === "resume" || f.kind === "restart")) {
      if (!tailDone) lines.push(`${t}: heal, every node resumed and restarted (recovery)`);
      tailDone = true;
      continue;
    }
    switch (f.kind) {
      case "partition":
        lines.push(`${t}: partition ${f.groups.map((g) => `{${g.join(",")}}`).join(" | ")}`);
        break;
      case "link": {
        // Fold a run of link events at the same time with the same config into one line.
        let j = i;
        const key = JSON.stringify(f.config);
        while (j + 1 < schedule.length) {
          const g = schedule[j + 1] as FaultEvent;
          if (g.kind !== "link" || g.atMs !== f.atMs || JSON.stringify(g.config) !== key) break;
          j++;
        }
        lines.push(`${t}: links ${j > i ? `(${j - i + 1} between nodes)` : `${f.from}->${f.to}`} ${key}`);
        i = j;
        break;
      }
      case "network":
        lines.push(`${t}: network ${JSON.stringify(f.config)}`);
        break;
      case "heal":
        lines.push(`${t}: heal`);
        break;
      case "crash":
      case "restart":
      case "pause":
      case "resume":
      case "isolate":
        lines.push(`${t}: ${f.kind} ${f.node}`);
        break;
      case "clock":
        lines.push(`${t}: clock ${f.node} offset ${f.offsetMs ?? 0} ms, drift ${f.driftPpm ?? 0} ppm`);
        break;
      default:
        lines.push(`${t}: ${JSON.stringify(f)}`);
    }
  }
  return lines;
}
