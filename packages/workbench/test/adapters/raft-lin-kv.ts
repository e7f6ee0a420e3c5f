/**
 * An adapter between the workbench's lin-kv client protocol and @distkit/raft's KV protocol: every
 * node runs a RaftNode plus a proxy that turns `read`/`write`/`cas` into `kv.request`s (a fresh
 * client session per request, so Raft applies each exactly once), follows leader hints, retries, and
 * answers the workbench client (`read_ok`, `write_ok`, `cas_ok`, error 20/22, or error 0 when it
 * gives up without knowing the outcome).
 */
import type { KvOperation, KvResponse, RaftConfig, ReadMode } from "@distkit/raft";
import { RaftNode } from "@distkit/raft";
import type { Message, NodeContext, NodeFactory, NodeId, TimerId } from "@distkit/sim-net";
import { type ClientRequest, type Json, errorTo, isClientRequest, replyTo } from "../../src/index.js";

export interface RaftLinKvOptions {
  readonly raft?: RaftConfig;
  readonly readMode?: ReadMode;
  /** The proxy gives up (error 0, indefinite) after this long; default 400 ms. */
  readonly deadlineMs?: number;
  /** One attempt at one server waits this long; default 100 ms. */
  readonly attemptTimeoutMs?: number;
}

interface Pending {
  readonly client: NodeId;
  readonly request: ClientRequest;
  readonly kvRequest: {
    readonly type: "kv.request";
    readonly clientId: string;
    readonly seq: number;
    readonly op: KvOperation;
  };
  readonly deadlineMs: number;
  timer: TimerId | undefined;
}

const enc = (v: Json | undefined): string => JSON.stringify(v ?? null);

export function raftLinKvNode(options: RaftLinKvOptions = {}): NodeFactory {
  const deadlineMs = options.deadlineMs ?? 400;
  const attemptMs = options.attemptTimeoutMs ?? 100;
  return (ctx: NodeContext) => {
    const servers = [ctx.id, ...ctx.peers].sort();
    const boot = (ctx.storage.get<number>("workbench/boot") ?? 0) + 1;
    ctx.storage.set("workbench/boot", boot);
    ctx.storage.sync();
    let counter = 0;
    const pending = new Map<string, Pending>();
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
        if (to === ctx.id && m.type === "kv.response")
          ctx.setTimer(0, () => onKvResponse(m as unknown as KvResponse), "proxy");
        else ctx.send(to, m);
      },
    };
    const raft = new RaftNode(innerCtx as never, {
      voters: servers,
      ...(options.raft !== undefined ? { raft: options.raft } : {}),
      ...(options.readMode !== undefined ? { readMode: options.readMode } : {}),
    });

    const finish = (p: Pending, reply: Message): void => {
      if (p.timer !== undefined) ctx.cancelTimer(p.timer);
      pending.delete(p.kvRequest.clientId);
      ctx.send(p.client, reply);
    };
    const attempt = (p: Pending, target: NodeId): void => {
      if (!pending.has(p.kvRequest.clientId)) return;
      if (ctx.now() >= p.deadlineMs) {
        finish(p, errorTo(p.request, "timeout", "no answer from the cluster in time"));
        return;
      }
      if (p.timer !== undefined) ctx.cancelTimer(p.timer);
      p.timer = ctx.setTimer(attemptMs, () => attempt(p, ctx.random.pick(servers)), "proxy retry");
      if (target === ctx.id) raft.onMessage(ctx.id, p.kvRequest as never);
      else ctx.send(target, p.kvRequest as unknown as Message);
    };
    const onKvResponse = (m: KvResponse): void => {
      const p = pending.get(m.clientId);
      if (p === undefined) return;
      const r = m.reply;
      const f = p.request.type;
      if (r.kind === "ok") {
        const o = r.outcome;
        if (f === "read")
          finish(
            p,
            o.value === null
              ? errorTo(p.request, "key-does-not-exist")
              : replyTo(p.request, { value: JSON.parse(o.value) as Json }),
          );
        else if (f === "write") finish(p, replyTo(p.request));
        else if (o.ok) finish(p, replyTo(p.request));
        else finish(p, errorTo(p.request, o.value === null ? "key-does-not-exist" : "precondition-failed"));
        return;
      }
      if (p.timer !== undefined) ctx.cancelTimer(p.timer);
      const next = r.kind === "notLeader" && r.leaderHint !== null ? r.leaderHint : ctx.random.pick(servers);
      p.timer = ctx.setTimer(
        r.kind === "notLeader" && r.leaderHint !== null ? 0 : 20,
        () => attempt(p, next),
        "proxy backoff",
      );
    };
    // A request delivered twice (a duplicating network) must run once: remember recent (client, msg_id).
    const seenRequests = new Set<string>();
    const onClient = (from: NodeId, req: ClientRequest): void => {
      const dedup = `${from}/${req.msg_id}`;
      if (seenRequests.has(dedup)) return;
      if (seenRequests.size >= 10_000) seenRequests.clear();
      seenRequests.add(dedup);
      const key = String(req.key);
      let op: KvOperation;
      if (req.type === "read") op = { kind: "get", key };
      else if (req.type === "write") op = { kind: "put", key, value: enc(req.value) };
      else if (req.type === "cas") op = { kind: "cas", key, expected: enc(req.from), value: enc(req.to) };
      else {
        ctx.send(from, errorTo(req, "not-supported", `unknown request type ${req.type}`));
        return;
      }
      const clientId = `wb/${ctx.id}/${boot}/${++counter}`;
      const p: Pending = {
        client: from,
        request: req,
        kvRequest: { type: "kv.request", clientId, seq: 1, op },
        deadlineMs: ctx.now() + deadlineMs,
        timer: undefined,
      };
      pending.set(clientId, p);
      attempt(p, ctx.id);
    };
    return {
      onStart: () => raft.onStart(),
      onMessage: (from: NodeId, m: Message) => {
        if (m.type === "kv.response") onKvResponse(m as unknown as KvResponse);
        else if (isClientRequest(m) && !servers.includes(from)) onClient(from, m);
        else raft.onMessage(from, m as never);
      },
    };
  };
}
