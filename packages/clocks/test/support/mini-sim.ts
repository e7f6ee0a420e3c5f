// A tiny deterministic message-passing driver: one event queue ordered by (time, sequence), seeded
// randomness, per-node clock offset and drift, random latency, optional duplication. Used so the
// happens-before ground-truth test does not depend on another package being installed.
import type { ClockMessage, MiniContext } from "./clock-node.js";

export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Item {
  atMs: number;
  seq: number;
  run: () => void;
}

export interface MiniNode {
  onStart?(): void;
  onMessage(from: string, message: ClockMessage): void;
}

export class MiniSim {
  private queue: Item[] = [];
  private seq = 0;
  nowMs = 0;
  private readonly rand: () => number;
  private readonly nodes = new Map<string, MiniNode>();
  readonly clocks = new Map<string, { offsetMs: number; driftPpm: number }>();

  constructor(
    seed: number,
    private readonly latency: { minMs: number; maxMs: number },
    private readonly duplicateRate = 0,
  ) {
    this.rand = mulberry32(seed);
  }

  localTime(id: string): number {
    const c = this.clocks.get(id)!;
    return this.nowMs + c.offsetMs + (this.nowMs * c.driftPpm) / 1e6;
  }

  private push(delayMs: number, run: () => void): void {
    this.queue.push({ atMs: this.nowMs + delayMs, seq: this.seq++, run });
    this.queue.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  }

  addNode(
    id: string,
    peers: readonly string[],
    clock: { offsetMs: number; driftPpm: number },
    factory: (ctx: MiniContext) => MiniNode,
  ): void {
    this.clocks.set(id, clock);
    const nodeRand = mulberry32(Math.floor(this.rand() * 2 ** 32));
    const ctx: MiniContext = {
      id,
      peers: peers.filter((p) => p !== id),
      now: () => this.localTime(id),
      send: (to, message) => {
        const copies = this.rand() < this.duplicateRate ? 2 : 1;
        for (let k = 0; k < copies; k++) {
          const d = this.latency.minMs + this.rand() * (this.latency.maxMs - this.latency.minMs);
          this.push(d, () => this.nodes.get(to)!.onMessage(id, message));
        }
      },
      setTimer: (delayMs, onFire) => this.push(delayMs, onFire),
      random: { next: nodeRand, int: (lo, hi) => lo + Math.floor(nodeRand() * (hi - lo)) },
    };
    this.nodes.set(id, factory(ctx));
  }

  run(maxSteps: number): void {
    for (const n of this.nodes.values()) n.onStart?.();
    for (let step = 0; step < maxSteps && this.queue.length > 0; step++) {
      const item = this.queue.shift()!;
      this.nowMs = item.atMs;
      item.run();
    }
  }
}
