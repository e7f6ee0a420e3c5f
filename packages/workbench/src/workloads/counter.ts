/**
 * The counter workloads (Gossip Glomers 4): `{ type: "add", delta }` is answered with `add_ok`;
 * `{ type: "read" }` with `{ type: "read_ok", value }`. `g-counter` adds only non-negative deltas,
 * `pn-counter` any integer. After the cluster healed, every node is read.
 *
 * @module
 */
import { type Workload, type WorkloadRun, ProblemList } from "../workload.js";

function counter(name: "g-counter" | "pn-counter", allowNegative: boolean): Workload {
  return {
    name,
    start(): WorkloadRun {
      return {
        next: (c) => {
          if (c.random.next() < 0.3) return { f: "read", input: null, request: { type: "read" } };
          const delta = allowNegative ? c.random.int(-5, 6) : c.random.int(0, 6);
          return { f: "add", input: delta, request: { type: "add", delta } };
        },
        final: (nodeIds) =>
          nodeIds.map((node) => ({ f: "read", input: null, request: { type: "read" }, node })),
        decode(op, reply) {
          if (op.f === "add") return { ok: true, output: null };
          return typeof reply.value === "number" && Number.isSafeInteger(reply.value)
            ? { ok: true, output: reply.value }
            : { ok: false, reason: "read_ok needs value: an integer" };
        },
        check(ops, context) {
          const problems = new ProblemList();
          // The final value must lie in [okSum + negative unknowns, okSum + positive unknowns].
          let okSum = 0;
          let maybeUp = 0;
          let maybeDown = 0;
          for (const op of ops) {
            if (op.f !== "add") continue;
            const d = op.input as number;
            if (op.status === "ok") okSum += d;
            else if (op.status === "info") {
              if (d > 0) maybeUp += d;
              else maybeDown += d;
            }
          }
          const lower = okSum + maybeDown;
          const upper = okSum + maybeUp;
          // Main-phase reads: no increment that was never invoked (g-counter: value within [0, sum of adds invoked before]).
          const adds = ops.filter((o) => o.f === "add" && o.status !== "fail");
          for (const op of ops) {
            if (op.f !== "read" || op.status !== "ok" || op.phase !== "main") continue;
            const v = op.output as number;
            let hi = 0;
            let lo = 0;
            for (const a of adds) {
              if (a.callMs > op.returnMs) continue;
              const d = a.input as number;
              if (d > 0) hi += d;
              else lo += d;
            }
            if (v > hi || v < lo)
              problems.add(
                `read op ${op.id} on ${op.node} returned ${v}, outside [${lo}, ${hi}] (adds invoked before it returned)`,
              );
          }
          const finals = new Map<string, number>();
          for (const op of ops)
            if (op.phase === "final" && op.f === "read" && op.status === "ok")
              finals.set(op.node, op.output as number);
          let wrong = 0;
          for (const node of context.nodeIds) {
            const v = finals.get(node);
            if (v === undefined) {
              problems.add(`${node} answered no final read after the cluster healed`);
              continue;
            }
            if (v < lower || v > upper) {
              wrong++;
              problems.add(
                lower === upper
                  ? `${node} reads ${v} after heal; the acknowledged sum is ${okSum}`
                  : `${node} reads ${v} after heal; acknowledged adds and indeterminate ones bound it to [${lower}, ${upper}]`,
              );
            }
          }
          const values = [...finals.values()];
          if (values.length > 1 && values.some((v) => v !== values[0]))
            problems.add(
              `nodes disagree after heal: ${[...finals.entries()].map(([n, v]) => `${n}=${v}`).join(", ")}`,
            );
          return {
            valid: problems.count === 0,
            problems: problems.result(),
            metrics: {
              acknowledgedSum: okSum,
              finalReadsOutOfBounds: wrong,
              indeterminateAdds: ops.filter((o) => o.f === "add" && o.status === "info").length,
            },
          };
        },
      };
    },
  };
}

/**
 * The grow-only counter workload. Rules: every node's final read (after heal) lies between the sum of
 * acknowledged adds and that sum plus the indeterminate ones; all final reads agree; no read ever
 * exceeds the adds invoked before it returned.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: gCounter(), nodes: myCounter, nodeCount: 3, nemesis: ["partition", "crash"] });
 * ```
 */
export function gCounter(): Workload {
  return counter("g-counter", false);
}

/**
 * The PN-counter workload: as {@link gCounter}, with negative deltas too (indeterminate decrements
 * widen the lower bound).
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: pnCounter(), nodes: myCounter, nodeCount: 3 });
 * ```
 */
export function pnCounter(): Workload {
  return counter("pn-counter", true);
}
