/**
 * The article's first configuration: every read and write goes to one instance. A key-value store
 * runs on one simulated node that serves one request at a time (a fixed service time per request);
 * open-loop clients send Poisson traffic at a growing offered load. The table shows throughput and
 * latency percentiles: below capacity latency stays near the network round trip plus service time;
 * past it the queue grows without bound, throughput flattens at capacity and latency explodes. The
 * only remedy in this configuration is a bigger machine (a shorter service time).
 *
 * Run: npx tsx --conditions=source examples/single-instance.ts
 */
import { type Message, type NodeContext, type NodeId, Simulation } from "@distkit/sim-net";
import { percentileOfSorted } from "./percentile.js";

type KvRequest =
  | { readonly type: "get"; readonly requestId: number; readonly key: string }
  | { readonly type: "put"; readonly requestId: number; readonly key: string; readonly value: string };
type KvResponse = { readonly type: "reply"; readonly requestId: number; readonly value: string | null };
type KvMessage = KvRequest | KvResponse;

/** A single-threaded key-value server: requests queue up and are served one at a time. */
class KvServer {
  private readonly data = new Map<string, string>();
  private readonly queue: { from: NodeId; request: KvRequest }[] = [];
  private busy = false;
  constructor(
    private readonly ctx: NodeContext<KvMessage>,
    private readonly serviceTimeMs: number,
    private readonly maxQueueLength: number,
  ) {}
  onMessage(from: NodeId, message: KvMessage): void {
    if (message.type === "reply") return;
    if (this.queue.length >= this.maxQueueLength) return; // shed load: the client sees a timeout
    this.queue.push({ from, request: message });
    if (!this.busy) this.serveNext();
  }
  private serveNext(): void {
    const next = this.queue.shift();
    if (next === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.ctx.setTimer(this.serviceTimeMs, () => {
      const { from, request } = next;
      let value: string | null = null;
      if (request.type === "put") this.data.set(request.key, request.value);
      else value = this.data.get(request.key) ?? null;
      this.ctx.send(from, { type: "reply", requestId: request.requestId, value });
      this.serveNext();
    });
  }
}

/** An open-loop client: Poisson arrivals at `ratePerSec`, 50% reads, records each latency. */
class LoadClient {
  private nextRequestId = 0;
  /** Requests sent so far. */
  sent = 0;
  private readonly sentAtMs = new Map<number, number>();
  readonly latenciesMs: number[] = [];
  constructor(
    private readonly ctx: NodeContext<KvMessage>,
    private readonly server: NodeId,
    private readonly ratePerSec: number,
    private readonly stopAtMs: number,
  ) {}
  onStart(): void {
    this.scheduleNext();
  }
  private scheduleNext(): void {
    const gapMs = (-Math.log(1 - this.ctx.random.next()) * 1000) / this.ratePerSec;
    this.ctx.setTimer(gapMs, () => {
      if (this.ctx.now() >= this.stopAtMs) return;
      const requestId = this.nextRequestId++;
      const key = `k${this.ctx.random.int(0, 1000)}`;
      const request: KvRequest = this.ctx.random.chance(0.5)
        ? { type: "get", requestId, key }
        : { type: "put", requestId, key, value: `v${requestId}` };
      this.sentAtMs.set(requestId, this.ctx.now());
      this.sent++;
      this.ctx.send(this.server, request);
      this.scheduleNext();
    });
  }
  onMessage(_from: NodeId, message: KvMessage): void {
    if (message.type !== "reply") return;
    const sent = this.sentAtMs.get(message.requestId);
    if (sent === undefined) return;
    this.sentAtMs.delete(message.requestId);
    this.latenciesMs.push(this.ctx.now() - sent);
  }
  get outstanding(): number {
    return this.sentAtMs.size;
  }
}

/** One row of the saturation table. */
export interface LoadPoint {
  readonly offeredPerSec: number;
  readonly sentPerSec: number;
  readonly completedPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly unanswered: number;
}

/** Runs one load level and returns its measurements. */
export function measureLoad(options: {
  readonly seed: number;
  readonly offeredPerSec: number;
  readonly serviceTimeMs: number;
  readonly clients: number;
  readonly durationMs: number;
}): LoadPoint {
  const sim = new Simulation({
    seed: options.seed,
    network: { latency: { kind: "normal", meanMs: 0.5, stdDevMs: 0.1 } },
    trace: "off",
  });
  sim.addNode("server", (ctx) => new KvServer(ctx as NodeContext<KvMessage>, options.serviceTimeMs, 100_000));
  const clients = Array.from({ length: options.clients }, (_, i) =>
    sim.addNode(
      `client${i}`,
      (ctx) =>
        new LoadClient(
          ctx as NodeContext<KvMessage>,
          "server",
          options.offeredPerSec / options.clients,
          options.durationMs,
        ),
    ),
  );
  sim.runFor(options.durationMs);
  // Only count replies received during the measured window.
  const latencies = clients.flatMap((c) => c.instance.latenciesMs).sort((a, b) => a - b);
  return {
    offeredPerSec: options.offeredPerSec,
    sentPerSec: (clients.reduce((sum, c) => sum + c.instance.sent, 0) * 1000) / options.durationMs,
    completedPerSec: (latencies.length * 1000) / options.durationMs,
    p50Ms: percentileOfSorted(latencies, 0.5),
    p99Ms: percentileOfSorted(latencies, 0.99),
    maxMs: latencies.length === 0 ? Number.NaN : latencies[latencies.length - 1]!,
    unanswered: clients.reduce((sum, c) => sum + c.instance.outstanding, 0),
  };
}

/** Prints the saturation table of one node; returns its rows. */
export function runSingleInstance(durationMs = 5_000, seed = 1): LoadPoint[] {
  const serviceTimeMs = 1; // one request per millisecond: capacity 1,000 requests/s
  console.log(
    `Single instance: one key-value node, ${serviceTimeMs} ms of service per request (capacity ${1000 / serviceTimeMs}/s), ` +
      `8 open-loop clients, ${durationMs / 1000} s simulated per load level, seed ${seed}`,
  );
  console.log("offered/s  sent/s  completed/s   p50 ms    p99 ms    max ms  unanswered");
  const rows: LoadPoint[] = [];
  for (const offeredPerSec of [200, 400, 600, 800, 900, 950, 1000, 1050, 1200, 1500]) {
    const row = measureLoad({ seed, offeredPerSec, serviceTimeMs, clients: 8, durationMs });
    rows.push(row);
    console.log(
      `${String(row.offeredPerSec).padStart(9)}  ${row.sentPerSec.toFixed(0).padStart(6)}  ${row.completedPerSec.toFixed(0).padStart(11)}  ${row.p50Ms
        .toFixed(2)
        .padStart(
          7,
        )}  ${row.p99Ms.toFixed(2).padStart(8)}  ${row.maxMs.toFixed(1).padStart(8)}  ${String(row.unanswered).padStart(10)}`,
    );
  }
  // Saturated: a growing backlog (more than 2% of what was sent is still queued when the run ends).
  const saturated = rows.find((r) => r.sentPerSec - r.completedPerSec > 0.02 * r.sentPerSec);
  console.log(
    saturated === undefined
      ? "No saturation reached in this range."
      : `Saturation: from ${saturated.offeredPerSec}/s offered the node completes only ${saturated.completedPerSec.toFixed(0)}/s of ${saturated.sentPerSec.toFixed(0)}/s sent: the queue (and latency) grows without bound.`,
  );
  return rows;
}

export type { Message };

if (import.meta.url === `file://${process.argv[1]}`) runSingleInstance();
