// A protocol node that carries every clock of this package on its messages and records each event.
// It only uses a subset of sim-net's NodeContext (declared here structurally, so the same code runs
// over sim-net and over the tiny driver in mini-sim.ts).
import {
  ClockOffsetError,
  type HlcTimestamp,
  HybridLogicalClock,
  type ItcEvent,
  type ItcId,
  ItcStamp,
  LamportClock,
  VectorClock,
} from "../../src/index.js";

/** Simulated clocks start near 0 and may be negative; HLC physical time is offset by this epoch. */
export const EPOCH_MS = 1_000_000;

export interface MiniContext {
  readonly id: string;
  readonly peers: readonly string[];
  now(): number;
  send(to: string, message: ClockMessage): void;
  setTimer(delayMs: number, onFire: () => void, label?: string): unknown;
  readonly random: { next(): number; int(minInclusive: number, maxExclusive: number): number };
}

export interface ClockMessage {
  readonly type: "clocks";
  readonly msgId: string;
  readonly vc: Record<string, number>;
  readonly itc: { readonly id: ItcId; readonly eventTree: ItcEvent };
  readonly lamport: number;
  readonly hlc: HlcTimestamp;
}

export interface RecordedEvent {
  readonly eventId: number;
  readonly node: string;
  readonly seq: number; // position in the node's own history
  readonly kind: "local" | "send" | "recv";
  readonly msgId: string | undefined; // for send/recv
  readonly vc: VectorClock;
  readonly itc: ItcStamp;
  readonly lamport: number;
  readonly hlc: HlcTimestamp;
  readonly ptMs: number; // the node's physical clock reading at the event
}

export interface Recorder {
  events: RecordedEvent[];
  rejectedOffsets: number;
}

export class ClockNode {
  private vc = VectorClock.empty();
  private itc: ItcStamp;
  private readonly lamport = new LamportClock();
  private readonly hlc: HybridLogicalClock;
  private seq = 0;
  private sent = 0;

  constructor(
    private readonly ctx: MiniContext,
    itcId: ItcStamp,
    private readonly rec: Recorder,
    private readonly budget: { events: number },
    maxOffsetMs: number,
  ) {
    this.itc = itcId;
    this.hlc = new HybridLogicalClock({ now: () => EPOCH_MS + ctx.now(), maxOffsetMs });
  }

  onStart(): void {
    this.schedule();
  }

  private schedule(): void {
    this.ctx.setTimer(1 + this.ctx.random.next() * 20, () => this.act(), "act");
  }

  private act(): void {
    if (this.budget.events <= 0) return;
    this.budget.events--;
    if (this.ctx.random.next() < 0.35) {
      this.vc = this.vc.increment(this.ctx.id);
      this.itc = this.itc.event();
      this.lamport.tick();
      this.record("local", undefined, this.hlc.now());
    } else {
      const to = this.ctx.peers[this.ctx.random.int(0, this.ctx.peers.length)]!;
      this.vc = this.vc.increment(this.ctx.id);
      this.itc = this.itc.event();
      const lamport = this.lamport.tick();
      const hlc = this.hlc.now();
      const msgId = `${this.ctx.id}#${this.sent++}`;
      this.record("send", msgId, hlc);
      this.ctx.send(to, {
        type: "clocks",
        msgId,
        vc: this.vc.toJSON(),
        itc: this.itc.peek().toJSON(),
        lamport,
        hlc,
      });
    }
    this.schedule();
  }

  onMessage(_from: string, m: ClockMessage): void {
    let hlc: HlcTimestamp;
    try {
      hlc = this.hlc.receive(m.hlc);
    } catch (e) {
      if (!(e instanceof ClockOffsetError)) throw e;
      this.rec.rejectedOffsets++;
      return; // the message is refused: not an event of this node
    }
    this.vc = this.vc.receive(this.ctx.id, VectorClock.fromJSON(m.vc));
    this.itc = this.itc.receive(ItcStamp.fromJSON(m.itc));
    this.lamport.receive(m.lamport);
    this.record("recv", m.msgId, hlc);
  }

  private record(kind: RecordedEvent["kind"], msgId: string | undefined, hlc: HlcTimestamp): void {
    this.rec.events.push({
      eventId: this.rec.events.length,
      node: this.ctx.id,
      seq: this.seq++,
      kind,
      msgId,
      vc: this.vc,
      itc: this.itc,
      lamport: this.lamport.time,
      hlc,
      ptMs: EPOCH_MS + this.ctx.now(),
    });
  }
}

/** Disjoint ITC ids for n participants, by forking the seed. */
export function itcIds(n: number): ItcStamp[] {
  const ids = [ItcStamp.seed()];
  while (ids.length < n) {
    const [a, b] = ids.shift()!.fork();
    ids.push(a, b);
  }
  return ids;
}

/**
 * Ground truth: the happened-before relation of the recorded events (process order plus send -> receive,
 * transitively closed), as a reachability matrix of predecessor sets.
 */
export function happenedBefore(events: readonly RecordedEvent[]): boolean[][] {
  const n = events.length;
  const preds: Array<Set<number>> = events.map(() => new Set());
  const lastOfNode = new Map<string, number>();
  const sendOf = new Map<string, number>();
  // events are recorded in real-time order, so predecessors always come first
  for (const e of events) {
    const p = preds[e.eventId]!;
    const prev = lastOfNode.get(e.node);
    if (prev !== undefined) {
      p.add(prev);
      for (const x of preds[prev]!) p.add(x);
    }
    if (e.kind === "send") sendOf.set(e.msgId!, e.eventId);
    if (e.kind === "recv") {
      const s = sendOf.get(e.msgId!);
      if (s === undefined) throw new Error(`receive of unknown message ${e.msgId}`);
      p.add(s);
      for (const x of preds[s]!) p.add(x);
    }
    lastOfNode.set(e.node, e.eventId);
  }
  return events.map((_, a) => events.map((__, b) => preds[b]!.has(a) && a !== b)).slice(0, n);
}
