/**
 * Membership helpers: majorities over single and joint configurations, and validation of
 * requested configuration changes. Internal to the core except the exported types.
 * @module
 */
import type { NodeId } from "@distkit/sim-net";
import { RaftError } from "./errors.js";
import type { Membership } from "./messages.js";

/** The membership of a single-voter-set configuration. */
export function simpleMembership(voters: readonly NodeId[], learners: readonly NodeId[] = []): Membership {
  return { voters: [...voters].sort(), outgoing: [], learners: [...learners].sort(), learnersNext: [] };
}

export function isJoint(m: Membership): boolean {
  return m.outgoing.length > 0;
}

/** Whether `id` may vote in (and so campaign under) `m`. */
export function isVoter(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.outgoing.includes(id);
}

/** Every member (voters of both halves and learners), sorted, without duplicates. */
export function allMembers(m: Membership): NodeId[] {
  const set = new Set<NodeId>([...m.voters, ...m.outgoing, ...m.learners, ...m.learnersNext]);
  return [...set].sort();
}

const SCRATCH: number[] = new Array<number>(16).fill(0);

/**
 * The largest value v such that a majority of `voters` have value >= v (Infinity for no voters).
 */
function majorityValue(voters: readonly NodeId[], value: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  if (n === 1) return value(voters[0]!);
  const values = n <= SCRATCH.length ? SCRATCH : new Array<number>(n);
  // Insertion sort, descending: clusters are small and this runs on every acknowledgement.
  for (let i = 0; i < n; i++) {
    const v = value(voters[i]!);
    let j = i - 1;
    while (j >= 0 && values[j]! < v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values[Math.floor(n / 2)]!;
}

/** Largest value reached by a majority of every voter set of `m` (joint: both). */
export function quorumValue(m: Membership, value: (id: NodeId) => number): number {
  return Math.min(majorityValue(m.voters, value), majorityValue(m.outgoing, value));
}

/** Outcome of a tally. */
export type TallyResult = "won" | "lost" | "pending";

function tallyOne(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): TallyResult {
  if (voters.length === 0) return "won";
  let granted = 0;
  let rejected = 0;
  for (const v of voters) {
    const vote = votes.get(v);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const majority = Math.floor(voters.length / 2) + 1;
  if (granted >= majority) return "won";
  if (voters.length - rejected < majority) return "lost";
  return "pending";
}

/** Tallies votes over both halves of a (possibly joint) membership. */
export function tally(m: Membership, votes: ReadonlyMap<NodeId, boolean>): TallyResult {
  const a = tallyOne(m.voters, votes);
  const b = tallyOne(m.outgoing, votes);
  if (a === "lost" || b === "lost") return "lost";
  if (a === "won" && b === "won") return "won";
  return "pending";
}

/** Whether a quorum (of every voter set) satisfies `active`. */
export function quorumActive(m: Membership, active: (id: NodeId) => boolean): boolean {
  return quorumValue(m, (id) => (active(id) ? 1 : 0)) >= 1;
}

/**
 * A requested target configuration: the voters and learners after the change.
 *
 * @example
 * ```ts
 * const change: MembershipChange = { voters: ["n1", "n2", "n3", "n4"], learners: [] };
 * ```
 */
export interface MembershipChange {
  /** Voters after the change. */
  readonly voters: readonly NodeId[];
  /** Learners after the change (default none). */
  readonly learners?: readonly NodeId[];
}

/** Validates a target and builds the joint membership entering it from `current` (not joint). */
export function enterJoint(current: Membership, change: MembershipChange): Membership {
  const voters = validateIds("voters", change.voters);
  const learners = validateIds("learners", change.learners ?? []);
  if (voters.length === 0) {
    throw new RaftError("invalid-argument", "a membership change needs at least one voter");
  }
  for (const l of learners) {
    if (voters.includes(l)) {
      throw new RaftError("invalid-argument", `node ${l} cannot be both a voter and a learner`);
    }
  }
  const learnersNow: NodeId[] = [];
  const learnersNext: NodeId[] = [];
  for (const l of learners) {
    if (current.voters.includes(l)) learnersNext.push(l);
    else learnersNow.push(l);
  }
  return { voters, outgoing: [...current.voters], learners: learnersNow, learnersNext };
}

/** The membership after leaving the joint configuration `m`. */
export function leaveJoint(m: Membership): Membership {
  const learners = [...new Set([...m.learners, ...m.learnersNext])].sort();
  return { voters: [...m.voters], outgoing: [], learners, learnersNext: [] };
}

function validateIds(name: string, ids: readonly NodeId[]): NodeId[] {
  if (!Array.isArray(ids)) throw new RaftError("invalid-argument", `${name} must be an array of node ids`);
  for (const id of ids) {
    if (typeof id !== "string" || id.length === 0) {
      throw new RaftError("invalid-argument", `${name} must contain non-empty string node ids`);
    }
  }
  const unique = [...new Set(ids)];
  if (unique.length !== ids.length) throw new RaftError("invalid-argument", `${name} contains duplicates`);
  return unique.sort();
}

/** Validates an initial voter list. */
export function validateVoters(voters: readonly NodeId[]): NodeId[] {
  return validateIds("voters", voters);
}
