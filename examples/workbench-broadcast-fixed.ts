/**
 * The fixed broadcast (Gossip Glomers 3c, fault-tolerant): every message is sent to every peer
 * and re-sent every `retryMs` until that peer acknowledges it, so a partition only delays delivery.
 * It passes the workbench's `broadcast` workload under partitions, loss and duplication, and the
 * workbench reports its messages per operation and stable latency (3d/3e's figures).
 *
 * Run: npx tsx --conditions=source examples/workbench-broadcast-fixed.ts
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Message, NodeContext } from "@distkit/sim-net";
import { broadcast, formatResult, isClientRequest, replyTo, runWorkload } from "@distkit/workbench";

type Gossip = Message & { readonly type: "gossip" | "gossip_ack"; readonly messages: readonly number[] };

/** The fixed node: batched gossip, re-sent until acknowledged. */
export function fixedBroadcast(retryMs = 50) {
  return (ctx: NodeContext) => {
    const seen = new Set<number>();
    const unacked = new Map<string, Set<number>>(ctx.peers.map((p) => [p, new Set<number>()]));
    const flush = () => {
      for (const [peer, pending] of unacked)
        if (pending.size > 0) ctx.send(peer, { type: "gossip", messages: [...pending] } as Gossip);
      ctx.setTimer(retryMs, flush, "gossip retry");
    };
    const learn = (values: readonly number[], from?: string) => {
      for (const v of values) {
        if (seen.has(v)) continue;
        seen.add(v);
        for (const [peer, pending] of unacked) if (peer !== from) pending.add(v);
      }
    };
    return {
      onStart: () => ctx.setTimer(retryMs, flush, "gossip retry"),
      onMessage(from: string, m: Message & Record<string, unknown>) {
        if (m.type === "gossip") {
          const g = m as unknown as Gossip;
          learn(g.messages, from);
          ctx.send(from, { type: "gossip_ack", messages: g.messages } as Gossip);
        } else if (m.type === "gossip_ack") {
          const pending = unacked.get(from);
          for (const v of (m as unknown as Gossip).messages) pending?.delete(v);
        } else if (isClientRequest(m) && m.type === "broadcast") {
          learn([m.message as number]);
          ctx.send(from, replyTo(m));
        } else if (isClientRequest(m) && m.type === "read")
          ctx.send(from, replyTo(m, { messages: [...seen] }));
      },
    };
  };
}

export default fixedBroadcast();

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = runWorkload({
    workload: broadcast(),
    nodes: fixedBroadcast(),
    nodeCount: 5,
    seeds: 50,
    nemesis: ["partition", "loss", "duplicate"],
  });
  console.log(formatResult(result));
}
