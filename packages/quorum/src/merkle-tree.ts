import { murmur3_32 } from "@distkit/hashing";
import { QuorumError, invariant } from "./errors.js";

/**
 * Largest accepted Merkle tree depth (2^16 leaves).
 *
 * @example
 * ```ts
 * import { MAX_MERKLE_DEPTH } from "@distkit/quorum";
 * const depth = Math.min(10, MAX_MERKLE_DEPTH);
 * ```
 */
export const MAX_MERKLE_DEPTH = 16;

/** 32-bit murmur3 (x86, seed 0) of a string's UTF-8 bytes, from `@distkit/hashing`. */
function hashString32(text: string): number {
  return murmur3_32(text);
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A Merkle (hash) tree over one key range, as Dynamo and Cassandra use for anti-entropy. Keys fall into
 * 2^depth leaves by key hash; a leaf's hash sums the hashes of its (key, version digest) pairs, and an
 * inner node hashes its two children. Two replicas compare trees top-down, level by level
 * (`differingNodes`, `childrenOf`), and only exchange the keys of the leaves that differ.
 *
 * @example
 * ```ts
 * import { MerkleTree } from "@distkit/quorum";
 * const a = MerkleTree.build([["k1", "v1"], ["k2", "v2"]], 4);
 * const b = MerkleTree.build([["k1", "v1"], ["k2", "v2*"]], 4);
 * a.diff(b); // [the leaf index of "k2"]
 * ```
 */
export class MerkleTree {
  /** Levels below the root; the tree has 2^depth leaves. */
  readonly depth: number;
  /** Node hashes in heap order: index 0 is the root, children of i are 2i+1 and 2i+2. */
  readonly nodes: Uint32Array;

  private constructor(depth: number, nodes: Uint32Array) {
    this.depth = depth;
    this.nodes = nodes;
  }

  /** Checks a depth: an integer in 0..16. Throws `QuorumError` `invalid-config` otherwise. */
  static validateDepth(depth: number): void {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_MERKLE_DEPTH) {
      throw new QuorumError(
        "invalid-config",
        `Merkle tree depth ${depth} is not allowed; accepted: an integer from 0 to ${MAX_MERKLE_DEPTH}`,
      );
    }
  }

  /** The leaf (0..2^depth-1) a key falls into. */
  static leafOf(key: string, depth: number): number {
    return depth === 0 ? 0 : hashString32(key) >>> (32 - depth);
  }

  /** Builds the tree of `entries` (key, version digest). Entry order does not matter. */
  static build(entries: Iterable<readonly [string, string]>, depth: number): MerkleTree {
    MerkleTree.validateDepth(depth);
    const leaves = 1 << depth;
    const nodes = new Uint32Array(2 * leaves - 1);
    const firstLeaf = leaves - 1;
    for (const [key, digest] of entries) {
      const leaf = firstLeaf + MerkleTree.leafOf(key, depth);
      nodes[leaf] = ((nodes[leaf] as number) + hashString32(`${key}\u0000${digest}`)) >>> 0;
    }
    for (let i = firstLeaf - 1; i >= 0; i--) {
      const left = nodes[2 * i + 1] as number;
      const right = nodes[2 * i + 2] as number;
      nodes[i] = left === 0 && right === 0 ? 0 : mix32((Math.imul(left, 31) + right + 0x9e3779b9) >>> 0);
    }
    return new MerkleTree(depth, nodes);
  }

  /** Rebuilds a tree from its node array (as sent in a message). Throws on a malformed array. */
  static fromNodes(depth: number, nodes: readonly number[]): MerkleTree {
    MerkleTree.validateDepth(depth);
    if (nodes.length !== 2 * (1 << depth) - 1) {
      throw new QuorumError(
        "invalid-request",
        `a depth-${depth} Merkle tree has ${2 * (1 << depth) - 1} nodes, got ${nodes.length}`,
      );
    }
    return new MerkleTree(depth, Uint32Array.from(nodes));
  }

  /** The root hash (0 for an empty range). */
  get root(): number {
    return this.nodes[0] as number;
  }

  /** The leaf indices (0-based) whose hashes differ, found by descending only into differing subtrees. */
  diff(other: MerkleTree): number[] {
    invariant(other.depth === this.depth, "compared Merkle trees have the same depth");
    const out: number[] = [];
    const firstLeaf = (1 << this.depth) - 1;
    const stack = [0];
    let guard = this.nodes.length + 1;
    while (stack.length > 0) {
      invariant(guard-- > 0, "Merkle diff visits each node at most once");
      const i = stack.pop() as number;
      if (this.nodes[i] === other.nodes[i]) continue;
      if (i >= firstLeaf) out.push(i - firstLeaf);
      else stack.push(2 * i + 2, 2 * i + 1);
    }
    return out.sort((a, b) => a - b);
  }

  /** Number of nodes in the tree (2^(depth+1) - 1). */
  get size(): number {
    return this.nodes.length;
  }

  /** Heap index of the first leaf (2^depth - 1); leaf `j` is node `firstLeaf + j`. */
  get firstLeaf(): number {
    return (1 << this.depth) - 1;
  }

  /** The hash of node `index` (heap order). Throws `QuorumError` `invalid-request` for an index out of range. */
  hashAt(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.nodes.length) {
      throw new QuorumError(
        "invalid-request",
        `Merkle node index ${index} is out of range; accepted: an integer from 0 to ${this.nodes.length - 1}`,
      );
    }
    return this.nodes[index] as number;
  }

  /** Whether node `index` is a leaf. */
  isLeaf(index: number): boolean {
    return index >= this.firstLeaf;
  }

  /**
   * The nodes among `indices` whose hash differs from `hashes` (the peer's hashes of the same nodes, in the
   * same order): one step of a level-by-level comparison. Throws `QuorumError` `invalid-request` when the
   * lists differ in length or an index is out of range.
   */
  differingNodes(indices: readonly number[], hashes: readonly number[]): number[] {
    if (indices.length !== hashes.length || indices.length > this.nodes.length) {
      throw new QuorumError(
        "invalid-request",
        `expected one hash per Merkle node and at most ${this.nodes.length} nodes, got ${indices.length} nodes and ${hashes.length} hashes`,
      );
    }
    const out: number[] = [];
    for (let j = 0; j < indices.length; j++) {
      if (this.hashAt(indices[j] as number) !== hashes[j]) out.push(indices[j] as number);
    }
    return out;
  }

  /** The heap indices of the children of the inner nodes among `indices` (two per node, in order). */
  childrenOf(indices: readonly number[]): number[] {
    const out: number[] = [];
    for (const i of indices) {
      invariant(!this.isLeaf(i), "only inner Merkle nodes have children");
      out.push(2 * i + 1, 2 * i + 2);
    }
    return out;
  }

  /** The node hashes as a plain array (for a message). */
  toArray(): number[] {
    return Array.from(this.nodes);
  }
}
