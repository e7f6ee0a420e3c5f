import { describe, expect, it } from "vitest";
import { type LwwState, lwwPolicy } from "../src/index.js";
import { type Cluster, makeCluster, randomFaults, rng } from "./helpers.js";

/**
 * Sloppy quorum without anti-entropy and without read repair: after the faults end, hinted handoff alone
 * must bring every replica of every key to the same state, and no acknowledged write may be lost.
 *
 * Workload: each key has one writer (a client) writing 1, 2, 3, ... one write after the other, through
 * random coordinators whose clocks agree, so a later write always carries a higher LWW timestamp and the
 * value every replica must end with is at least the last acknowledged one.
 *
 * Faults (seeded): random two-way partitions of the store nodes, heals, and crashes with restarts (at most
 * two nodes down at once), for 1.5 s; then everything heals and restarts, and the cluster gets 3 s of
 * handoff time.
 */
const SEEDS = Array.from({ length: Number(process.env.QUORUM_SEEDS ?? 60) }, (_, i) => i + 1);
const KEYS = Array.from({ length: 9 }, (_, i) => `key-${i}`);
const FAULT_UNTIL_MS = 1500;

interface Outcome {
  readonly diverged: string[];
  readonly lost: string[];
  readonly ackedWrites: number;
  readonly handedOff: number;
}

function runSeed(seed: number): Outcome {
  const cluster: Cluster<LwwState> = makeCluster<LwwState>({
    seed,
    clients: 3,
    node: {
      policy: lwwPolicy(),
      n: 3,
      r: 2,
      w: 2,
      sloppyQuorum: true,
      readRepair: "off",
      antiEntropy: false,
      timeoutMs: 40,
      hintedHandoffIntervalMs: 50,
    },
    client: { routing: "random", timeoutMs: 40 },
  });
  const { sim, nodes, clients, placement } = cluster;
  const next = rng(seed * 7919);
  randomFaults(cluster, seed, FAULT_UNTIL_MS, 2);
  // Workload: one writer per key, sequential writes 1, 2, 3, ...
  const acked = new Map<string, number>();
  let ackedWrites = 0;
  KEYS.forEach((key, i) => {
    const client = clients[i % clients.length]!.instance;
    let v = 0;
    const step = (): void => {
      if (sim.nowMs > FAULT_UNTIL_MS - 50) return;
      v++;
      const value = v;
      client.put(key, value, {}, (r) => {
        if (r.ok) {
          ackedWrites++;
          acked.set(key, Math.max(acked.get(key) ?? 0, value));
        }
        sim.schedule(next() * 10, step);
      });
    };
    sim.schedule(next() * 10, step);
  });
  sim.runFor(FAULT_UNTIL_MS + 3000);
  const diverged: string[] = [];
  const lost: string[] = [];
  for (const key of KEYS) {
    const owners = placement.preferenceList(key, 3);
    const digests = owners.map((o) => nodes.find((n) => n.id === o)!.instance.localDigest(key));
    if (new Set(digests).size !== 1) diverged.push(`${key} [${digests.join(" ; ")}]`);
    // Lost: no owner holds the last acknowledged value (or a later one).
    const last = acked.get(key) ?? 0;
    const held = owners.map((o) => {
      const values = nodes.find((n) => n.id === o)!.instance.localValues(key);
      return values.length === 0 ? 0 : (values[0] as number);
    });
    if (Math.max(...held) < last)
      lost.push(`${key}: owners hold ${held.join(", ")}, last acknowledged ${last}`);
  }
  const handedOff = nodes.reduce((sum, n) => sum + n.instance.stats.hintsHandedOff, 0);
  const pending = nodes.reduce((sum, n) => sum + n.instance.pendingHints, 0);
  if (pending > 0) diverged.push(`${pending} hint(s) still pending after the handoff time`);
  return { diverged, lost, ackedWrites, handedOff };
}

describe("sloppy quorum + hinted handoff, anti-entropy off", () => {
  it(`every replica of every key converges after heal and handoff, and no acknowledged write is lost (${SEEDS.length} seeds)`, () => {
    const failures: string[] = [];
    let keysDiverged = 0;
    let acked = 0;
    let handedOff = 0;
    for (const seed of SEEDS) {
      const out = runSeed(seed);
      acked += out.ackedWrites;
      handedOff += out.handedOff;
      keysDiverged += out.diverged.length;
      if (out.diverged.length > 0 || out.lost.length > 0) {
        failures.push(
          `seed ${seed}: ${out.diverged.length} key(s) diverged, ${out.lost.length} lost; first: ${out.diverged[0] ?? out.lost[0]}`,
        );
      }
    }
    if (failures.length > 0) {
      console.log(
        `${failures.length} of ${SEEDS.length} seeds failed (${keysDiverged} keys diverged):\n${failures.join("\n")}`,
      );
    }
    // The faults must actually leave work to hinted handoff, or the test proves nothing.
    expect(acked).toBeGreaterThan(SEEDS.length * 100);
    expect(handedOff).toBeGreaterThan(SEEDS.length);
    expect(failures).toEqual([]);
  });
});
