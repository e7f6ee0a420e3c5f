/**
 * The `echo` workload (Gossip Glomers 1): a node answers `{ type: "echo", msg_id, echo }` with
 * `{ type: "echo_ok", in_reply_to, echo }` carrying the same payload.
 *
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { type Workload, type WorkloadRun, ProblemList, short } from "../workload.js";

/**
 * The echo workload. Rules: every `echo_ok` carries the payload that was sent, and every node answers
 * at least one request.
 *
 * @example
 * ```ts
 * const result = runWorkload({ workload: echo(), nodes: (ctx) => ({ onMessage(from, m) { ctx.send(from, { ...m, type: "echo_ok", in_reply_to: m.msg_id }); } }), nodeCount: 1 });
 * ```
 */
export function echo(): Workload {
  return {
    name: "echo",
    start(): WorkloadRun {
      let n = 0;
      return {
        next: (c) => {
          const payload = `please echo ${++n} from ${c.client}`;
          return { f: "echo", input: payload, request: { type: "echo", echo: payload } };
        },
        decode: (_op, reply) =>
          reply.echo !== undefined
            ? { ok: true, output: reply.echo }
            : { ok: false, reason: "echo_ok without an echo field" },
        check(ops, context) {
          const problems = new ProblemList();
          const answered = new Set<NodeId>();
          let ok = 0;
          for (const op of ops) {
            if (op.status !== "ok") continue;
            ok++;
            answered.add(op.node);
            if (op.output !== op.input)
              problems.add(
                `op ${op.id} on ${op.node}: sent ${short(op.input, 60)}, echoed ${short(op.output, 60)}`,
              );
          }
          for (const id of context.nodeIds) if (!answered.has(id)) problems.add(`${id} echoed nothing`);
          return { valid: problems.count === 0, problems: problems.result(), metrics: { echoed: ok } };
        },
      };
    },
  };
}
