/**
 * An adapter between the workbench's lin-kv protocol (read and write only: Dynamo-style stores have
 * no compare-and-set) and @distkit/quorum: every node is a QuorumNode (last-write-wins) coordinating
 * the requests of the clients that reach it.
 */
import { HashRing } from "@distkit/hashing";
import { type QuorumMessage, QuorumNode, lwwPolicy, partitionerPlacement } from "@distkit/quorum";
import type { Message, NodeContext, NodeFactory, NodeId } from "@distkit/sim-net";
import { type ClientRequest, type Json, errorTo, isClientRequest, replyTo } from "../../src/index.js";

export interface QuorumLinKvOptions {
  readonly n?: number;
  readonly r: number;
  readonly w: number;
  readonly readRepair?: "off" | "async" | "blocking";
  readonly timeoutMs?: number;
}

export function quorumLinKvNode(options: QuorumLinKvOptions): NodeFactory {
  return (ctx: NodeContext) => {
    const servers = [ctx.id, ...ctx.peers].sort();
    const placement = partitionerPlacement(HashRing.create(servers));
    let nextReq = 0;
    const pending = new Map<number, { readonly client: NodeId; readonly request: ClientRequest }>();
    const onResult = (m: QuorumMessage): void => {
      if (m.type !== "q.putResult" && m.type !== "q.getResult") return;
      const p = pending.get(m.reqId);
      if (p === undefined) return;
      pending.delete(m.reqId);
      const r = m.result;
      if (!r.ok) {
        // A write that reached fewer than W replicas may still have reached some: indefinite.
        ctx.send(
          p.client,
          errorTo(p.request, p.request.type === "read" ? "temporarily-unavailable" : "timeout", r.message),
        );
        return;
      }
      if (m.type === "q.getResult" && m.result.ok) {
        const values = m.result.values;
        if (values.length === 0) ctx.send(p.client, errorTo(p.request, "key-does-not-exist"));
        else ctx.send(p.client, replyTo(p.request, { value: values[0] as Json }));
      } else ctx.send(p.client, replyTo(p.request));
    };
    const innerCtx: NodeContext = {
      id: ctx.id,
      peers: ctx.peers,
      now: () => ctx.now(),
      random: ctx.random,
      storage: ctx.storage,
      log: (text, data) => ctx.log(text, data),
      setTimer: (d, f, l) => ctx.setTimer(d, f, l),
      cancelTimer: (t) => ctx.cancelTimer(t),
      send: (to, m) => {
        if (to === ctx.id && (m.type === "q.putResult" || m.type === "q.getResult"))
          ctx.setTimer(0, () => onResult(m as unknown as QuorumMessage), "proxy");
        else ctx.send(to, m);
      },
    };
    const node = new QuorumNode(innerCtx as never, {
      placement,
      policy: lwwPolicy(),
      n: options.n ?? 3,
      r: options.r,
      w: options.w,
      readRepair: options.readRepair ?? "off",
      timeoutMs: options.timeoutMs ?? 200,
    });
    return {
      onStart: () => (node as { onStart?: () => void }).onStart?.(),
      onMessage: (from: NodeId, m: Message) => {
        if (isClientRequest(m) && !servers.includes(from)) {
          const reqId = ++nextReq;
          pending.set(reqId, { client: from, request: m });
          const key = String(m.key);
          if (m.type === "read") node.onMessage(ctx.id, { type: "q.get", reqId, key, options: {} });
          else if (m.type === "write")
            node.onMessage(ctx.id, {
              type: "q.put",
              reqId,
              key,
              value: m.value ?? null,
              deleted: false,
              context: "",
              options: {},
            });
          else {
            pending.delete(reqId);
            ctx.send(from, errorTo(m, "not-supported", `${m.type} is not supported by a leaderless store`));
          }
          return;
        }
        node.onMessage(from, m as unknown as QuorumMessage);
      },
    };
  };
}
