/** A tiny synchronous network of RaftCores for deterministic protocol-level tests. */
import { type NodeId, SeededRandom } from "@distkit/sim-net";
import {
  type LogEntry,
  RaftCore,
  type RaftConfig,
  type RaftMessage,
  type Ready,
  type ReadState,
} from "../src/index.js";

export interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: RaftMessage;
}

export class CoreNet {
  readonly cores = new Map<NodeId, RaftCore>();
  readonly applied = new Map<NodeId, LogEntry[]>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  queue: Envelope[] = [];
  /** Return false to drop a message, or a replacement envelope. */
  filter: (e: Envelope) => boolean | Envelope = () => true;
  delivered = 0;
  clock = 0;

  constructor(ids: readonly NodeId[], config: RaftConfig = {}, seed = 1) {
    for (const id of ids) {
      this.cores.set(
        id,
        new RaftCore({
          id,
          bootstrapVoters: ids,
          config,
          random: new SeededRandom(seed + id.length * 31 + id.charCodeAt(id.length - 1)),
          now: () => this.clock,
        }),
      );
      this.applied.set(id, []);
      this.readStates.set(id, []);
    }
  }

  core(id: NodeId): RaftCore {
    const c = this.cores.get(id);
    if (c === undefined) throw new Error(`no core ${id}`);
    return c;
  }

  /** Drains every core's Ready into the queue (messages pass the filter at send time). */
  flush(): void {
    for (const [id, core] of this.cores) {
      for (let i = 0; i < 100 && core.hasReady(); i++) {
        const rd: Ready = core.ready();
        for (const m of rd.messages) {
          const env = { from: id, to: m.to, message: m.message };
          const verdict = this.filter(env);
          if (verdict === true) this.queue.push(env);
          else if (verdict !== false) this.queue.push(verdict);
        }
        this.applied.get(id)!.push(...rd.committedEntries);
        this.readStates.get(id)!.push(...rd.readStates);
        core.advance(rd);
      }
    }
  }

  /** Delivers queued messages (and the ones they cause) until quiet or `max` deliveries. */
  deliverAll(max = 100_000): void {
    this.flush();
    for (let n = 0; n < max; n++) {
      const env = this.queue.shift();
      if (env === undefined) return;
      const to = this.cores.get(env.to);
      if (to === undefined) continue;
      this.delivered++;
      to.step(env.from, env.message);
      this.flush();
    }
  }

  tickAll(ticks = 1): void {
    for (let t = 0; t < ticks; t++) {
      this.clock += 10;
      for (const c of this.cores.values()) c.tick();
      this.deliverAll();
    }
  }

  /** Elects `id` by an immediate campaign with all messages delivered. */
  elect(id: NodeId): void {
    this.core(id).campaign();
    this.deliverAll();
    if (this.core(id).currentRole !== "leader") throw new Error(`${id} failed to become leader`);
  }

  /** Only messages between members of the same group pass. */
  partition(...groups: NodeId[][]): void {
    const groupOf = new Map<NodeId, number>();
    for (const [i, g] of groups.entries()) for (const id of g) groupOf.set(id, i);
    this.filter = (e) => groupOf.get(e.from) === groupOf.get(e.to);
  }

  heal(): void {
    this.filter = () => true;
  }
}
