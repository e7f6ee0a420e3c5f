import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { enterJoint, leaveJoint, quorumValue, simpleMembership, tally } from "../src/membership.js";
import type { Membership } from "../src/index.js";
import { RaftLog } from "../src/raft-log.js";

const ids = ["a", "b", "c", "d", "e", "f", "g"];
const voterSet = fc.subarray(ids, { minLength: 1 });

/** Brute force: the largest v such that some majority all have value >= v. */
function bruteMajority(voters: readonly string[], values: Record<string, number>): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  const candidates = voters.map((v) => values[v]!);
  let best = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    const holders = voters.filter((v) => values[v]! >= c).length;
    if (holders > voters.length / 2 && c > best) best = c;
  }
  return best;
}

describe("membership quorums", () => {
  test.prop(
    [voterSet, fc.subarray(ids), fc.dictionary(fc.constantFrom(...ids), fc.nat({ max: 20 }), { minKeys: 7 })],
    {
      numRuns: 300,
    },
  )("quorumValue of a joint configuration is the min of both majorities", (voters, outgoing, raw) => {
    const values: Record<string, number> = {};
    for (const id of ids) values[id] = raw[id] ?? 0;
    const m: Membership = {
      voters: voters.sort(),
      outgoing: [...outgoing].sort(),
      learners: [],
      learnersNext: [],
    };
    const expected = Math.min(bruteMajority(m.voters, values), bruteMajority(m.outgoing, values));
    expect(quorumValue(m, (id) => values[id]!)).toBe(expected);
  });

  test.prop([voterSet, fc.subarray(ids), fc.dictionary(fc.constantFrom(...ids), fc.boolean())], {
    numRuns: 300,
  })("tally wins only with a majority of granted votes in every voter set", (voters, outgoing, votes) => {
    const m: Membership = { voters, outgoing, learners: [], learnersNext: [] };
    const map = new Map(Object.entries(votes));
    const granted = (vs: readonly string[]) => vs.filter((v) => map.get(v) === true).length;
    const rejected = (vs: readonly string[]) => vs.filter((v) => map.get(v) === false).length;
    const win = (vs: readonly string[]) => vs.length === 0 || granted(vs) > vs.length / 2;
    const lose = (vs: readonly string[]) =>
      vs.length > 0 && vs.length - rejected(vs) < Math.floor(vs.length / 2) + 1;
    const r = tally(m, map);
    if (win(voters) && win(outgoing)) expect(r).toBe("won");
    else if (lose(voters) || lose(outgoing)) expect(r).toBe("lost");
    else expect(r).toBe("pending");
  });

  it("enters and leaves joint configurations; demoted voters become learners on leaving", () => {
    const m0 = simpleMembership(["a", "b", "c"]);
    const joint = enterJoint(m0, { voters: ["a", "b", "d"], learners: ["c", "e"] });
    expect(joint).toEqual({
      voters: ["a", "b", "d"],
      outgoing: ["a", "b", "c"],
      learners: ["e"],
      learnersNext: ["c"],
    });
    expect(leaveJoint(joint)).toEqual({
      voters: ["a", "b", "d"],
      outgoing: [],
      learners: ["c", "e"],
      learnersNext: [],
    });
    expect(() => enterJoint(m0, { voters: [] })).toThrow(/at least one voter/);
    expect(() => enterJoint(m0, { voters: ["a"], learners: ["a"] })).toThrow(/both a voter and a learner/);
    expect(() => enterJoint(m0, { voters: ["a", "a"] })).toThrow(/duplicates/);
  });
});

describe("RaftLog", () => {
  test.prop(
    [fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 30 }), fc.nat({ max: 40 }), fc.nat({ max: 6 })],
    {
      numRuns: 300,
    },
  )("findConflictByTerm returns the largest index <= i whose term <= t", (increments, i, t) => {
    let term = 1;
    const entries = increments.map((inc, k) => {
      term += inc;
      return { index: k + 1, term, kind: "normal" as const, data: null, sizeBytes: 1 };
    });
    const log = new RaftLog(0, 0, entries, 0, 0);
    const got = log.findConflictByTerm(i, t);
    let expected = 0;
    for (let k = Math.min(i, entries.length); k >= 1; k--) {
      if (entries[k - 1]!.term <= t) {
        expected = k;
        break;
      }
    }
    expect(got).toBe(expected);
  });

  it("maybeAppend truncates a conflicting suffix but never a matching one (reordered appends)", () => {
    const e = (index: number, term: number) => ({
      index,
      term,
      kind: "normal" as const,
      data: index,
      sizeBytes: 1,
    });
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 1)], 1, 1);
    expect(log.maybeAppend(1, 1, [e(2, 1)])).toBe(2);
    expect(log.lastIndex()).toBe(3); // an older, shorter append does not truncate
    expect(log.maybeAppend(1, 1, [e(2, 2)])).toBe(2);
    expect(log.lastIndex()).toBe(2);
    expect(log.term(2)).toBe(2);
    expect(log.maybeAppend(5, 1, [])).toBeUndefined();
    expect(() => log.maybeAppend(0, 0, [e(1, 9)])).toThrow(/cannot overwrite committed/);
  });
});
