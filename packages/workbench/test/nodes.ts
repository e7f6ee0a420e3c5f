/** Small nodes for the workloads' tests: correct ones and deliberately broken ones. */
import type { Message, NodeContext, NodeFactory } from "@distkit/sim-net";
import { type ClientRequest, errorTo, isClientRequest, replyTo } from "../src/index.js";

type Any = Message & Record<string, unknown>;

export const echoNode: NodeFactory = (ctx: NodeContext) => ({
  onMessage(from, m: Any) {
    if (isClientRequest(m) && m.type === "echo") ctx.send(from, replyTo(m, { echo: m.echo ?? null }));
  },
});

/** Echoes the payload upper-cased from n2: a wrong echo. */
export const wrongEchoNode: NodeFactory = (ctx: NodeContext) => ({
  onMessage(from, m: Any) {
    if (isClientRequest(m) && m.type === "echo")
      ctx.send(from, replyTo(m, { echo: ctx.id === "n2" ? String(m.echo).toUpperCase() : (m.echo ?? null) }));
  },
});

/** Unique ids from (node id, counter); the counter is synced so restarts do not reuse ids. */
export const uniqueIdNode: NodeFactory = (ctx: NodeContext) => {
  let next = ctx.storage.get<number>("next") ?? 0;
  return {
    onMessage(from, m: Any) {
      if (!isClientRequest(m) || m.type !== "generate") return;
      next++;
      ctx.storage.set("next", next);
      ctx.storage.sync();
      ctx.send(from, replyTo(m, { id: `${ctx.id}-${next}` }));
    },
  };
};

/** A counter without the node id: two nodes hand out the same ids. */
export const collidingIdNode: NodeFactory = (ctx: NodeContext) => {
  let next = 0;
  return {
    onMessage(from, m: Any) {
      if (isClientRequest(m) && m.type === "generate") ctx.send(from, replyTo(m, { id: ++next }));
    },
  };
};

/**
 * A state-based PN-counter CRDT: per-node increment and decrement totals, merged by max, gossiped to
 * every peer every 50 ms (and synced, so a crash keeps acknowledged adds).
 */
export const crdtCounterNode: NodeFactory = (ctx: NodeContext) => {
  const p: Record<string, number> = { ...(ctx.storage.get<Record<string, number>>("p") ?? {}) };
  const n: Record<string, number> = { ...(ctx.storage.get<Record<string, number>>("n") ?? {}) };
  const value = () =>
    Object.values(p).reduce((a, b) => a + b, 0) - Object.values(n).reduce((a, b) => a + b, 0);
  const persist = () => {
    ctx.storage.set("p", { ...p });
    ctx.storage.set("n", { ...n });
    ctx.storage.sync();
  };
  const gossip = () => {
    for (const peer of ctx.peers) ctx.send(peer, { type: "state", p: { ...p }, n: { ...n } } as Message);
    ctx.setTimer(50, gossip, "gossip");
  };
  return {
    onStart: () => ctx.setTimer(50, gossip, "gossip"),
    onMessage(from, m: Any) {
      if (m.type === "state") {
        for (const [k, v] of Object.entries(m.p as Record<string, number>)) p[k] = Math.max(p[k] ?? 0, v);
        for (const [k, v] of Object.entries(m.n as Record<string, number>)) n[k] = Math.max(n[k] ?? 0, v);
        persist();
      } else if (isClientRequest(m) && m.type === "add") {
        const d = m.delta as number;
        if (d >= 0) p[ctx.id] = (p[ctx.id] ?? 0) + d;
        else n[ctx.id] = (n[ctx.id] ?? 0) - d;
        persist();
        ctx.send(from, replyTo(m));
      } else if (isClientRequest(m) && m.type === "read") ctx.send(from, replyTo(m, { value: value() }));
    },
  };
};

/** A counter that never tells anyone: nodes read only their own adds. */
export const localCounterNode: NodeFactory = (ctx: NodeContext) => {
  let total = 0;
  return {
    onMessage(from, m: Any) {
      if (isClientRequest(m) && m.type === "add") {
        total += m.delta as number;
        ctx.send(from, replyTo(m));
      } else if (isClientRequest(m) && m.type === "read") ctx.send(from, replyTo(m, { value: total }));
    },
  };
};

/** A single-node register store (linearizable trivially: one node, one map). */
export const singleKvNode: NodeFactory = (ctx: NodeContext) => {
  const kv = new Map<string, unknown>();
  return {
    onMessage(from, m: Any) {
      if (!isClientRequest(m)) return;
      const r = m as ClientRequest;
      const key = String(r.key);
      if (r.type === "read") {
        if (!kv.has(key)) ctx.send(from, errorTo(r, "key-does-not-exist"));
        else ctx.send(from, replyTo(r, { value: kv.get(key) as number }));
      } else if (r.type === "write") {
        kv.set(key, r.value);
        ctx.send(from, replyTo(r));
      } else if (r.type === "cas") {
        if (!kv.has(key)) ctx.send(from, errorTo(r, "key-does-not-exist"));
        else if (kv.get(key) !== r.from) ctx.send(from, errorTo(r, "precondition-failed"));
        else {
          kv.set(key, r.to);
          ctx.send(from, replyTo(r));
        }
      }
    },
  };
};

/** Every node answers from its own map: not linearizable as soon as two nodes are used. */
export const splitBrainKvNode: NodeFactory = singleKvNode;
