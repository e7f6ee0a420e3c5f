/**
 * The leader's view of one follower's replication progress (etcd-io/raft's tracker.Progress):
 * probe, replicate (pipelined) and snapshot states. Internal to the core.
 * @module
 */
import { Inflights } from "./inflights.js";

/**
 * Replication state of one follower as seen by the leader: `probe` (one append at a time until the
 * match point is found), `replicate` (pipelined appends), `snapshot` (waiting for InstallSnapshot).
 *
 * @example
 * ```ts
 * const state: ProgressState = "replicate";
 * ```
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

/** Progress of one peer. */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** In probe state: an append was sent and no answer arrived yet. */
  probeSent = false;
  /** In snapshot state: index of the snapshot being installed. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** Highest heartbeat round acknowledged in the current term. */
  ackedRound = 0;
  /** Heartbeat responses without match progress while entries are missing. */
  stalledHeartbeats = 0;
  /** Highest commit index sent to the peer (in an append or heartbeat). */
  sentCommit = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, isLearner: boolean, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  becomeProbe(): void {
    if (this.state === "snapshot") {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
      this.pendingSnapshot = 0;
    } else {
      this.next = this.match + 1;
    }
    this.state = "probe";
    this.probeSent = false;
    this.stalledHeartbeats = 0;
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = "replicate";
    this.next = this.match + 1;
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.probeSent = false;
    this.stalledHeartbeats = 0;
    this.inflights.reset();
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = "snapshot";
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.probeSent = false;
    this.stalledHeartbeats = 0;
    this.inflights.reset();
  }

  /** Success response for `index`: returns whether match advanced. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.stalledHeartbeats = 0;
      this.probeSent = false;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /**
   * Rejection of `rejected` with a leader-side probe hint: returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.probeSent = false;
    return true;
  }

  /**
   * Whether sending `commit` may move the peer's commit index: it is above what was sent, and the
   * peer may hold entries beyond what was sent (etcd-io/raft's CanBumpCommit).
   */
  canBumpCommit(commit: number): boolean {
    return commit > this.sentCommit && this.sentCommit < this.next - 1;
  }

  /** Whether the leader must not send more appends right now. */
  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }
}
