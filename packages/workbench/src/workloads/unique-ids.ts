/**
 * The `unique-ids` workload (Gossip Glomers 2): `{ type: "generate" }` is answered with
 * `{ type: "generate_ok", id }`; ids must be unique across the whole cluster, also while it is
 * partitioned (the workload is meant to be totally available).
 *
 * @module
 */
import { type Workload, type WorkloadRun, ProblemList, short } from "../workload.js";

/**
 * The unique-ids workload. Rules: no two ok `generate` operations return the same id (compared as
 * JSON); `availability` (ok / all) is reported as a metric.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: uniqueIds(), nodes: myIdNode, nodeCount: 3, nemesis: ["partition"] });
 * ```
 */
export function uniqueIds(): Workload {
  return {
    name: "unique-ids",
    start(): WorkloadRun {
      return {
        next: () => ({ f: "generate", input: null, request: { type: "generate" } }),
        decode: (_op, reply) =>
          reply.id === undefined || reply.id === null
            ? { ok: false, reason: "generate_ok without an id" }
            : { ok: true, output: reply.id },
        check(ops) {
          const problems = new ProblemList();
          const seen = new Map<string, number>();
          let ok = 0;
          let duplicates = 0;
          for (const op of ops) {
            if (op.status !== "ok") continue;
            ok++;
            const key = JSON.stringify(op.output);
            const prev = seen.get(key);
            if (prev !== undefined) {
              duplicates++;
              problems.add(
                `id ${short(op.output, 40)} returned twice: op ${prev} and op ${op.id} (${op.node})`,
              );
            } else seen.set(key, op.id);
          }
          return {
            valid: duplicates === 0,
            problems: problems.result(),
            metrics: {
              duplicateIds: duplicates,
              idsGenerated: ok,
              availability: ops.length === 0 ? 1 : ok / ops.length,
            },
          };
        },
      };
    },
  };
}
