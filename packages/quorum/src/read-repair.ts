import type { NodeId } from "@distkit/sim-net";
import { invariant } from "./errors.js";
import type { Json } from "./json.js";
import type { NodeCore } from "./node-core.js";
import type { ReadOp } from "./read-path.js";
import type { ReplicaStore } from "./replica-store.js";

/**
 * Read repair (internal): after a read merged the replies, the responders whose state does not already
 * contain the merged state get it. `blocking`: before the client is answered (the read waits for the
 * repair acknowledgements, so what it returns is on R replicas); `async`: after every reply is in.
 */
export class ReadRepair<S extends Json> {
  /** Blocking read repair: repair rid -> the read waiting for it. */
  private readonly waits = new Map<number, { readonly read: number; readonly node: NodeId }>();

  constructor(
    private readonly core: NodeCore<S>,
    private readonly store: ReplicaStore<S>,
    /** Finds a pending read by its rid. */
    private readonly readOf: (rid: number) => ReadOp<S> | undefined,
    /** Answers a read whose blocking repair completed. */
    private readonly answer: (op: ReadOp<S>, repaired: number) => void,
  ) {}

  /** Responders whose state does not already contain the merged state. */
  staleReplicas(op: ReadOp<S>): NodeId[] {
    const merged = op.merged;
    if (merged === null) return [];
    const out: NodeId[] = [];
    for (const [node, s] of op.replies) {
      if (s === null || !this.core.policy.descends(s, merged)) out.push(node);
    }
    return out;
  }

  /** Starts a blocking repair of `stale`; the read is answered when all of them acknowledged. */
  startBlocking(op: ReadOp<S>, stale: readonly NodeId[]): void {
    op.awaitingRepair = new Set(stale);
    for (const node of stale) this.send(op, node, true);
  }

  /** Repairs every stale responder in the background. */
  repairAsync(op: ReadOp<S>): void {
    for (const node of this.staleReplicas(op)) this.send(op, node, false);
  }

  private send(op: ReadOp<S>, node: NodeId, blocking: boolean): void {
    invariant(op.merged !== null, "a repair sends a merged state");
    this.core.stats.readRepairsSent++;
    if (node === this.core.id) {
      this.store.apply(op.key, op.merged);
      if (blocking) op.awaitingRepair?.delete(node);
      if (blocking && op.awaitingRepair?.size === 0) this.answer(op, op.replies.size);
      return;
    }
    const rid = this.core.nextRid();
    if (blocking) this.waits.set(rid, { read: op.rid, node });
    this.core.ctx.send(node, { type: "q.repair", rid, key: op.key, state: op.merged });
  }

  onAck(rid: number): void {
    const wait = this.waits.get(rid);
    if (wait === undefined) return;
    this.waits.delete(rid);
    const op = this.readOf(wait.read);
    if (op === undefined || op.answered || op.awaitingRepair === null) return;
    op.awaitingRepair.delete(wait.node);
    if (op.awaitingRepair.size === 0) this.answer(op, this.staleReplicas(op).length);
  }
}
