import { describe, expect, it } from "vitest";
import {
  checkLinearizable,
  HistoryRecorder,
  measureStaleness,
  registerModel,
  versionOrderFromLinearization,
} from "../src/index.js";
import { rng } from "./helpers.js";

/**
 * A tiny discrete-event simulation: clients send read/write requests over a network with random
 * latency to a register service. `replicas` = 1 is a single correct register (linearizable);
 * with lagging replicas, reads are served by a random replica that applies writes late (stale reads).
 */
function simulate(seed: number, lagMs: number, clients: number, opsPerClient: number) {
  const random = rng(seed);
  const h = new HistoryRecorder();
  type Ev = { at: number; seq: number; run: () => void };
  const queue: Ev[] = [];
  let seq = 0;
  const at = (t: number, run: () => void) => {
    queue.push({ at: t, seq: seq++, run });
  };
  let primary: number | null = null;
  let follower: number | null = null; // applies each write lagMs later
  let fresh = 0;
  const latency = () => 1 + random() * 4;
  const startOp = (client: number, now: number, left: number) => {
    if (left === 0) return;
    if (random() < 0.5) {
      const value = ++fresh;
      const op = h.invoke(client, "write", value, now);
      at(now + latency(), () => {
        primary = value;
        at(now + lagMs, () => {
          follower = value;
        });
        const t = now + latency() * 2;
        at(t, () => {
          h.ok(op, undefined, t);
          startOp(client, t + random() * 3, left - 1);
        });
      });
    } else {
      const op = h.invoke(client, "read", null, now);
      const served = now + latency();
      at(served, () => {
        const value = lagMs > 0 && random() < 0.5 ? follower : primary;
        const t = served + latency();
        at(t, () => {
          h.ok(op, value, t);
          startOp(client, t + random() * 3, left - 1);
        });
      });
    }
  };
  for (let c = 0; c < clients; c++) at(random() * 5, () => startOp(c, random() * 5, opsPerClient));
  for (let i = 0; i < 100_000 && queue.length > 0; i++) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    queue.shift()!.run();
  }
  return h.history();
}

describe("simulated registers", () => {
  it("a correct single-copy register is always linearizable", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const history = simulate(seed, 0, 5, 30);
      expect(history.length).toBe(150);
      const result = checkLinearizable(history, registerModel());
      expect(result.verdict, `seed ${seed}`).toBe("linearizable");
      const versionOrder = versionOrderFromLinearization(history, result)!;
      expect(measureStaleness(history, { versionOrder }).staleReads, `seed ${seed}`).toBe(0);
    }
  });

  it("a register that serves reads from a lagging follower is caught", () => {
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const history = simulate(seed, 40, 5, 30);
      const r = checkLinearizable(history, registerModel());
      const stale = measureStaleness(history);
      if (r.verdict === "not-linearizable") caught++;
      // whenever a read was stale, the checker must say so
      if (stale.staleReads > 0) expect(r.verdict, `seed ${seed}`).toBe("not-linearizable");
    }
    expect(caught).toBeGreaterThanOrEqual(15);
  });
});
