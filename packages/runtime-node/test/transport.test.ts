import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type LogRecord, type RuntimeNode, RuntimeError, startNode } from "../src/index.js";
import type { Message, NodeContext, SimNode } from "@distkit/sim-net";

const dir = () => mkdtempSync(join(tmpdir(), "distkit-transport-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running: RuntimeNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

interface Recorder extends SimNode<Message> {
  readonly got: { from: string; m: Message }[];
  readonly ctx: NodeContext<Message>;
}
const recorder = (ctx: NodeContext<Message>): Recorder => {
  const got: { from: string; m: Message }[] = [];
  return {
    got,
    ctx,
    onMessage(from, m) {
      got.push({ from, m });
      if (m.type === "ping")
        ctx.send(from, { type: "pong", n: (m as unknown as { n: number }).n } as Message);
    },
  };
};

async function until(f: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(10);
  }
}

describe("TCP transport", () => {
  it("delivers between two nodes, and to a client that does not listen (answers go back on its connection)", async () => {
    const a = await startNode({
      id: "a",
      listen: { host: "127.0.0.1", port: 0 },
      peers: {},
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
    });
    running.push(a);
    const client = await startNode({
      id: "c",
      peers: { a: a.address! },
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
    });
    running.push(client);
    for (let n = 0; n < 100; n++) client.instance.ctx.send("a", { type: "ping", n } as Message);
    await until(() => client.instance.got.length === 100);
    expect(client.instance.got.map((g) => (g.m as unknown as { n: number }).n)).toEqual([
      ...Array(100).keys(),
    ]);
    expect(a.instance.got.every((g) => g.from === "c")).toBe(true);
  });

  it("queues for a peer that is not up yet and delivers once it is (reconnect with backoff)", async () => {
    const port = 18901;
    const a = await startNode({
      id: "a",
      peers: { b: { host: "127.0.0.1", port } },
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
    });
    running.push(a);
    a.instance.ctx.send("b", { type: "hello-late" });
    await sleep(150);
    const b = await startNode({
      id: "b",
      listen: { host: "127.0.0.1", port },
      peers: {},
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
    });
    running.push(b);
    await until(() => b.instance.got.length === 1);
    expect(b.instance.got[0]!.m.type).toBe("hello-late");
  });

  it("bounds the queue of a peer that is down, counting what it drops", async () => {
    const a = await startNode({
      id: "a",
      peers: { b: { host: "127.0.0.1", port: 18902 } },
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
      maxQueuedMessagesPerPeer: 10,
    });
    running.push(a);
    for (let i = 0; i < 25; i++) a.instance.ctx.send("b", { type: "x" });
    expect(a.transportStats.droppedQueueFull).toBe(15);
    a.instance.ctx.send("nobody", { type: "x" });
    expect(a.transportStats.droppedNoRoute).toBe(1);
  });

  it.each([
    ["garbage bytes", Buffer.from([0, 0, 0, 3, 1, 2, 3])],
    ["a frame over the limit", Buffer.from([0x7f, 0xff, 0xff, 0xff])],
    [
      "a message before the hello",
      Buffer.concat([Buffer.from([0, 0, 0, 14]), Buffer.from('{"type":"foo"}')]),
    ],
  ])("closes a connection that sends %s, logs why, and keeps serving others", async (_, bytes) => {
    const logs: LogRecord[] = [];
    const a = await startNode({
      id: "a",
      listen: { host: "127.0.0.1", port: 0 },
      peers: {},
      dataDir: dir(),
      factory: recorder,
      logger: (r) => logs.push(r),
    });
    running.push(a);
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect(a.address!.port, "127.0.0.1", () => s.write(bytes));
      s.on("close", () => resolve(true));
      s.on("error", () => {});
    });
    expect(closed).toBe(true);
    expect(a.transportStats.rejectedConnections).toBe(1);
    expect(logs.some((l) => l.event === "connection-rejected")).toBe(true);
    expect(a.instance.got).toEqual([]);
    const client = await startNode({
      id: "c",
      peers: { a: a.address! },
      dataDir: dir(),
      factory: recorder,
      logger: () => {},
    });
    running.push(client);
    client.instance.ctx.send("a", { type: "ping", n: 1 } as Message);
    await until(() => client.instance.got.length === 1);
  });

  it("rejects bad options with RuntimeError naming the problem", async () => {
    await expect(startNode({ id: "", peers: {}, dataDir: dir(), factory: recorder })).rejects.toThrow(
      /id must be a non-empty string/,
    );
    await expect(
      startNode({
        id: "a",
        peers: { b: { host: "127.0.0.1", port: 70000 } },
        dataDir: dir(),
        factory: recorder,
      }),
    ).rejects.toThrow(/peers.b must be/);
    await expect(
      startNode({ id: "a", peers: {}, dataDir: dir(), factory: recorder, electionTimeoutMs: 5 } as never),
    ).rejects.toThrow(RuntimeError);
  });

  it("runs timers on the real clock and cancels them", async () => {
    const fired: string[] = [];
    const a = await startNode({
      id: "a",
      peers: {},
      dataDir: dir(),
      logger: () => {},
      factory: (ctx) => {
        const t = ctx.setTimer(5, () => fired.push("cancelled"));
        ctx.cancelTimer(t);
        ctx.setTimer(10, () => fired.push("fired"));
        return { onMessage() {} };
      },
    });
    running.push(a);
    await until(() => fired.length === 1);
    await sleep(30);
    expect(fired).toEqual(["fired"]);
  });
});
