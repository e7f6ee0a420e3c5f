import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../src/index.js";
import { CoreNet, type Envelope } from "./core-net.js";

const ids = ["n1", "n2", "n3"];
const isAppend = (e: Envelope): e is Envelope & { message: AppendRequest } =>
  e.message.type === "raft.append";
const isReject = (e: Envelope) => e.message.type === "raft.appendResp" && e.message.reject;

function elected(): CoreNet {
  const net = new CoreNet(ids, { electionTimeoutMs: 1000, heartbeatIntervalMs: 100 });
  net.elect("n1");
  return net;
}

describe("followers learn the commit index promptly, and reordered appends are not resent", () => {
  it("a follower commits an entry without waiting for a heartbeat (no tick happens)", () => {
    const net = elected();
    const leader = net.core("n1");
    const r = leader.propose("x");
    expect(r.kind).toBe("ok");
    const index = r.kind === "ok" ? r.index : 0;
    net.deliverAll();
    expect(leader.commitIndex).toBe(index);
    // Before: followers saw the commit only in the next append or heartbeat.
    for (const id of ["n2", "n3"]) {
      expect(net.core(id).commitIndex).toBe(index);
      expect(net.applied.get(id)!.map((e) => e.data)).toContain("x");
    }
  });

  it("the commit index rides on the entries append when one goes out: one append per follower per Ready", () => {
    const net = elected();
    const leader = net.core("n1");
    leader.propose("a");
    net.flush();
    const inFlight = net.queue;
    net.queue = [];
    leader.propose("b"); // not flushed yet: goes out with the Ready of the next input
    const ack = (from: string) => {
      const append = inFlight.find((e) => e.to === from && isAppend(e))!;
      const follower = net.core(from);
      follower.step("n1", append.message);
      const frd = follower.ready();
      follower.advance(frd);
      const resp = frd.messages.find((m) => m.message.type === "raft.appendResp")!;
      leader.step(from, resp.message);
    };
    ack("n2"); // commits "a" and must send "b" plus the new commit, in one message per follower
    expect(leader.hasReady()).toBe(true);
    const rd = leader.ready();
    leader.advance(rd);
    const appends = rd.messages.filter((m) => m.message.type === "raft.append");
    for (const to of ["n2", "n3"]) expect(appends.filter((m) => m.to === to)).toHaveLength(1);
    for (const m of appends) {
      const a = m.message as AppendRequest;
      expect(a.commit).toBe(leader.commitIndex);
      expect(a.entries.map((e) => e.data)).toContain("b");
    }
  });

  it("appends delivered in reverse order are held and applied, not rejected and resent", () => {
    const net = elected();
    const leader = net.core("n1");
    const sentBefore = leader.metrics.appendsSent;
    const entriesBefore = leader.metrics.entriesSent;
    for (let i = 0; i < 10; i++) {
      leader.propose(`e${i}`);
      net.flush(); // one append per proposal per follower, all in flight at once
    }
    expect(leader.metrics.appendsSent - sentBefore).toBe(20);
    // The network reverses them: each follower sees e9's append first.
    net.queue.reverse();
    const rejections: Envelope[] = [];
    const base = net.filter;
    net.filter = (e) => {
      if (isReject(e)) rejections.push(e);
      return base(e);
    };
    net.deliverAll();
    expect(rejections).toHaveLength(0);
    for (const id of ["n2", "n3"]) {
      expect(net.core(id).lastIndex).toBe(leader.lastIndex);
      expect(net.core(id).commitIndex).toBe(leader.lastIndex);
    }
    // Nothing was resent: beyond the 20 appends, only commit notifications went out (no entries).
    expect(leader.metrics.entriesSent - entriesBefore).toBe(20);
  });

  it("a lost pipelined append is recovered: the held ones are rejected after 2 ticks and the leader resends", () => {
    const net = elected();
    const leader = net.core("n1");
    let dropped = false;
    net.filter = (e) => {
      if (!dropped && e.to === "n2" && isAppend(e) && e.message.entries.length > 0) {
        dropped = true;
        return false;
      }
      return true;
    };
    for (let i = 0; i < 5; i++) {
      leader.propose(`e${i}`);
      net.flush();
    }
    net.deliverAll();
    expect(dropped).toBe(true);
    expect(net.core("n2").lastIndex).toBeLessThan(leader.lastIndex);
    net.tickAll(3);
    expect(net.core("n2").lastIndex).toBe(leader.lastIndex);
    expect(net.core("n2").commitIndex).toBe(leader.commitIndex);
  });
});
