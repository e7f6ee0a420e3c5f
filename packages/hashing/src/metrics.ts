import { HashingError } from "./errors.js";
import type { Member, MemberId } from "./member.js";
import type { Partitioner } from "./partitioner.js";
import { idealMovedShare } from "./rebalance-plan.js";

/**
 * How evenly a partitioner spreads a set of keys.
 *
 * @example
 * ```ts
 * import { HashRing, loadReport, type LoadReport } from "@distkit/hashing";
 * const report: LoadReport = loadReport(HashRing.create(["a", "b"]), ["k1", "k2", "k3"]);
 * ```
 */
export interface LoadReport {
  /** Number of keys counted. */
  readonly keyCount: number;
  /** Keys per member (every member present, zero included). */
  readonly perMember: ReadonlyMap<MemberId, number>;
  /** Mean keys per member. */
  readonly mean: number;
  /** Most keys on one member. */
  readonly max: number;
  /** Fewest keys on one member. */
  readonly min: number;
  /** max / mean: 1 is perfect balance (meaningful for equal weights). */
  readonly maxOverMean: number;
  /** Population standard deviation of the per-member counts. */
  readonly stdDev: number;
  /** stdDev / mean (coefficient of variation). */
  readonly relativeStdDev: number;
  /**
   * The largest ratio of a member's count to its weight-proportional expectation (keyCount × weight / total
   * weight): equals maxOverMean for equal weights, and stays meaningful with unequal ones.
   */
  readonly maxOverExpected: number;
}

/**
 * Counts where `partitioner` puts each key and summarizes the balance.
 *
 * @param partitioner - anything with `locate` and `members` (every {@link Partitioner})
 * @param keys - the keys (an array or any iterable)
 * @returns the per-member counts and their max/mean, standard deviation and weighted max
 * @throws {@link HashingError} `invalid-argument` when there are no keys
 *
 * @example
 * ```ts
 * import { JumpHash, loadReport } from "@distkit/hashing";
 * const keys = Array.from({ length: 10000 }, (_, i) => `key-${i}`);
 * loadReport(JumpHash.create(["a", "b", "c"]), keys).maxOverMean; // close to 1
 * ```
 */
export function loadReport(
  partitioner: Pick<Partitioner, "locate" | "members">,
  keys: Iterable<string>,
): LoadReport {
  const members = partitioner.members();
  const counts = new Map<MemberId, number>(members.map((m) => [m.id, 0]));
  for (const key of keys) {
    const owner = partitioner.locate(key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return loadReportFromCounts(members, counts);
}

/**
 * Summarizes per-member key counts (from `loadReport`, or a stateful partitioner such as
 * {@link BoundedLoadRing.loads}).
 *
 * @param members - the membership (weights give the expectations)
 * @param counts - keys per member; missing members count 0
 * @returns the summary
 * @throws {@link HashingError} `invalid-argument` when the counts sum to zero or name a non-member
 *
 * @example
 * ```ts
 * import { loadReportFromCounts } from "@distkit/hashing";
 * const members = [{ id: "a", weight: 1 }, { id: "b", weight: 1 }];
 * loadReportFromCounts(members, new Map([["a", 60], ["b", 40]])).maxOverMean; // 1.2
 * ```
 */
export function loadReportFromCounts(
  members: readonly Member[],
  counts: ReadonlyMap<MemberId, number>,
): LoadReport {
  const perMember = new Map<MemberId, number>(members.map((m) => [m.id, counts.get(m.id) ?? 0]));
  for (const id of counts.keys()) {
    if (!perMember.has(id)) {
      throw new HashingError(
        "invalid-argument",
        `loadReportFromCounts: "${id}" is counted but is not a member`,
      );
    }
  }
  let total = 0;
  let weight = 0;
  for (const m of members) weight += m.weight;
  for (const c of perMember.values()) total += c;
  if (total === 0) {
    throw new HashingError("invalid-argument", "load report: needs at least one key, got none");
  }
  const n = members.length;
  const mean = total / n;
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  let squares = 0;
  let maxOverExpected = 0;
  for (const m of members) {
    const c = perMember.get(m.id)!;
    max = Math.max(max, c);
    min = Math.min(min, c);
    squares += (c - mean) * (c - mean);
    maxOverExpected = Math.max(maxOverExpected, c / ((total * m.weight) / weight));
  }
  const stdDev = Math.sqrt(squares / n);
  return {
    keyCount: total,
    perMember,
    mean,
    max,
    min,
    maxOverMean: max / mean,
    stdDev,
    relativeStdDev: stdDev / mean,
    maxOverExpected,
  };
}

/**
 * What a change of partitioner moved, measured on a key set, against the minimum.
 *
 * @example
 * ```ts
 * import { HashRing, movement, type MovementReport } from "@distkit/hashing";
 * const ring = HashRing.create(["a", "b", "c"]);
 * const report: MovementReport = movement(ring, ring.withMember("d"), ["k1", "k2"]);
 * ```
 */
export interface MovementReport {
  /** Number of keys compared. */
  readonly keyCount: number;
  /** Keys whose owner differs. */
  readonly moved: number;
  /** moved / keyCount. */
  readonly movedFraction: number;
  /** The least fraction any weight-proportional placement must move: 1/(n + 1) when adding one of n + 1 equal members. */
  readonly idealFraction: number;
  /** movedFraction / idealFraction (1 is optimal; hash mod N is near n). Infinity when nothing had to move but something did. */
  readonly excess: number;
}

/**
 * Compares where two partitioners put the same keys: the fraction that moves, against the ideal.
 *
 * @param before - the old partitioner
 * @param after - the new partitioner
 * @param keys - the keys (an array or any iterable)
 * @returns moved count and fraction, ideal fraction, and their ratio
 * @throws {@link HashingError} `invalid-argument` when there are no keys
 *
 * @example
 * ```ts
 * import { ModNPartitioner, movement } from "@distkit/hashing";
 * const keys = Array.from({ length: 10000 }, (_, i) => `key-${i}`);
 * const modN = ModNPartitioner.create(["a", "b", "c"]);
 * movement(modN, modN.withMember("d"), keys).movedFraction; // about 0.75, ideal 0.25
 * ```
 */
export function movement(
  before: Pick<Partitioner, "locate" | "members">,
  after: Pick<Partitioner, "locate" | "members">,
  keys: Iterable<string>,
): MovementReport {
  let count = 0;
  let moved = 0;
  for (const key of keys) {
    count++;
    if (before.locate(key) !== after.locate(key)) moved++;
  }
  if (count === 0) throw new HashingError("invalid-argument", "movement: needs at least one key, got none");
  const movedFraction = moved / count;
  const idealFraction = idealMovedShare(before.members(), after.members());
  const excess =
    idealFraction > 0 ? movedFraction / idealFraction : movedFraction === 0 ? 1 : Number.POSITIVE_INFINITY;
  return { keyCount: count, moved, movedFraction, idealFraction, excess };
}
