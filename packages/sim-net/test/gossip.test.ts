import { describe, expect, it } from "vitest";
import { type NodeContext, type SimNode, Simulation } from "../src/index.js";

type Gossip = { readonly type: "gossip"; readonly rumors: readonly string[] };

/** Push-pull anti-entropy: every 10 ms of local time, send everything known to one random peer. */
class GossipNode implements SimNode<Gossip> {
  readonly known = new Set<string>();
  constructor(private readonly ctx: NodeContext<Gossip>) {}
  onStart(): void {
    const tick = (): void => {
      if (this.known.size > 0) {
        this.ctx.send(this.ctx.random.pick(this.ctx.peers), {
          type: "gossip",
          rumors: [...this.known].sort(),
        });
      }
      this.ctx.setTimer(10, tick, "gossip");
    };
    this.ctx.setTimer(this.ctx.random.int(0, 10), tick, "gossip");
  }
  learn(rumor: string): void {
    this.known.add(rumor);
  }
  onMessage(_from: string, message: Gossip): void {
    for (const r of message.rumors) this.known.add(r);
  }
}

function world(seed: number) {
  const sim = new Simulation({
    seed,
    network: { latency: { kind: "exponential", meanMs: 3 }, lossRate: 0.25, duplicateRate: 0.05 },
  });
  const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const refs = ids.map((id) =>
    sim.addNode(id, (ctx: NodeContext<Gossip>) => new GossipNode(ctx), { clock: { driftPpm: 50 } }),
  );
  return { sim, ids, refs };
}

describe("gossip example", () => {
  it("converges under 25% loss and across a partition that heals", () => {
    for (const seed of [1, 2, 3]) {
      const { sim, ids, refs } = world(seed);
      const left = ids.slice(0, 5);
      const right = ids.slice(5);
      sim.partition(left, right);
      sim.runFor(1);
      refs[0]?.instance.learn("L");
      refs[9]?.instance.learn("R");
      sim.runFor(1000);
      // Each side converged on its own rumor only.
      for (const r of refs.slice(0, 5)) expect([...r.instance.known]).toEqual(["L"]);
      for (const r of refs.slice(5)) expect([...r.instance.known]).toEqual(["R"]);
      expect(sim.stats.dropsByReason.partition).toBeGreaterThan(0);
      expect(sim.stats.dropsByReason.loss).toBeGreaterThan(0);
      sim.heal();
      const converged = sim.runUntil(() => refs.every((r) => r.instance.known.size === 2), {
        timeoutMs: 5000,
      });
      expect(converged).toBe(true);
    }
  });
});
