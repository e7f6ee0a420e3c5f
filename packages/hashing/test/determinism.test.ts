import ConsistentHash from "consistent-hash";
import { describe, expect, it } from "vitest";
import { HashRing, JumpHash, MaglevHash, RendezvousHash } from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

describe("determinism across clients", () => {
  const members = memberIds(10);
  const ks = keys(5000);

  it("the npm `consistent-hash` ring places nodes with Math.random: two clients disagree on most keys", () => {
    // Same nodes, added in the same order, in two "clients" (two instances, as on two machines).
    const client1 = new ConsistentHash();
    const client2 = new ConsistentHash();
    for (const m of members) {
      client1.add(m);
      client2.add(m);
    }
    let disagree = 0;
    for (const k of ks) if (client1.get(k) !== client2.get(k)) disagree++;
    // Independent random rings agree only by chance (about 1 key in n): far more than half disagree.
    expect(disagree / ks.length).toBeGreaterThan(0.5);
  });

  it("our partitioners agree on every key, whatever the order members were given in", () => {
    const shuffled = [...members].reverse();
    const pairs = [
      [HashRing.create(members), HashRing.create(shuffled)],
      [RendezvousHash.create(members), RendezvousHash.create(shuffled)],
      [MaglevHash.create(members), MaglevHash.create(shuffled)],
      [JumpHash.create(members), JumpHash.create(members)],
    ] as const;
    for (const [a, b] of pairs) for (const k of ks) expect(b.locate(k)).toBe(a.locate(k));
  });
});
