import type { NodeId } from "@distkit/sim-net";
import { QuorumError, invariant } from "./errors.js";
import type { Json } from "./json.js";
import { MAX_MERKLE_DEPTH, MerkleTree } from "./merkle-tree.js";
import type { NodeCore } from "./node-core.js";
import type { ReplicaStore } from "./replica-store.js";

/**
 * Merkle-tree anti-entropy (internal), level by level as in Dynamo, Cassandra and Riak: every
 * `antiEntropy.intervalMs` a node picks a random peer and sends the root hash of a tree over the keys both
 * replicate; whoever finds a tree node different answers with its children's hashes, so the descent goes
 * only into differing subtrees; at differing leaves the two exchange (key, version digest) lists and stream
 * only the keys whose versions differ.
 */
export class AntiEntropy<S extends Json> {
  private round = 0;

  constructor(
    private readonly core: NodeCore<S>,
    private readonly store: ReplicaStore<S>,
  ) {}

  /** Arms the first round at a random offset within one interval. */
  onStart(): void {
    const ae = this.core.settings.antiEntropy;
    if (ae === false) return;
    const first = this.core.ctx.random.next() * ae.intervalMs;
    this.core.ctx.setTimer(first, () => this.tick(), "anti-entropy");
  }

  /** Keys this node stores that `peer` also replicates, with their states. */
  private sharedEntries(peer: NodeId): [string, S][] {
    const out: [string, S][] = [];
    const n = this.core.settings.defaults.n;
    const placement = this.core.placement;
    for (const [key, e] of this.store.entries) {
      if (placement.preferenceList(key, n).includes(peer)) out.push([key, e.state]);
    }
    return out;
  }

  private tree(entries: readonly [string, S][], depth: number): MerkleTree {
    return MerkleTree.build(
      entries.map(([k, s]) => [k, this.core.policy.digest(s)] as const),
      depth,
    );
  }

  private tick(): void {
    const ae = this.core.settings.antiEntropy;
    if (ae === false) return;
    const { ctx, placement, stats } = this.core;
    ctx.setTimer(ae.intervalMs, () => this.tick(), "anti-entropy");
    const peers = placement.members.filter((m) => m !== ctx.id);
    if (peers.length === 0 || !placement.members.includes(ctx.id)) return;
    const peer = ctx.random.pick(peers);
    stats.antiEntropyRounds++;
    const round = ++this.round;
    // Level-by-level exchange (Dynamo, Cassandra, Riak): start with the root hash only.
    this.sendHashes(peer, round, this.tree(this.sharedEntries(peer), ae.depth), [0]);
  }

  private sendHashes(to: NodeId, round: number, tree: MerkleTree, nodes: readonly number[]): void {
    invariant(nodes.length > 0 && nodes.length <= tree.size, "a hash message names 1..size tree nodes");
    const hashes = nodes.map((i) => tree.hashAt(i));
    this.core.stats.antiEntropyHashesSent += hashes.length;
    this.core.ctx.send(to, { type: "q.aeHashes", round, depth: tree.depth, nodes: [...nodes], hashes });
  }

  /**
   * One level of the comparison: the peer sent hashes of some tree nodes. Differing inner nodes are answered
   * with their children's hashes (the peer continues one level down); differing leaves with this node's
   * (key, digest) lists of those leaves. Equal nodes end the descent there. Each message moves one level
   * down, so a round takes at most depth + 1 hash messages.
   */
  onHashes(
    from: NodeId,
    round: number,
    depth: number,
    nodes: readonly number[],
    hashes: readonly number[],
  ): void {
    const shared = this.sharedEntries(from);
    let tree: MerkleTree;
    let differing: number[];
    try {
      MerkleTree.validateDepth(depth);
      tree = this.tree(shared, depth);
      differing = tree.differingNodes(nodes, hashes);
    } catch (e) {
      if (e instanceof QuorumError) {
        this.core.ctx.log(`anti-entropy: bad hashes from ${from}: ${e.message}`);
        return;
      }
      throw e;
    }
    if (differing.length === 0) return;
    const inner = differing.filter((i) => !tree.isLeaf(i));
    const leaves = differing.filter((i) => tree.isLeaf(i)).map((i) => i - tree.firstLeaf);
    if (inner.length > 0) this.sendHashes(from, round, tree, tree.childrenOf(inner));
    if (leaves.length > 0) {
      const wanted = new Set(leaves);
      const keys = shared
        .filter(([k]) => wanted.has(MerkleTree.leafOf(k, depth)))
        .map(([k, st]) => [k, this.core.policy.digest(st)] as const);
      this.core.ctx.send(from, { type: "q.aeKeys", round, depth, leaves, keys });
    }
  }

  /**
   * The peer's (key, digest) lists of the differing leaves: compare with the local lists, send the states
   * of the keys whose versions differ (or that the peer lacks) and ask for the keys this node lacks or holds
   * in another version. Only differing keys are streamed.
   */
  onKeys(
    from: NodeId,
    round: number,
    depth: number,
    leaves: readonly number[],
    keys: readonly (readonly [string, string])[],
  ): void {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_MERKLE_DEPTH || leaves.length > 1 << depth) {
      this.core.ctx.log(`anti-entropy: bad key lists from ${from}: depth ${depth}, ${leaves.length} leaves`);
      return;
    }
    const wanted = new Set(leaves);
    const theirs = new Map<string, string>();
    for (const [k, d] of keys) theirs.set(k, d);
    const entries: [string, Json][] = [];
    const want: string[] = [];
    const mine = new Set<string>();
    for (const [k, st] of this.sharedEntries(from)) {
      if (!wanted.has(MerkleTree.leafOf(k, depth))) continue;
      mine.add(k);
      const digest = this.core.policy.digest(st);
      const other = theirs.get(k);
      if (other === digest) continue;
      entries.push([k, st]);
      if (other !== undefined) want.push(k);
    }
    for (const k of theirs.keys()) if (!mine.has(k)) want.push(k);
    if (entries.length === 0 && want.length === 0) return;
    this.core.stats.antiEntropyKeysStreamed += entries.length;
    this.core.ctx.send(from, { type: "q.aePull", round, entries, want });
  }

  /** The peer's versions of the differing keys, and the keys it wants from here. */
  onPull(
    from: NodeId,
    round: number,
    entries: readonly (readonly [string, Json])[],
    want: readonly string[],
  ): void {
    const out: [string, Json][] = [];
    for (const key of want) {
      const state = this.store.state(key);
      if (state !== undefined) out.push([key, state]);
    }
    for (const [key, state] of entries) this.store.apply(key, state as S);
    this.core.stats.antiEntropyKeysStreamed += out.length;
    if (out.length > 0) this.core.ctx.send(from, { type: "q.aeEntries", round, entries: out });
  }

  /** The last step of a round: the states this node asked for. */
  onEntries(entries: readonly (readonly [string, Json])[]): void {
    for (const [key, state] of entries) this.store.apply(key, state as S);
  }
}
