/**
 * A client of a single-leader store, as a sim-net node: writes to the leader, reads from the leader
 * or a replica with optional session guarantees, and records what it invoked and observed.
 * @module
 */
import type { Message, NodeContext, NodeId, SimNode, TimerId } from "@distkit/sim-net";
import type { CommitMode } from "./commit-mode.js";
import { ReplicationError } from "./errors.js";
import type { JsonValue } from "./json-value.js";
import type { ReadResult, ReplicaMessage, WriteResult } from "./replica-message.js";

/**
 * One completed client operation, in the shape of a Jepsen/`@distkit/check` history entry:
 * `status` is `ok` (took effect / value observed), `fail` (certainly did not happen) or `info`
 * (unknown: timed out or leader deposed while waiting).
 *
 * @example
 * ```ts
 * import type { ClientOperation } from "@distkit/replication";
 * const stale = (op: ClientOperation) => op.f === "read" && op.status === "ok" && op.output === null;
 * ```
 */
export interface ClientOperation {
  readonly client: NodeId;
  readonly f: "write" | "read";
  readonly key: string;
  /** Written value (write), or the value read (read, when ok). */
  readonly input: JsonValue;
  readonly output: JsonValue | undefined;
  readonly status: "ok" | "fail" | "info";
  /** Client clock at invocation. */
  readonly callMs: number;
  /** Client clock at completion. */
  readonly returnMs: number;
  /** The node that answered (or was asked). */
  readonly node: NodeId;
  /** Log position written (write ok) or read from (read ok); 0 otherwise. */
  readonly lsn: number;
  /** Write id, for matching with lost-write reports. */
  readonly writeId: string;
}

/**
 * Options of one read.
 *
 * @example
 * ```ts
 * import type { ReadOptions } from "@distkit/replication";
 * const o: ReadOptions = { from: "n2", readYourWrites: true, waitTimeoutMs: 200 };
 * ```
 */
export interface ReadOptions {
  /** Node to read from; default the client's current leader. */
  readonly from?: NodeId;
  /** Only the leader may answer (a follower answers not-leader). Default false. */
  readonly leaderOnly?: boolean;
  /** Wait until the replica has applied this client's last acknowledged write. */
  readonly readYourWrites?: boolean;
  /** Never read an older state than this client read before. */
  readonly monotonicReads?: boolean;
  /** How long the replica may wait for the required position. Default 1000. */
  readonly waitTimeoutMs?: number;
}

/**
 * Client configuration.
 *
 * @example
 * ```ts
 * import type { ReplicationClientConfig } from "@distkit/replication";
 * const c: ReplicationClientConfig = { leader: "n1", requestTimeoutMs: 2000 };
 * ```
 */
export interface ReplicationClientConfig {
  /** The node believed to lead at start. */
  readonly leader: NodeId;
  /** A request without an answer after this long completes as `timeout`. Default 5000. */
  readonly requestTimeoutMs?: number;
  /** Most requests in flight. Default 100000. */
  readonly maxInFlight?: number;
}

interface InFlight {
  readonly f: "write" | "read";
  readonly key: string;
  readonly input: JsonValue;
  readonly callMs: number;
  readonly node: NodeId;
  readonly writeId: string;
  readonly onWrite: ((r: WriteResult) => void) | undefined;
  readonly onRead: ((r: ReadResult) => void) | undefined;
}

/**
 * A client node. Drive it from outside the simulation (for example in `sim.schedule`) through
 * {@link ReplicationClient.write} and {@link ReplicationClient.read}; results come back through
 * callbacks and are recorded in {@link ReplicationClient.operations}.
 *
 * @example
 * ```ts
 * import { ReplicationClient } from "@distkit/replication";
 * // sim.addNode("c1", (ctx) => new ReplicationClient(ctx, { leader: "n1" }));
 * // sim.node<ReplicationClient>("c1").instance.write("x", 1, {}, (r) => console.log(r.outcome));
 * ```
 */
export class ReplicationClient implements SimNode<Message> {
  /** Every completed operation, in completion order. */
  readonly operations: ClientOperation[] = [];
  /** Log position of this client's last acknowledged write (read-your-writes). */
  lastWriteLsn = 0;
  /** Highest log position this client has read from (monotonic reads). */
  lastReadLsn = 0;
  private readonly ctx: NodeContext<Message>;
  private leader: NodeId;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly inFlight = new Map<number, InFlight>();
  private nextRequestId = 1;
  /** One timer for the oldest request (requests time out in the order they were sent). */
  private sweepTimer: TimerId | undefined;

  /** Builds the client from its context. */
  constructor(ctx: NodeContext<Message>, config: ReplicationClientConfig) {
    this.ctx = ctx;
    this.leader = config.leader;
    this.requestTimeoutMs = config.requestTimeoutMs ?? 5000;
    this.maxInFlight = config.maxInFlight ?? 100_000;
    if (!(this.requestTimeoutMs > 0)) {
      throw new ReplicationError(
        "invalid-config",
        `requestTimeoutMs must be > 0, got ${this.requestTimeoutMs}`,
      );
    }
  }

  /** The node this client currently sends writes to. */
  get currentLeader(): NodeId {
    return this.leader;
  }

  /** Points the client at another leader (after a failover). */
  setLeader(leader: NodeId): void {
    this.leader = leader;
  }

  /** Requests in flight. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Writes `key := value` through the current leader. */
  write(
    key: string,
    value: JsonValue,
    options: { readonly commit?: CommitMode } = {},
    onResult?: (result: WriteResult) => void,
  ): void {
    const requestId = this.start("write", key, value, this.leader, onResult, undefined);
    if (requestId === undefined) return;
    const writeId = `${this.ctx.id}:${requestId}`;
    this.send(this.leader, {
      type: "client-write",
      requestId,
      key,
      value,
      writeId,
      ...(options.commit === undefined ? {} : { commit: options.commit }),
    });
  }

  /** Reads `key`, from the leader or the replica named in `options.from`. */
  read(key: string, options: ReadOptions = {}, onResult?: (result: ReadResult) => void): void {
    const node = options.from ?? this.leader;
    let minLsn = 0;
    if (options.readYourWrites === true) minLsn = Math.max(minLsn, this.lastWriteLsn);
    if (options.monotonicReads === true) minLsn = Math.max(minLsn, this.lastReadLsn);
    const requestId = this.start("read", key, null, node, undefined, onResult);
    if (requestId === undefined) return;
    this.send(node, {
      type: "client-read",
      requestId,
      key,
      minLsn,
      waitTimeoutMs: options.waitTimeoutMs ?? 1000,
      leaderOnly: options.leaderOnly ?? false,
    });
  }

  /** Handles results. */
  onMessage(_from: NodeId, message: Message): void {
    const m = message as ReplicaMessage;
    if (m.type === "client-write-result") this.finishWrite(m.requestId, m.result);
    else if (m.type === "client-read-result") this.finishRead(m.requestId, m.result);
  }

  private send(to: NodeId, message: ReplicaMessage): void {
    this.ctx.send(to, message);
  }

  private start(
    f: "write" | "read",
    key: string,
    input: JsonValue,
    node: NodeId,
    onWrite: ((r: WriteResult) => void) | undefined,
    onRead: ((r: ReadResult) => void) | undefined,
  ): number | undefined {
    if (this.inFlight.size >= this.maxInFlight) {
      if (f === "write") {
        onWrite?.({
          outcome: "rejected",
          reason: `client overloaded: ${this.maxInFlight} requests in flight`,
        });
      } else onRead?.({ outcome: "timeout", appliedLsn: 0 });
      return undefined;
    }
    const requestId = this.nextRequestId++;
    this.inFlight.set(requestId, {
      f,
      key,
      input,
      callMs: this.ctx.now(),
      node,
      writeId: f === "write" ? `${this.ctx.id}:${requestId}` : "",
      onWrite,
      onRead,
    });
    if (this.sweepTimer === undefined) this.armSweep();
    return requestId;
  }

  private armSweep(): void {
    const oldest = this.inFlight.values().next();
    if (oldest.done === true) return;
    const delayMs = Math.max(0, oldest.value.callMs + this.requestTimeoutMs - this.ctx.now());
    this.sweepTimer = this.ctx.setTimer(
      delayMs,
      () => {
        this.sweepTimer = undefined;
        const now = this.ctx.now();
        // Map order is send order and every request has the same timeout: expire from the front.
        for (const [requestId, op] of this.inFlight) {
          if (op.callMs + this.requestTimeoutMs > now) break;
          if (op.f === "write") this.finishWrite(requestId, { outcome: "timeout" });
          else this.finishRead(requestId, { outcome: "timeout", appliedLsn: 0 });
        }
        this.armSweep();
      },
      "request-timeout",
    );
  }

  private take(requestId: number): InFlight | undefined {
    const op = this.inFlight.get(requestId);
    if (op === undefined) return undefined;
    this.inFlight.delete(requestId);
    return op;
  }

  private finishWrite(requestId: number, result: WriteResult): void {
    const op = this.take(requestId);
    if (op === undefined) return;
    if (result.outcome === "ok") this.lastWriteLsn = Math.max(this.lastWriteLsn, result.lsn);
    if (result.outcome === "not-leader" && result.leader !== undefined) this.leader = result.leader;
    this.operations.push({
      client: this.ctx.id,
      f: "write",
      key: op.key,
      input: op.input,
      output: undefined,
      status:
        result.outcome === "ok"
          ? "ok"
          : result.outcome === "not-leader" || result.outcome === "rejected"
            ? "fail"
            : "info",
      callMs: op.callMs,
      returnMs: this.ctx.now(),
      node: op.node,
      lsn: result.outcome === "ok" ? result.lsn : 0,
      writeId: op.writeId,
    });
    op.onWrite?.(result);
  }

  private finishRead(requestId: number, result: ReadResult): void {
    const op = this.take(requestId);
    if (op === undefined) return;
    if (result.outcome === "ok") this.lastReadLsn = Math.max(this.lastReadLsn, result.appliedLsn);
    this.operations.push({
      client: this.ctx.id,
      f: "read",
      key: op.key,
      input: null,
      output: result.outcome === "ok" ? result.value : undefined,
      status: result.outcome === "ok" ? "ok" : "fail",
      callMs: op.callMs,
      returnMs: this.ctx.now(),
      node: op.node,
      lsn: result.outcome === "ok" ? result.appliedLsn : 0,
      writeId: "",
    });
    op.onRead?.(result);
  }
}
