/**
 * A naive broadcast for the workbench's `broadcast` workload (Gossip Glomers 3b/3c): on a new
 * message, send it once to every peer and acknowledge. Under a partition the copies to the other
 * side are dropped and never re-sent, so after the heal some node lacks an acknowledged message:
 * the workbench finds it, shrinks the fault schedule to one short partition and replays it.
 *
 * Run: npx tsx --conditions=source examples/workbench-broadcast-naive.ts
 * Or:  npx tsx --conditions=source packages/workbench/src/cli.ts broadcast examples/workbench-broadcast-naive.ts --nemesis partition
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Message, NodeContext } from "@distkit/sim-net";
import { broadcast, formatResult, isClientRequest, replyTo, runWorkload } from "@distkit/workbench";

/** The naive node: fire-and-forget gossip. */
export default function naiveBroadcast(ctx: NodeContext) {
  const seen = new Set<number>();
  return {
    onMessage(from: string, m: Message & { message?: number }) {
      if (m.type === "gossip") seen.add(m.message as number);
      else if (isClientRequest(m) && m.type === "broadcast") {
        const value = m.message as number;
        if (!seen.has(value)) {
          seen.add(value);
          for (const peer of ctx.peers) ctx.send(peer, { type: "gossip", message: value } as Message);
        }
        ctx.send(from, replyTo(m));
      } else if (isClientRequest(m) && m.type === "read") ctx.send(from, replyTo(m, { messages: [...seen] }));
    },
  };
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = runWorkload({
    workload: broadcast(),
    nodes: naiveBroadcast,
    nodeCount: 5,
    seeds: 50,
    nemesis: ["partition"],
  });
  console.log(formatResult(result));
}
