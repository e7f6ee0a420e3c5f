import { describe, expect, it } from "vitest";
import { HashRing, MaglevHash, murmur3_32 } from "../src/index.js";
import { keys, memberIds } from "./helpers.js";

// Naive, independent transcriptions of the published algorithms, checked against the fast ones.

describe("HashRing against a linear-scan ring", () => {
  it("binary search over the sorted Uint32Array finds the same successor as a scan", () => {
    const members = ["alpha", "beta", "gamma", "delta"];
    const vnodes = 50;
    const points: { pos: number; id: string }[] = [];
    for (const id of [...members].sort()) {
      for (let j = 0; j < vnodes; j++) points.push({ pos: murmur3_32(`${id}#${j}`), id });
    }
    points.sort((a, b) => a.pos - b.pos || (a.id < b.id ? -1 : 1));
    const ring = HashRing.create(members, { vnodesPerWeight: vnodes });
    expect(ring.pointCount).toBe(members.length * vnodes);
    for (const k of keys(2000)) {
      const h = murmur3_32(k);
      const owner = (points.find((p) => p.pos >= h) ?? points[0]!).id;
      expect(ring.locate(k)).toBe(owner);
    }
  });
});

describe("MaglevHash against the paper's population pseudo-code", () => {
  it("fills the same table (equal weights)", () => {
    const members = memberIds(7).sort();
    const m = 1009;
    const offset = members.map((id) => murmur3_32(id, 0x6d61676c) % m);
    const skip = members.map((id) => (murmur3_32(id, 0x65762d31) % (m - 1)) + 1);
    const next = members.map(() => 0);
    const entry = new Array<number>(m).fill(-1);
    let filled = 0;
    outer: for (;;) {
      for (let i = 0; i < members.length; i++) {
        let c = (offset[i]! + next[i]! * skip[i]!) % m;
        while (entry[c]! >= 0) {
          next[i]!++;
          c = (offset[i]! + next[i]! * skip[i]!) % m;
        }
        entry[c] = i;
        next[i]!++;
        if (++filled === m) break outer;
      }
    }
    const maglev = MaglevHash.create(members, { tableSize: m });
    for (let s = 0; s < m; s++) expect(maglev.entryOwner(s)).toBe(members[entry[s]!]);
    for (const k of keys(500)) expect(maglev.locate(k)).toBe(members[entry[murmur3_32(k) % m]!]);
    const counts = new Map<string, number>();
    for (let s = 0; s < m; s++) counts.set(maglev.entryOwner(s), (counts.get(maglev.entryOwner(s)) ?? 0) + 1);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
  });
});
