import { invariant } from "./errors.js";
import type { Operation } from "./history.js";
import { hashValue, mixHash, valuesEqual } from "./hash.js";
import type { Model } from "./model.js";

const CHUNK_SHIFT = 10;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * The state of one resumable Wing-Gong-Lowe search over one partition. Internal.
 *
 * Data layout (no per-step object allocation except what the model's `step` returns):
 * - the entry list: node 0 is the head; node j+1 is the j-th event in time order; `next`/`prev` link
 *   the nodes still in the list; `match[call] = its return node` (-1 for returns);
 * - the linearized set: a bitset with an incrementally maintained Zobrist hash;
 * - the cache of explored (linearized set, state): a hash table chained through Int32Arrays whose
 *   entries keep their bitsets in fixed-size chunks (growing never copies them);
 * - phase 1 at each new configuration linearizes a legal minimal read-only operation if there is
 *   one (the only branch needed); phase 2 walks the remaining calls as Porcupine does.
 * @internal
 */
export class LinearizationSearch<S, I, O> {
  readonly ops: readonly Operation<I, O>[];
  readonly model: Model<S, I, O>;
  status: "running" | "linearizable" | "not-linearizable" = "running";
  steps = 0;

  // Failure report.
  bestDepth = -1;
  bestPrefix: number[] = [];
  /** The states along `bestPrefix`: before each op, then after the last (length + 1 entries). */
  bestStates: S[] = [];
  blockerOp = -1;
  blockerState: S;
  blockerCandidates: number[] = [];
  #awaitingBlocker = true;

  readonly #n: number;
  readonly #hash: (s: S) => number;
  readonly #equal: (a: S, b: S) => boolean;
  readonly #next: Int32Array;
  readonly #prev: Int32Array;
  readonly #opOf: Int32Array;
  readonly #match: Int32Array;
  /** Per op: the model says it never changes the state (see Model.isReadOnly). */
  readonly #readOnly: Uint8Array;
  readonly #words: number;
  readonly #bits: Uint32Array;
  readonly #zobrist: Int32Array;
  #bitsHash = 0;

  // Cache: open hashing with chaining.
  #tableMask: number;
  #table: Int32Array; // head entry index + 1 (0 = empty)
  #entryNext: Int32Array;
  #entryHash: Int32Array;
  /** The entries' bitsets, in chunks of 2^CHUNK_SHIFT entries (growing never copies them). */
  readonly #bitChunks: Uint32Array[] = [];
  readonly #entryState: S[] = [];
  #entries = 0;

  // Backtracking stack.
  readonly #stackNode: Int32Array;
  readonly #stackState: S[] = [];
  readonly #stackHash: Int32Array;
  readonly #stackAlts: (readonly S[])[] = [];
  readonly #stackAltIdx: Int32Array;
  #depth = 0;

  #state: S;
  #stateHash: number;
  #entry: number;
  #needScan = true;
  readonly #anyReadOnly: boolean;

  constructor(ops: readonly Operation<I, O>[], model: Model<S, I, O>) {
    this.ops = ops;
    this.model = model;
    const n = ops.length;
    this.#n = n;
    this.#hash = model.hash !== undefined ? model.hash.bind(model) : hashValue;
    this.#equal = model.equal !== undefined ? model.equal.bind(model) : valuesEqual;

    // Events: 0..n-1 calls, n..2n-1 returns; by time, calls before returns at equal times, then by id.
    const timeOf = (e: number): number => (e < n ? ops[e]!.callMs : ops[e - n]!.returnMs);
    const sorted = Array.from({ length: 2 * n }, (_, i) => i).sort((a, b) => {
      const ta = timeOf(a);
      const tb = timeOf(b);
      if (ta !== tb) return ta < tb ? -1 : 1;
      const ca = a < n ? 0 : 1;
      const cb = b < n ? 0 : 1;
      if (ca !== cb) return ca - cb;
      return a - b;
    });
    const size = 2 * n + 1;
    this.#next = new Int32Array(size);
    this.#prev = new Int32Array(size);
    this.#opOf = new Int32Array(size).fill(-1);
    this.#match = new Int32Array(size).fill(-1);
    const nodeOfReturn = new Int32Array(n);
    sorted.forEach((e, j) => {
      this.#opOf[j + 1] = e < n ? e : e - n;
      if (e >= n) nodeOfReturn[e - n] = j + 1;
    });
    sorted.forEach((e, j) => {
      if (e < n) {
        invariant(nodeOfReturn[e]! > j + 1, "a return comes after its call");
        this.#match[j + 1] = nodeOfReturn[e]!;
      }
    });
    for (let node = 0; node < size; node++) {
      this.#next[node] = node + 1 < size ? node + 1 : -1;
      this.#prev[node] = node - 1;
    }

    this.#readOnly = new Uint8Array(n);
    if (model.isReadOnly !== undefined) {
      for (let i = 0; i < n; i++) this.#readOnly[i] = model.isReadOnly(ops[i]!) ? 1 : 0;
    }

    this.#anyReadOnly = this.#readOnly.includes(1);
    this.#words = (n + 31) >>> 5;
    this.#bits = new Uint32Array(this.#words);
    this.#zobrist = new Int32Array(n);
    let s = 0x9e3779b9 | 0;
    for (let i = 0; i < n; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      this.#zobrist[i] = t ^ (t >>> 14);
    }

    const initialCapacity = 64;
    this.#tableMask = 2 * initialCapacity - 1;
    this.#table = new Int32Array(2 * initialCapacity);
    this.#entryNext = new Int32Array(initialCapacity);
    this.#entryHash = new Int32Array(initialCapacity);

    this.#stackNode = new Int32Array(n);
    this.#stackHash = new Int32Array(n);
    this.#stackAltIdx = new Int32Array(n);

    this.#state = model.init();
    this.#stateHash = this.#hash(this.#state) | 0;
    this.blockerState = this.#state;
    this.#entry = this.#next[0]!;
    if (n === 0) this.status = "linearizable";
  }

  /** The linearization found so far (op indices within this partition), in order. */
  linearization(): number[] {
    return Array.from(this.#stackNode.subarray(0, this.#depth), (nd) => this.#opOf[nd]!);
  }

  /** The states along the linearization found so far: before each op, then the current state. */
  linearizationStates(): S[] {
    const states = this.#stackState.slice(0, this.#depth);
    states.push(this.#state);
    return states;
  }

  /** Cached (linearized set, state) pairs. */
  get cacheSize(): number {
    return this.#entries;
  }

  #grow(): void {
    const cap = this.#entryNext.length * 2;
    const en = new Int32Array(cap);
    en.set(this.#entryNext);
    this.#entryNext = en;
    const eh = new Int32Array(cap);
    eh.set(this.#entryHash);
    this.#entryHash = eh;
    // Rehash into a table twice the capacity.
    const mask = 2 * cap - 1;
    const table = new Int32Array(2 * cap);
    for (let i = 0; i < this.#entries; i++) {
      const slot = this.#entryHash[i]! & mask;
      this.#entryNext[i] = table[slot]!;
      table[slot] = i + 1;
    }
    this.#table = table;
    this.#tableMask = mask;
  }

  /** Adds (current bits, state) to the cache; false if it was already there. */
  #addToCache(bitsHash: number, state: S, stateHash: number): boolean {
    const h = mixHash(bitsHash + Math.imul(stateHash, 0x9e3779b1));
    const words = this.#words;
    const bits = this.#bits;
    const chunks = this.#bitChunks;
    for (let i = this.#table[h & this.#tableMask]!; i !== 0; i = this.#entryNext[i - 1]!) {
      const e = i - 1;
      if (this.#entryHash[e] !== h) continue;
      const chunk = chunks[e >>> CHUNK_SHIFT]!;
      const base = (e & CHUNK_MASK) * words;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (chunk[base + w] !== bits[w]) {
          same = false;
          break;
        }
      }
      if (same && this.#equal(this.#entryState[e]!, state)) return false;
    }
    if (this.#entries === this.#entryNext.length) this.#grow();
    const e = this.#entries++;
    this.#entryHash[e] = h;
    if ((e & CHUNK_MASK) === 0) chunks.push(new Uint32Array((CHUNK_MASK + 1) * words));
    chunks[e >>> CHUNK_SHIFT]!.set(bits, (e & CHUNK_MASK) * words);
    this.#entryState[e] = state;
    const slot = h & this.#tableMask;
    this.#entryNext[e] = this.#table[slot]!;
    this.#table[slot] = e + 1;
    return true;
  }

  #lift(node: number): void {
    const next = this.#next;
    const prev = this.#prev;
    next[prev[node]!] = next[node]!;
    prev[next[node]!] = prev[node]!;
    const m = this.#match[node]!;
    next[prev[m]!] = next[m]!;
    const mn = next[m]!;
    if (mn !== -1) prev[mn] = prev[m]!;
  }

  #unlift(node: number): void {
    const next = this.#next;
    const prev = this.#prev;
    const m = this.#match[node]!;
    next[prev[m]!] = m;
    const mn = next[m]!;
    if (mn !== -1) prev[mn] = m;
    next[prev[node]!] = node;
    prev[next[node]!] = node;
  }

  /** Tries `alternatives[from..]` for call `node`; on success linearizes it and returns true. */
  #tryLinearize(node: number, alternatives: readonly S[], from: number): boolean {
    const oi = this.#opOf[node]!;
    const bh = this.#bitsHash ^ this.#zobrist[oi]!;
    const w = oi >>> 5;
    const bit = 1 << (oi & 31);
    this.#bits[w]! |= bit;
    for (let a = from; a < alternatives.length; a++) {
      const ns = alternatives[a]!;
      const nh = this.#hash(ns) | 0;
      if (this.#addToCache(bh, ns, nh)) {
        const d = this.#depth++;
        this.#stackNode[d] = node;
        this.#stackState[d] = this.#state;
        this.#stackHash[d] = this.#stateHash;
        this.#stackAlts[d] = alternatives;
        this.#stackAltIdx[d] = a;
        this.#state = ns;
        this.#stateHash = nh;
        this.#bitsHash = bh;
        this.#lift(node);
        return true;
      }
    }
    this.#bits[w]! &= ~bit;
    return false;
  }

  /** After a lift: track the deepest prefix, and scan the new configuration for read-only ops. */
  #entered(): void {
    if (this.#depth > this.bestDepth) {
      this.bestDepth = this.#depth;
      this.#awaitingBlocker = true;
    }
    this.#needScan = true;
  }

  /**
   * Phase 1 at a new configuration (Lowe's observation): a read-only operation that is minimal (its
   * call comes before the first pending return) and legal in the current state can be linearized
   * first if the configuration has any completion at all. So if one exists, it is the only branch
   * tried; if it fails, the configuration fails. Returns "lifted" when such an op was linearized,
   * "fail" when one is legal but its successor configuration was already explored, "none" otherwise
   * (then every minimal read-only op is illegal here and phase 2 skips them).
   */
  #scanReadOnly(): "lifted" | "fail" | "none" {
    if (!this.#anyReadOnly) return "none";
    const next = this.#next;
    const match = this.#match;
    for (let c = next[0]!; c !== -1 && match[c] !== -1; c = next[c]!) {
      const oi = this.#opOf[c]!;
      if (this.#readOnly[oi] === 0) continue;
      this.steps++;
      const alternatives = this.model.step(this.#state, this.ops[oi]!);
      if (alternatives.length === 0) continue;
      return this.#tryLinearize(c, alternatives, 0) ? "lifted" : "fail";
    }
    return "none";
  }

  /**
   * Runs until a verdict or until about `stepLimit` total steps (the read-only scan of one
   * configuration always completes, so the limit may be passed by a little). Returns the status.
   */
  run(stepLimit: number): "running" | "linearizable" | "not-linearizable" {
    if (this.status !== "running") return this.status;
    const next = this.#next;
    const match = this.#match;
    const opOf = this.#opOf;
    const readOnly = this.#readOnly;
    const ops = this.ops;
    const model = this.model;
    let entry = this.#entry;
    try {
      for (;;) {
        if (next[0] === -1) {
          invariant(this.#depth === this.#n, "a complete linearization has every operation");
          this.status = "linearizable";
          return this.status;
        }
        let backtrack = false;
        if (this.#needScan) {
          this.#needScan = false;
          const r = this.#scanReadOnly();
          if (r === "lifted") {
            this.#entered();
            continue;
          }
          if (r === "none") {
            entry = next[0]!;
            continue;
          }
          backtrack = true;
        } else {
          invariant(entry !== -1, "the entry list always ends with a return event");
          if (match[entry] !== -1) {
            // Phase 2: a call. Read-only ones are known to be illegal here (phase 1 found none legal).
            const oi = opOf[entry]!;
            if (readOnly[oi] === 1) {
              entry = next[entry]!;
              continue;
            }
            if (this.steps >= stepLimit) return this.status;
            this.steps++;
            const alternatives = model.step(this.#state, ops[oi]!);
            if (alternatives.length > 0 && this.#tryLinearize(entry, alternatives, 0)) {
              this.#entered();
            } else {
              entry = next[entry]!;
            }
            continue;
          }
          // A return: its operation was due and is not linearized: this configuration fails.
          if (this.#awaitingBlocker) this.#recordBlocker(entry);
          backtrack = true;
        }
        invariant(backtrack, "only failures reach the backtracking code");
        // Pop the last linearized op. If it was read-only, its configuration fails too: pop again.
        for (;;) {
          if (this.#depth === 0) {
            this.status = "not-linearizable";
            return this.status;
          }
          const d = --this.#depth;
          const node = this.#stackNode[d]!;
          const oi = opOf[node]!;
          const alternatives = this.#stackAlts[d]!;
          const altIdx = this.#stackAltIdx[d]!;
          this.#state = this.#stackState[d]!;
          this.#stateHash = this.#stackHash[d]!;
          this.#bits[oi >>> 5]! &= ~(1 << (oi & 31));
          this.#bitsHash ^= this.#zobrist[oi]!;
          this.#unlift(node);
          if (altIdx + 1 < alternatives.length && this.#tryLinearize(node, alternatives, altIdx + 1)) {
            this.#entered();
            break;
          }
          if (readOnly[oi] === 0) {
            entry = next[node]!;
            break;
          }
        }
      }
    } finally {
      this.#entry = entry;
    }
  }

  #recordBlocker(entry: number): void {
    if (this.bestDepth < 0) this.bestDepth = 0;
    this.#awaitingBlocker = false;
    this.bestPrefix = this.linearization();
    this.bestStates = this.linearizationStates();
    this.blockerOp = this.#opOf[entry]!;
    this.blockerState = this.#state;
    this.blockerCandidates = [];
    for (let c = this.#next[0]!; c !== entry && c !== -1; c = this.#next[c]!) {
      if (this.#match[c] !== -1) this.blockerCandidates.push(this.#opOf[c]!);
    }
  }
}
