/**
 * A replica of a Raft group that runs any deterministic state machine: a thin driver of
 * `@distkit/raft`'s {@link RaftCore} over a sim-net {@link NodeContext} (ticks from timers, entries and
 * hard state synced to `ctx.storage` before any message is sent, snapshots for compaction). Shard groups
 * and the config service both run on it.
 * @module
 */
import {
  type HardState,
  type LogEntry,
  RaftCore,
  type RaftConfig,
  type RaftMessage,
  type Snapshot,
} from "@distkit/raft";
import type { Message, NodeContext, NodeId } from "@distkit/sim-net";
import { invariant } from "./errors.js";

/**
 * What a {@link RaftHost} needs of a state machine: apply a committed command (deterministically), and
 * snapshot its whole state as JSON.
 *
 * @example
 * ```ts
 * import type { HostedStateMachine } from "@distkit/sharding";
 * let n = 0;
 * const counter: HostedStateMachine<number, number> = { apply: (c) => (n += c), snapshot: () => n };
 * ```
 */
export interface HostedStateMachine<C, R> {
  apply(command: C, index: number): R;
  snapshot(): unknown;
}

/**
 * Options of a {@link RaftHost}.
 *
 * @example
 * ```ts
 * import type { RaftHostOptions } from "@distkit/sharding";
 * const o: RaftHostOptions = { voters: ["a", "b", "c"], snapshotThresholdEntries: 500 };
 * ```
 */
export interface RaftHostOptions {
  /** The group's voters (bootstrap). */
  readonly voters: readonly NodeId[];
  /** Raft tunables (defaults: tick 10 ms, election 150 ms, heartbeat 50 ms; pre-vote and check-quorum on). */
  readonly raft?: RaftConfig;
  /** Snapshot and compact every this many applied entries. Default 500. */
  readonly snapshotThresholdEntries?: number;
  /** Entries kept before a snapshot for lagging followers. Default 50. */
  readonly retainEntries?: number;
  /** Storage key prefix (one per group hosted on a node). Default "raft/". */
  readonly storagePrefix?: string;
}

/**
 * What happened to a proposal: applied (with the state machine's result), or not known to be applied
 * (`lost`: leadership changed before it committed; it may still commit later, so retry idempotently).
 *
 * @example
 * ```ts
 * import type { ProposalOutcome } from "@distkit/sharding";
 * const o: ProposalOutcome<string> = { kind: "applied", result: "ok", index: 7 };
 * ```
 */
export type ProposalOutcome<R> =
  | { readonly kind: "applied"; readonly result: R; readonly index: number }
  | { readonly kind: "lost" }
  | { readonly kind: "notLeader"; readonly leaderHint: NodeId | null }
  | { readonly kind: "dropped"; readonly reason: string };

interface Pending<R> {
  readonly term: number;
  readonly done: (o: ProposalOutcome<R>) => void;
}

const MAX_READY_ROUNDS = 64;
const MAX_PENDING = 20_000;

/**
 * A Raft replica hosting a state machine.
 *
 * @example
 * ```ts
 * import { RaftHost } from "@distkit/sharding";
 * import { Simulation, type NodeContext, type Message } from "@distkit/sim-net";
 * const sim = new Simulation({ seed: 1 });
 * const voters = ["a", "b", "c"];
 * for (const id of voters) {
 *   sim.addNode(id, (ctx: NodeContext<Message>) => {
 *     let sum = 0;
 *     const host = new RaftHost<number, number>(ctx, { voters }, (snap) => {
 *       sum = (snap as number | null) ?? 0;
 *       return { apply: (c) => (sum += c), snapshot: () => sum };
 *     });
 *     return { onStart: () => host.start(), onMessage: (from, m) => host.step(from, m as never) };
 *   });
 * }
 * sim.runFor(1000);
 * ```
 */
export class RaftHost<C, R> {
  /** The protocol core. */
  readonly core: RaftCore;
  private sm: HostedStateMachine<C, R>;
  private readonly ctx: NodeContext<Message>;
  private readonly restore: (snapshot: unknown | null) => HostedStateMachine<C, R>;
  private readonly prefix: string;
  private readonly snapshotThreshold: number;
  private readonly retain: number;
  private persistedLast: number;
  private persistedOffset: number;
  private lastSnapshotIndex: number;
  private readonly pending = new Map<number, Pending<R>>();
  private readonly afterApply: ((command: C, result: R, index: number) => void)[] = [];
  private readonly onRoleChange: (() => void)[] = [];
  private lastRoleLeader = false;
  private started = false;

  /**
   * @param ctx - the node's context (its storage holds this group's log under `storagePrefix`)
   * @param options - voters and tunables
   * @param restore - builds the state machine from a snapshot's data (`null`: initial state)
   */
  constructor(
    ctx: NodeContext<Message>,
    options: RaftHostOptions,
    restore: (snapshot: unknown | null) => HostedStateMachine<C, R>,
  ) {
    this.ctx = ctx;
    this.restore = restore;
    this.prefix = options.storagePrefix ?? "raft/";
    this.snapshotThreshold = options.snapshotThresholdEntries ?? 500;
    this.retain = options.retainEntries ?? 50;
    const s = ctx.storage;
    const hardState = s.get<HardState>(`${this.prefix}hs`) ?? { term: 0, vote: null, commit: 0 };
    const snapshot = s.get<Snapshot>(`${this.prefix}snap`) ?? null;
    const logOffset = s.get<{ index: number; term: number }>(`${this.prefix}off`) ?? { index: 0, term: 0 };
    const indexes = s
      .keys(`${this.prefix}e/`)
      .map((k) => Number(k.slice(this.prefix.length + 2)))
      .filter((i) => i > logOffset.index)
      .sort((a, b) => a - b);
    const entries: LogEntry[] = [];
    for (const i of indexes) {
      invariant(i === logOffset.index + entries.length + 1, "stored log entries are contiguous");
      entries.push(s.get<LogEntry>(`${this.prefix}e/${i}`)!);
    }
    this.persistedLast = logOffset.index + entries.length;
    this.persistedOffset = logOffset.index;
    this.lastSnapshotIndex = snapshot?.index ?? 0;
    this.core = new RaftCore({
      id: ctx.id,
      bootstrapVoters: options.voters,
      config: {
        tickMs: 10,
        electionTimeoutMs: 150,
        heartbeatIntervalMs: 50,
        preVote: true,
        checkQuorum: true,
        ...options.raft,
      },
      random: ctx.random,
      now: () => ctx.now(),
      recovered: { hardState, snapshot, logOffset, entries },
    });
    this.sm = restore(snapshot === null ? null : snapshot.data);
  }

  /** The state machine (read-only use outside apply). @example `host.stateMachine` */
  get stateMachine(): HostedStateMachine<C, R> {
    return this.sm;
  }

  /** Whether this replica is the leader. @example `host.isLeader` */
  get isLeader(): boolean {
    return this.core.currentRole === "leader";
  }

  /** The leader this replica knows of. @example `host.leaderHint` */
  get leaderHint(): NodeId | null {
    return this.core.leaderId;
  }

  /** Calls `listener` after every applied command (on every replica). @example `host.onApplied(() => {})` */
  onApplied(listener: (command: C, result: R, index: number) => void): void {
    this.afterApply.push(listener);
  }

  /** Calls `listener` when this replica becomes or stops being the leader. @example `host.onLeadershipChange(() => {})` */
  onLeadershipChange(listener: () => void): void {
    this.onRoleChange.push(listener);
  }

  /** Starts ticking (call from the node's `onStart`). @example `host.start()` */
  start(): void {
    invariant(!this.started, "a host starts once");
    this.started = true;
    const tick = () => {
      this.core.tick();
      this.flush();
      this.ctx.setTimer(this.core.config.tickMs, tick, "tick");
    };
    this.ctx.setTimer(this.core.config.tickMs, tick, "tick");
    this.flush();
  }

  /** Feeds a Raft message from a peer. @example `host.step(from, message)` */
  step(from: NodeId, message: RaftMessage): void {
    this.core.step(from, message);
    this.flush();
  }

  /**
   * Proposes a command; `done` is called once: applied (with the result), lost (leadership changed before it
   * was applied here), not leader, or dropped.
   * @example `host.propose(cmd, (o) => console.log(o.kind))`
   */
  propose(command: C, done: (o: ProposalOutcome<R>) => void, sizeBytes = 64): void {
    if (this.pending.size >= MAX_PENDING) {
      done({ kind: "dropped", reason: "too many pending proposals" });
      return;
    }
    const r = this.core.propose(command, sizeBytes);
    if (r.kind === "notLeader") done({ kind: "notLeader", leaderHint: r.leaderHint });
    else if (r.kind === "dropped") done({ kind: "dropped", reason: r.reason });
    else this.pending.set(r.index, { term: r.term, done });
    this.flush();
  }

  private flush(): void {
    for (let round = 0; round < MAX_READY_ROUNDS && this.core.hasReady(); round++) {
      const rd = this.core.ready();
      this.persist(rd);
      for (const m of rd.messages) this.ctx.send(m.to, m.message);
      if (rd.snapshot !== null) {
        this.sm = this.restore(rd.snapshot.data);
        this.lastSnapshotIndex = rd.snapshot.index;
        for (const [index, p] of this.pending) {
          if (index <= rd.snapshot.index) {
            this.pending.delete(index);
            p.done({ kind: "lost" });
          }
        }
      }
      for (const e of rd.committedEntries) {
        if (e.kind !== "normal") continue;
        const result = this.sm.apply(e.data as C, e.index);
        const p = this.pending.get(e.index);
        if (p !== undefined) {
          this.pending.delete(e.index);
          p.done(p.term === e.term ? { kind: "applied", result, index: e.index } : { kind: "lost" });
        }
        for (const l of this.afterApply) l(e.data as C, result, e.index);
      }
      this.core.advance(rd);
      this.maybeSnapshot();
    }
    const leader = this.isLeader;
    if (!leader && this.pending.size > 0) {
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.done({ kind: "lost" });
    }
    if (leader !== this.lastRoleLeader) {
      this.lastRoleLeader = leader;
      for (const l of this.onRoleChange) l();
    }
  }

  private persist(rd: ReturnType<RaftCore["ready"]>): void {
    const s = this.ctx.storage;
    let dirty = false;
    const p = this.prefix;
    if (rd.snapshot !== null) {
      s.set(`${p}snap`, rd.snapshot);
      dirty = true;
    }
    if (rd.logOffset.index !== this.persistedOffset) {
      for (let i = this.persistedOffset + 1; i <= Math.min(rd.logOffset.index, this.persistedLast); i++)
        s.delete(`${p}e/${i}`);
      s.set(`${p}off`, rd.logOffset);
      this.persistedOffset = rd.logOffset.index;
      if (this.persistedLast < rd.logOffset.index) this.persistedLast = rd.logOffset.index;
      dirty = true;
    }
    const keepUpTo = rd.entries.length > 0 ? rd.entries[0]!.index - 1 : rd.lastIndex;
    for (let i = this.persistedLast; i > keepUpTo && i > this.persistedOffset; i--) {
      s.delete(`${p}e/${i}`);
      dirty = true;
    }
    if (this.persistedLast > keepUpTo) this.persistedLast = Math.max(keepUpTo, this.persistedOffset);
    for (const e of rd.entries) {
      s.set(`${p}e/${e.index}`, e);
      this.persistedLast = e.index;
      dirty = true;
    }
    if (rd.hardState !== null) {
      s.set(`${p}hs`, rd.hardState);
      dirty = true;
    }
    if (dirty) s.sync();
  }

  private maybeSnapshot(): void {
    const applied = this.core.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.snapshotThreshold) return;
    const snap = this.core.createSnapshot(applied, this.sm.snapshot(), this.retain);
    this.lastSnapshotIndex = applied;
    this.ctx.storage.set(`${this.prefix}snap`, snap);
    this.ctx.storage.sync();
  }
}

/**
 * Whether a message is a Raft protocol message (type `raft.*`).
 *
 * @example
 * ```ts
 * import { isRaftMessage } from "@distkit/sharding";
 * isRaftMessage({ type: "raft.heartbeat" }); // true
 * ```
 */
export function isRaftMessage(m: Message): m is RaftMessage {
  return m.type.startsWith("raft.");
}
