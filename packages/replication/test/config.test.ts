import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type CommitMode,
  commitSatisfied,
  LeaseTable,
  ReplicationError,
  validateCommitMode,
  validateConflictPolicy,
  validateMultiLeaderConfig,
  validateReplicaConfig,
  validateTopology,
} from "../src/index.js";

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ReplicationError);
    return (error as ReplicationError).code;
  }
  return undefined;
}

describe("bad configuration throws a typed error", () => {
  it("k larger than the followers", () => {
    expect(codeOf(() => validateCommitMode({ kind: "any", k: 3 }, ["f1", "f2"]))).toBe("invalid-commit-mode");
    expect(codeOf(() => validateCommitMode({ kind: "first", k: 2, priority: ["f1"] }, ["f1", "f2"]))).toBe(
      "invalid-commit-mode",
    );
    expect(
      codeOf(() =>
        validateReplicaConfig({ replicas: ["a", "b"], initialLeader: "a", commit: { kind: "any", k: 2 } }),
      ),
    ).toBe("invalid-commit-mode");
  });

  it("malformed commit modes", () => {
    expect(codeOf(() => validateCommitMode({ kind: "any", k: 0 }, ["f1"]))).toBe("invalid-commit-mode");
    expect(codeOf(() => validateCommitMode({ kind: "first", k: 1, priority: ["zz"] }, ["f1"]))).toBe(
      "invalid-commit-mode",
    );
    expect(codeOf(() => validateCommitMode({ kind: "first", k: 1, priority: ["f1", "f1"] }, ["f1"]))).toBe(
      "invalid-commit-mode",
    );
    expect(codeOf(() => validateCommitMode({ kind: "quorum" } as unknown as CommitMode, ["f1"]))).toBe(
      "invalid-commit-mode",
    );
  });

  it("unknown topology", () => {
    expect(codeOf(() => validateTopology({ kind: "mesh" } as never, ["a"]))).toBe("unknown-topology");
    expect(
      codeOf(() =>
        validateMultiLeaderConfig({
          leaders: ["a", "b"],
          topology: { kind: "tree" } as never,
          conflict: { kind: "lww" },
        }),
      ),
    ).toBe("unknown-topology");
  });

  it("conflicting options", () => {
    expect(
      codeOf(() =>
        validateReplicaConfig({ replicas: ["a", "b"], initialLeader: "a", fallbackTimeoutMs: 100 }),
      ),
    ).toBe("conflicting-options");
    expect(codeOf(() => validateTopology({ kind: "all-to-all", hub: "a" } as never, ["a", "b"]))).toBe(
      "conflicting-options",
    );
    expect(
      codeOf(() =>
        validateReplicaConfig({
          replicas: ["a", "b"],
          initialLeader: "a",
          failover: {
            leaseStore: () => ({ acquire() {}, handle: () => false }),
            leaseTtlMs: 1000,
            renewIntervalMs: 950,
          },
        }),
      ),
    ).toBe("conflicting-options");
  });

  it("other malformed configuration", () => {
    expect(codeOf(() => validateReplicaConfig({ replicas: [], initialLeader: "a" }))).toBe("invalid-config");
    expect(codeOf(() => validateReplicaConfig({ replicas: ["a"], initialLeader: "b" }))).toBe(
      "invalid-config",
    );
    expect(codeOf(() => validateReplicaConfig({ replicas: ["a", "a"], initialLeader: "a" }))).toBe(
      "invalid-config",
    );
    expect(
      codeOf(() => validateReplicaConfig({ replicas: ["a"], initialLeader: "a", heartbeatIntervalMs: -1 })),
    ).toBe("invalid-config");
    expect(codeOf(() => validateTopology({ kind: "star", hub: "z" }, ["a", "b"]))).toBe("invalid-config");
    expect(codeOf(() => validateTopology({ kind: "circular", order: ["a"] }, ["a", "b"]))).toBe(
      "invalid-config",
    );
    expect(codeOf(() => validateConflictPolicy({ kind: "fancy" } as never))).toBe("unknown-conflict-policy");
    expect(codeOf(() => validateConflictPolicy({ kind: "merge" } as never))).toBe("invalid-config");
    expect(
      codeOf(() =>
        validateMultiLeaderConfig({
          leaders: ["a", "b"],
          followers: { a: ["f"], b: ["f"] },
          topology: { kind: "all-to-all" },
          conflict: { kind: "lww" },
        }),
      ),
    ).toBe("invalid-config");
  });

  it("error messages say what is accepted", () => {
    try {
      validateCommitMode({ kind: "any", k: 3 }, ["f1", "f2"]);
    } catch (error) {
      expect((error as Error).message).toMatch(/accepted: 1\.\.2/);
    }
  });
});

const followersArb: fc.Arbitrary<string[]> = fc.uniqueArray(fc.constantFrom("f1", "f2", "f3", "f4", "f5"), {
  minLength: 1,
  maxLength: 5,
});

const modeArb = (followers: readonly string[]): fc.Arbitrary<CommitMode> =>
  fc.oneof(
    fc.constant<CommitMode>({ kind: "async" }),
    fc.constant<CommitMode>({ kind: "sync" }),
    fc.integer({ min: 1, max: followers.length }).map((k): CommitMode => ({ kind: "any", k })),
    fc
      .shuffledSubarray([...followers], { minLength: 1 })
      .chain((priority) =>
        fc.integer({ min: 1, max: priority.length }).map((k): CommitMode => ({ kind: "first", k, priority })),
      ),
  );

describe("commit condition laws", () => {
  it("is monotone: more followers having the write never un-satisfies a mode", () => {
    fc.assert(
      fc.property(
        followersArb.chain((fs) => fc.tuple(fc.constant(fs), modeArb(fs), fc.subarray(fs), fc.subarray(fs))),
        ([followers, mode, has, extra]) => {
          validateCommitMode(mode, followers);
          const before = commitSatisfied(
            mode,
            followers,
            () => true,
            (id) => has.includes(id),
          );
          const after = commitSatisfied(
            mode,
            followers,
            () => true,
            (id) => has.includes(id) || extra.includes(id),
          );
          expect(!before || after).toBe(true);
          // Everyone having it always satisfies; nobody having it only satisfies async.
          expect(
            commitSatisfied(
              mode,
              followers,
              () => true,
              () => true,
            ),
          ).toBe(true);
          expect(
            commitSatisfied(
              mode,
              followers,
              () => true,
              () => false,
            ),
          ).toBe(mode.kind === "async");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sync implies every other mode; ANY k is the count of followers that have it", () => {
    fc.assert(
      fc.property(
        followersArb.chain((fs) => fc.tuple(fc.constant(fs), modeArb(fs), fc.subarray(fs))),
        ([followers, mode, has]) => {
          const h = (id: string) => has.includes(id);
          if (commitSatisfied({ kind: "sync" }, followers, () => true, h)) {
            expect(commitSatisfied(mode, followers, () => true, h)).toBe(true);
          }
          if (mode.kind === "any")
            expect(commitSatisfied(mode, followers, () => true, h)).toBe(has.length >= mode.k);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("lease table", () => {
  it("never grants to two holders at once, and each new holder gets a larger epoch", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ holder: fc.constantFrom("a", "b", "c"), dtMs: fc.integer({ min: 0, max: 40 }) }),
          {
            maxLength: 60,
          },
        ),
        (requests) => {
          const table = new LeaseTable();
          let nowMs = 0;
          let current: { holder: string; epoch: number; untilMs: number } | undefined;
          for (const r of requests) {
            nowMs += r.dtMs;
            const o = table.apply({ holder: r.holder, ttlMs: 100, nowMs });
            if (o.outcome === "granted") {
              if (current !== undefined && nowMs < current.untilMs) expect(o.holder).toBe(current.holder);
              if (current !== undefined) {
                if (o.holder === current.holder && nowMs < current.untilMs)
                  expect(o.epoch).toBe(current.epoch);
                else expect(o.epoch).toBeGreaterThan(current.epoch);
              }
              current = { holder: o.holder, epoch: o.epoch, untilMs: nowMs + 100 };
            } else {
              expect(o.outcome).toBe("refused");
              expect(current !== undefined && nowMs < current.untilMs && current.holder !== r.holder).toBe(
                true,
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
