import { SeededRandom } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { type KvCommand, RaftCore, RaftError, type RaftMessage } from "../src/index.js";
import { CoreNet } from "./core-net.js";

const cmd = (n: number): KvCommand => ({
  clientId: "t",
  seq: n,
  op: { kind: "put", key: "k", value: String(n) },
});

describe("RaftCore", () => {
  it("a single-node cluster elects itself and commits proposals at once", () => {
    const core = new RaftCore({ id: "a", bootstrapVoters: ["a"], random: new SeededRandom(1), now: () => 0 });
    core.campaign();
    const first = core.ready();
    expect(first.committedEntries.map((e) => e.kind)).toEqual(["noop"]);
    core.advance(first);
    expect(core.currentRole).toBe("leader");
    const r = core.propose(cmd(1));
    expect(r.kind).toBe("ok");
    const rd = core.ready();
    expect(rd.committedEntries.map((e) => e.kind)).toEqual(["normal"]);
    expect(rd.hardState?.commit).toBe(2);
    core.advance(rd);
    expect(core.appliedIndex).toBe(2);
  });

  it("pre-vote: an isolated node does not inflate its term, and does not disrupt the leader on return", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    const termBefore = net.core("a").currentTerm;
    net.partition(["a", "b"], ["c"]);
    net.tickAll(200);
    expect(net.core("c").currentTerm).toBe(termBefore);
    expect(net.core("c").metrics.preVotesStarted).toBeGreaterThan(0);
    expect(net.core("c").metrics.electionsStarted).toBe(0);
    net.heal();
    net.tickAll(50);
    expect(net.core("a").currentRole).toBe("leader");
    expect(net.core("a").currentTerm).toBe(termBefore);
  });

  it("without pre-vote the isolated node's term grows (the contrast)", () => {
    const net = new CoreNet(["a", "b", "c"], { preVote: false, checkQuorum: false });
    net.elect("a");
    const termBefore = net.core("a").currentTerm;
    net.partition(["a", "b"], ["c"]);
    net.tickAll(200);
    expect(net.core("c").currentTerm).toBeGreaterThan(termBefore + 2);
  });

  it("check-quorum: a leader that cannot hear a majority steps down", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    net.partition(["a"], ["b", "c"]);
    net.tickAll(40); // > 2 election timeouts of 15 ticks
    expect(net.core("a").currentRole).toBe("follower");
    expect(net.core("a").metrics.checkQuorumStepDowns).toBe(1);
  });

  it("leader stickiness: a follower that hears from the leader ignores a disruptive candidate", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    const term = net.core("a").currentTerm;
    // c asks for votes at a higher term directly (as if its timer fired early).
    const vote: RaftMessage = {
      type: "raft.vote",
      term: term + 1,
      pre: false,
      lastLogIndex: 100,
      lastLogTerm: term,
      transfer: false,
    };
    net.core("b").step("c", vote);
    expect(net.core("b").currentTerm).toBe(term);
    expect(net.core("b").hasReady() && net.core("b").ready().messages.length).toBeFalsy();
  });

  it("Figure 8: an old-term entry on a majority is not committed until an entry of the current term is", () => {
    const ids = ["s1", "s2", "s3", "s4", "s5"];
    const net = new CoreNet(ids, { preVote: false, checkQuorum: false, maxSizePerMsgBytes: 1 });
    net.elect("s1");
    // (a) s1 (term 1) replicates entry 2 only to s2.
    net.partition(["s1", "s2"], ["s3"], ["s4"], ["s5"]);
    net.core("s1").propose(cmd(1));
    net.deliverAll();
    expect(net.core("s2").lastIndex).toBe(2);
    // (b) s5 is elected (term 2) by s3, s4 and appends its noop locally only.
    const inB = new Set(["s3", "s4", "s5"]);
    net.filter = (e) =>
      inB.has(e.from) &&
      inB.has(e.to) &&
      (e.message.type === "raft.vote" || e.message.type === "raft.voteResp");
    net.elect("s5");
    expect(net.core("s5").currentTerm).toBe(2);
    expect(net.core("s3").lastIndex).toBe(1);
    // (c) s1 steps down (it hears of term 2), then is elected at term 3 by s2, s3, s4. It
    // replicates entry 2 (term 1) to s3 but its term-3 noop never leaves it: entry 2 is then on a
    // majority (s1, s2, s3) yet must NOT be committed.
    net.core("s1").step("s5", { type: "raft.heartbeat", term: 2, commit: 0, round: 0 });
    let entry2ToS3 = 0;
    net.filter = (e) => {
      if (e.from === "s5" || e.to === "s5") return false;
      const m = e.message;
      if (e.from === "s1" && m.type === "raft.append") {
        if (e.to === "s3" && m.entries.some((x) => x.index === 2)) entry2ToS3++;
        if (m.entries.some((x) => x.term === 3)) {
          return { ...e, message: { ...m, entries: m.entries.filter((x) => x.term !== 3) } };
        }
      }
      return true;
    };
    net.elect("s1");
    expect(net.core("s1").currentTerm).toBe(3);
    net.deliverAll();
    expect(entry2ToS3).toBeGreaterThan(0);
    expect(net.core("s3").termAt(2)).toBe(1);
    expect(net.core("s1").commitIndex).toBe(1); // the Figure 8 rule
    // (d) s1 is cut off; s5 (last term 2) wins term 4 and overwrites entry 2 everywhere.
    net.partition(["s2", "s3", "s4", "s5"], ["s1"]);
    net.core("s5").step("s1", { type: "raft.heartbeat", term: 3, commit: 0, round: 0 });
    net.elect("s5");
    net.core("s5").propose(cmd(2));
    net.deliverAll();
    for (const id of ["s2", "s3", "s4", "s5"]) expect(net.core(id).termAt(2)).toBe(2);
    expect(net.core("s5").commitIndex).toBeGreaterThanOrEqual(3);
  });

  it("fast backtracking skips a whole divergent term per round trip", () => {
    const ids = ["a", "b", "c"];
    const net = new CoreNet(ids, { checkQuorum: false });
    net.elect("a");
    // a, cut off, appends 300 entries that will never commit.
    net.partition(["a"], ["b", "c"]);
    for (let i = 0; i < 300; i++) net.core("a").propose(cmd(i));
    net.deliverAll();
    // b leads the majority and commits 300 other entries.
    net.partition(["a"], ["b", "c"]);
    net.elect("b");
    for (let i = 0; i < 300; i++) net.core("b").propose(cmd(1000 + i));
    net.deliverAll();
    net.tickAll(6);
    expect(net.core("c").commitIndex).toBeGreaterThan(300);
    // a rejoins as follower: count rejections on the way to agreement.
    let rejections = 0;
    net.filter = (e) => {
      if (e.message.type === "raft.appendResp" && e.message.reject) rejections++;
      return true;
    };
    net.tickAll(20);
    expect(net.core("a").commitIndex).toBe(net.core("b").commitIndex);
    expect(net.core("a").termAt(300)).toBe(net.core("b").termAt(300));
    expect(rejections).toBeLessThanOrEqual(3);
  });

  it("refuses a membership change before the leader has committed an entry of its own term", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.partition(["a"], ["b"], ["c"]);
    // Elect a with votes delivered by hand, without letting its noop replicate.
    net.heal();
    net.filter = (e) => e.message.type === "raft.vote" || e.message.type === "raft.voteResp";
    net.core("a").campaign();
    net.deliverAll();
    expect(net.core("a").currentRole).toBe("leader");
    expect(net.core("a").proposeMembership({ voters: ["a", "b", "c", "d"] })).toEqual({
      kind: "dropped",
      reason: "termNotCommitted",
    });
    net.heal();
    net.tickAll(10);
    expect(net.core("a").committedInTerm()).toBe(true);
    expect(net.core("a").proposeMembership({ voters: ["a", "b"], learners: ["c"] }).kind).toBe("ok");
    // A second change while the first is pending is refused.
    expect(net.core("a").proposeMembership({ voters: ["a"] })).toEqual({
      kind: "dropped",
      reason: "changePending",
    });
    net.tickAll(10);
    const m = net.core("a").currentMembership;
    expect(m).toEqual({ voters: ["a", "b"], outgoing: [], learners: ["c"], learnersNext: [] });
    // Every node went through the joint configuration to the final one.
    for (const id of ["b", "c"]) expect(net.core(id).currentMembership).toEqual(m);
  });

  it("learners replicate but do not count towards the quorum", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    net.tickAll(5);
    expect(net.core("a").proposeMembership({ voters: ["a", "b"], learners: ["c"] }).kind).toBe("ok");
    net.tickAll(10);
    // With b down, a learner's acknowledgement cannot commit anything.
    net.partition(["a", "c"], ["b"]);
    const before = net.core("a").commitIndex;
    net.core("a").propose(cmd(7));
    net.tickAll(3);
    expect(net.core("c").lastIndex).toBe(net.core("a").lastIndex);
    expect(net.core("a").commitIndex).toBe(before);
    // A learner never campaigns.
    net.partition(["c"], ["a"], ["b"]);
    net.tickAll(100);
    expect(net.core("c").metrics.preVotesStarted).toBe(0);
  });

  it("leadership transfer hands over without waiting for an election timeout", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    net.tickAll(3);
    expect(net.core("a").transferLeadership("b")).toEqual({ kind: "started" });
    expect(net.core("a").propose(cmd(1))).toEqual({ kind: "dropped", reason: "transferring" });
    net.deliverAll();
    expect(net.core("b").currentRole).toBe("leader");
    expect(net.core("a").currentRole).toBe("follower");
    expect(net.core("a").transferLeadership("c")).toEqual({ kind: "notLeader", leaderHint: "b" });
    expect(net.core("b").transferLeadership("zz")).toEqual({ kind: "rejected", reason: "notVoter" });
  });

  it("ReadIndex waits for the leader's first commit in its term and a heartbeat quorum", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.filter = (e) => e.message.type === "raft.vote" || e.message.type === "raft.voteResp";
    net.core("a").campaign();
    net.deliverAll();
    expect(net.core("a").currentRole).toBe("leader");
    expect(net.core("a").readIndex(1, false)).toEqual({ kind: "pending" });
    net.tickAll(6);
    expect(net.readStates.get("a")).toEqual([]); // its noop is not committed: no answer yet
    net.heal();
    net.tickAll(10);
    expect(net.readStates.get("a")).toEqual([{ requestId: 1, index: 1 }]);
    // A read in an established term is confirmed by one heartbeat round.
    net.core("a").propose(cmd(1));
    expect(net.core("a").readIndex(2, false)).toEqual({ kind: "pending" });
    net.deliverAll();
    expect(net.readStates.get("a")?.[1]).toEqual({ requestId: 2, index: 1 });
    expect(net.core("a").metrics.readIndexConfirmed).toBe(2);
    // A partitioned leader cannot confirm reads.
    net.partition(["a"], ["b", "c"]);
    net.core("a").readIndex(3, false);
    net.deliverAll();
    expect(net.readStates.get("a")).toHaveLength(2);
    expect(net.core("b").readIndex(4, false).kind).toBe("notLeader");
  });

  it("lease reads are served without a round while the lease holds, and not after", () => {
    const net = new CoreNet(["a", "b", "c"]);
    net.elect("a");
    net.tickAll(6); // a heartbeat round acknowledged by a quorum starts the lease
    const a = net.core("a");
    expect(a.leaseValid()).toBe(true);
    const heartbeats = a.metrics.heartbeatsSent;
    a.readIndex(1, true);
    net.flush();
    expect(a.metrics.leaseReads).toBe(1);
    expect(a.metrics.heartbeatsSent).toBe(heartbeats);
    net.partition(["a"], ["b", "c"]);
    net.clock += 200; // beyond electionTimeout: the lease has expired
    expect(a.leaseValid()).toBe(false);
    a.readIndex(2, true);
    net.deliverAll();
    expect(a.metrics.leaseReads).toBe(1);
  });

  it("flow control: at most maxInflightMsgs unacknowledged appends, each within maxSizePerMsgBytes", () => {
    const net = new CoreNet(["a", "b", "c"], {
      maxInflightMsgs: 3,
      maxSizePerMsgBytes: 200,
      checkQuorum: false,
    });
    net.elect("a");
    net.tickAll(6);
    // b stops answering: appends to it pile up only to the window.
    let toB = 0;
    let maxBytes = 0;
    net.filter = (e) => {
      if (e.message.type === "raft.append" && e.to === "b") {
        toB++;
        let bytes = 0;
        for (const x of e.message.entries) bytes += x.sizeBytes;
        maxBytes = Math.max(maxBytes, bytes);
      }
      return !(e.from === "b" && e.message.type === "raft.appendResp");
    };
    for (let i = 0; i < 200; i++) net.core("a").propose(cmd(i));
    net.deliverAll();
    expect(toB).toBe(3);
    expect(maxBytes).toBeLessThanOrEqual(200);
    expect(net.core("a").status().progress.b).toMatchObject({ state: "replicate", inflight: 3 });
    // c acknowledged everything: commits do not wait for the slow follower.
    expect(net.core("a").commitIndex).toBe(net.core("a").lastIndex);
    // Once b answers again, the window drains and b catches up.
    net.heal();
    net.tickAll(12);
    expect(net.core("b").lastIndex).toBe(net.core("a").lastIndex);
  });

  it("rejects bad configuration with a typed error", () => {
    const mk = (config: object) => () =>
      new RaftCore({ id: "a", bootstrapVoters: ["a"], config, random: new SeededRandom(1), now: () => 0 });
    expect(mk({ electionTimeoutMs: 50, heartbeatIntervalMs: 50 })).toThrow(RaftError);
    expect(mk({ tickMs: 0 })).toThrow(/tickMs must be a positive integer/);
    expect(mk({ electionTimeoutMs: 155 })).toThrow(/multiples of tickMs/);
    expect(mk({ maxClockDriftRatio: 0.7 })).toThrow(/maxClockDriftRatio/);
    try {
      mk({ maxInflightMsgs: -1 })();
    } catch (e) {
      expect((e as RaftError).code).toBe("invalid-config");
    }
    expect(() => new RaftCore({ id: "", random: new SeededRandom(1), now: () => 0 })).toThrow(RaftError);
  });
});
