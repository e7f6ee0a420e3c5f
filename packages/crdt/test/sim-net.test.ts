import { type Message, type NodeContext, Simulation } from "@distkit/sim-net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Crdt, type CrdtType, ORMap, ORSet, PNCounter, TextDoc } from "../src/index.js";

/** Messages: a delta after each local op, or a full state for anti-entropy; bytes as base64. */
type SyncMessage = { readonly type: "delta" | "state"; readonly bytes: string };

const toB64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

/** A replica node: applies local ops, broadcasts deltas, gossips its full state every 25 ms. */
class ReplicaNode<C extends Crdt<C, unknown>> {
  state: C;
  constructor(
    private readonly ctx: NodeContext<SyncMessage>,
    private readonly type: CrdtType<C>,
  ) {
    this.state = type.create(ctx.id);
  }
  onStart(): void {
    const gossip = (): void => {
      const peer = this.ctx.random.pick(this.ctx.peers);
      if (peer !== undefined) this.ctx.send(peer, { type: "state", bytes: toB64(this.state.encode()) });
      this.ctx.setTimer(25, gossip, "gossip");
    };
    this.ctx.setTimer(25, gossip, "gossip");
  }
  local(op: (s: C) => C): void {
    const delta = op(this.state);
    const bytes = toB64(delta.encode());
    for (const p of this.ctx.peers) this.ctx.send(p, { type: "delta", bytes });
  }
  onMessage(_from: string, m: Message): void {
    const msg = m as SyncMessage;
    this.state.merge(this.type.decode(fromB64(msg.bytes), this.ctx.id));
  }
}

interface Case<C extends Crdt<C, unknown>> {
  readonly name: string;
  readonly type: CrdtType<C>;
  readonly op: (rnd: number, s: C) => C;
}

const cases: Case<never>[] = [
  {
    name: "ORSet",
    type: ORSet.type<string>(),
    op: (r: number, s: ORSet<string>) => (r % 3 === 0 ? s.remove(`e${r % 5}`) : s.add(`e${r % 5}`)),
  } as Case<ORSet<string>>,
  {
    name: "PNCounter",
    type: PNCounter.type(),
    op: (r: number, s: PNCounter) => (r % 2 === 0 ? s.increment(r % 7) : s.decrement(r % 3)),
  } as Case<PNCounter>,
  {
    name: "ORMap<PNCounter>",
    type: ORMap.type(PNCounter.type()),
    op: (r: number, s: ORMap<PNCounter>) =>
      r % 4 === 0 ? s.remove(`k${r % 3}`) : s.update(`k${r % 3}`, (c) => c.increment(1 + (r % 4))),
  } as Case<ORMap<PNCounter>>,
  {
    name: "TextDoc",
    type: TextDoc.type(),
    op: (r: number, s: TextDoc) =>
      r % 4 === 0 && s.length > 0
        ? s.deleteDelta(r % s.length, 1)
        : s.insertDelta(r % (s.length + 1), "abcdefgh"[r % 8] as string),
  } as Case<TextDoc>,
] as never[];

describe.each(cases)("$name over sim-net", (c: Case<never>) => {
  it("converges through loss, duplication, reordering and a partition once the network heals", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.array(fc.nat(1000), { minLength: 5, maxLength: 40 }),
        (seed, ops) => {
          const sim = new Simulation({
            seed,
            network: {
              latency: { kind: "uniform", minMs: 1, maxMs: 20 },
              lossRate: 0.2,
              duplicateRate: 0.1,
              fifo: false,
            },
            trace: "off",
          });
          const ids = ["n1", "n2", "n3", "n4"];
          for (const id of ids)
            sim.addNode(id, (ctx: NodeContext<SyncMessage>) => new ReplicaNode(ctx, c.type));
          sim.schedule(5, () => sim.partition(["n1", "n2"], ["n3", "n4"]));
          ops.forEach((r, i) => {
            sim.schedule(10 + i * 3, () => {
              const node = sim.node<ReplicaNode<never>>(ids[r % ids.length] as string).instance;
              node.local((s) => c.op(r, s));
            });
          });
          sim.schedule(10 + ops.length * 3 + 50, () => sim.heal());
          sim.runFor(10 + ops.length * 3 + 60);
          const states = (): Crdt<never, unknown>[] =>
            ids.map((id) => sim.node<ReplicaNode<never>>(id).instance.state);
          const converged = (): boolean => {
            const [first, ...rest] = states();
            return rest.every((s) => first !== undefined && s.equals(first as never));
          };
          const ok = sim.runUntil(converged, { timeoutMs: 5_000 });
          expect(ok).toBe(true);
          const values = states().map((s) =>
            JSON.stringify(s.value() instanceof Map ? [...(s.value() as Map<string, unknown>)] : s.value()),
          );
          expect(new Set(values).size).toBe(1);
        },
      ),
      { numRuns: 8 },
    );
  });
});
