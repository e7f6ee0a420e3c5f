import type { Crdt, CrdtType } from "./crdt.js";
import { CrdtError, DecodeError, invalidArgument, invariant } from "./errors.js";
import { bytesEqual, checkReplicaId, compareStrings, type ReplicaId } from "./json.js";
import { ByteReader, ByteWriter } from "./varint.js";

/**
 * Identifier of one character ever inserted into a {@link TextDoc}: the inserting replica and its
 * per-replica sequence number (0, 1, 2, ... in insertion order, one per UTF-16 code unit).
 *
 * @example
 * ```ts
 * import type { TextId } from "@distkit/crdt";
 * const id: TextId = { replicaId: "alice", seq: 0 };
 * ```
 */
export interface TextId {
  /** Inserting replica. */
  readonly replicaId: ReplicaId;
  /** Sequence number of the character at that replica. */
  readonly seq: number;
}

/**
 * A run of consecutively inserted characters in a {@link TextUpdate}: ids `seq .. seq+length-1` of
 * `replicaId`, the first inserted between `originLeft` and `originRight`, each later one after its
 * predecessor in the run. `text` is absent when the run is deleted (a tombstone run needs only its length).
 *
 * @example
 * ```ts
 * import type { TextInsert } from "@distkit/crdt";
 * const ins: TextInsert = { replicaId: "a", seq: 0, length: 2, text: "hi", originLeft: null, originRight: null };
 * ```
 */
export interface TextInsert {
  /** Inserting replica. */
  readonly replicaId: ReplicaId;
  /** Sequence number of the first character. */
  readonly seq: number;
  /** Number of characters (UTF-16 code units). */
  readonly length: number;
  /** The characters; absent for a deleted run. */
  readonly text?: string;
  /** The character the first one was inserted after (null: document start). */
  readonly originLeft: TextId | null;
  /** The character that was right of the insertion point (null: document end). */
  readonly originRight: TextId | null;
}

/**
 * A range of deleted character ids: `seq .. seq+length-1` of `replicaId`.
 *
 * @example
 * ```ts
 * import type { TextDeleteRange } from "@distkit/crdt";
 * const del: TextDeleteRange = { replicaId: "a", seq: 3, length: 1 };
 * ```
 */
export interface TextDeleteRange {
  /** Replica that inserted the characters. */
  readonly replicaId: ReplicaId;
  /** First sequence number. */
  readonly seq: number;
  /** Number of characters. */
  readonly length: number;
}

/**
 * A delta of a {@link TextDoc}: inserted runs and deleted ranges. Plain JSON data; merging it into any
 * replica (in any order, any number of times) has the effect of the edits that produced it.
 *
 * @example
 * ```ts
 * import { TextDoc } from "@distkit/crdt";
 * const a = new TextDoc("a");
 * const update = a.insert(0, "hello");
 * const b = new TextDoc("b").merge(update);
 * b.toString(); // "hello"
 * ```
 */
export interface TextUpdate {
  /** Inserted runs. */
  readonly inserts: readonly TextInsert[];
  /** Deleted ranges. */
  readonly deletes: readonly TextDeleteRange[];
}

/**
 * Options of a {@link TextDoc}.
 *
 * @example
 * ```ts
 * import { TextDoc, type TextDocOptions } from "@distkit/crdt";
 * const options: TextDocOptions = { maxPending: 10_000 };
 * const doc = new TextDoc("a", options);
 * ```
 */
export interface TextDocOptions {
  /**
   * Bound on buffered remote runs/ranges that wait for their causal predecessors (default 1,000,000);
   * merging more throws `limit-exceeded`.
   */
  readonly maxPending?: number;
}

const NONE = -1;
const NO_DELETES: readonly TextDeleteRange[] = Object.freeze([]);
const NO_INSERTS: readonly TextInsert[] = Object.freeze([]);
const MAX_CHUNK_RUNS = 32;
const KIND = "text";
const MAGIC = [0x64, 0x6b, 0x74, 0x01]; // "dkt" + format version 1
/** Origin kinds in the encoding. */
const ORIGIN_NONE = 0;
/** Left: the previous run's last character; right: the next run's first character. */
const ORIGIN_ADJACENT = 1;
/** The nearest character of the same replica with a smaller seq, to the left/right (see implicitOrigins). */
const ORIGIN_IMPLICIT = 2;
const ORIGIN_EXPLICIT = 3;

/**
 * For each run (in document order), the nearest character to its left and to its right that the same
 * replica inserted earlier (smaller seq). When a replica inserts a character, its neighbours then
 * are usually exactly these (everything between them now was inserted later), so the encoding can
 * mark such origins as implicit instead of spelling them out. Linear time (monotonic stacks).
 */
function implicitOrigins(runs: readonly { agent: number; seq: number; len: number }[]): {
  leftRun: Int32Array;
  leftSeq: Float64Array;
  rightRun: Int32Array;
  rightSeq: Float64Array;
} {
  const n = runs.length;
  const leftRun = new Int32Array(n).fill(-1);
  const leftSeq = new Float64Array(n);
  const rightRun = new Int32Array(n).fill(-1);
  const rightSeq = new Float64Array(n);
  const stacks = new Map<number, number[]>();
  const stackOf = (a: number): number[] => {
    let st = stacks.get(a);
    if (st === undefined) {
      st = [];
      stacks.set(a, st);
    }
    return st;
  };
  for (let i = 0; i < n; i++) {
    const r = runs[i] as { agent: number; seq: number; len: number };
    const st = stackOf(r.agent);
    while (st.length > 0 && (runs[st[st.length - 1] as number] as { seq: number }).seq > r.seq) st.pop();
    const top = st[st.length - 1];
    if (top !== undefined) {
      const t = runs[top] as { seq: number; len: number };
      leftRun[i] = top;
      leftSeq[i] = t.seq + t.len - 1;
    }
    st.push(i);
  }
  stacks.clear();
  for (let i = n - 1; i >= 0; i--) {
    const r = runs[i] as { agent: number; seq: number; len: number };
    const st = stackOf(r.agent);
    while (st.length > 0 && (runs[st[st.length - 1] as number] as { seq: number }).seq > r.seq) st.pop();
    const top = st[st.length - 1];
    if (top !== undefined) {
      rightRun[i] = top;
      rightSeq[i] = (runs[top] as { seq: number }).seq;
    }
    st.push(i);
  }
  return { leftRun, leftSeq, rightRun, rightSeq };
}

/** A run of characters with consecutive ids. Mutable, internal. */
class Run {
  constructor(
    public agent: number,
    public seq: number,
    public len: number,
    /** Visible content ("" when deleted). */
    public content: string,
    public deleted: boolean,
    public olA: number,
    public olS: number,
    public orA: number,
    public orS: number,
    public chunk: Chunk,
  ) {}
}

const AGENT_BLOCK = 64;

/** One replica's runs sorted by seq, in blocks so that splits and merges cost O(block), not O(n). */
class AgentRuns {
  private blocks: Run[][] = [];

  constructor(sorted: Run[]) {
    for (let i = 0; i < sorted.length; i += AGENT_BLOCK) this.blocks.push(sorted.slice(i, i + AGENT_BLOCK));
  }

  /** Block index and position of the last run with seq <= `seq` (-1, -1 when none). */
  private locate(seq: number): [number, number] {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    if (hi < 0 || ((blocks[0] as Run[])[0] as Run).seq > seq) return [-1, -1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (((blocks[mid] as Run[])[0] as Run).seq <= seq) lo = mid;
      else hi = mid - 1;
    }
    const b = blocks[lo] as Run[];
    let l = 0;
    let h = b.length - 1;
    while (l < h) {
      const mid = (l + h + 1) >> 1;
      if ((b[mid] as Run).seq <= seq) l = mid;
      else h = mid - 1;
    }
    return [lo, l];
  }

  find(seq: number): Run | undefined {
    const [bi, i] = this.locate(seq);
    return bi < 0 ? undefined : (this.blocks[bi] as Run[])[i];
  }

  insertAfter(existing: Run, run: Run): void {
    const [bi, i] = this.locate(existing.seq);
    const b = this.blocks[bi];
    invariant(b !== undefined && b[i] === existing, "id index holds the split run");
    b.splice(i + 1, 0, run);
    if (b.length > 2 * AGENT_BLOCK) this.blocks.splice(bi + 1, 0, b.splice(AGENT_BLOCK));
  }

  remove(run: Run): void {
    const [bi, i] = this.locate(run.seq);
    const b = this.blocks[bi];
    invariant(b !== undefined && b[i] === run, "id index holds the merged run");
    b.splice(i, 1);
    if (b.length === 0) this.blocks.splice(bi, 1);
  }

  push(run: Run): void {
    const last = this.blocks[this.blocks.length - 1];
    if (last === undefined || last.length >= 2 * AGENT_BLOCK) this.blocks.push([run]);
    else last.push(run);
  }
}

class Chunk {
  runs: Run[] = [];
  /** Visible characters. */
  vis = 0;
  /** All characters, deleted included. */
  tot = 0;
  /** Index in the chunk list (valid when the doc's chunkIndexValid flag is set). */
  idx = 0;
}

interface PendingInsert {
  agent: string;
  seq: number;
  len: number;
  text: string | undefined;
  ol: TextId | null;
  or: TextId | null;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A replicated plain-text document (a sequence CRDT).
 *
 * Characters are never moved: each has a unique {@link TextId} and is placed between the neighbours it
 * was typed between (its left and right origins). Concurrent inserts at the same place are ordered
 * with the YjsMod/FugueMax rule (Weidner and Kleppmann's Fugue), so text typed concurrently by two
 * replicas at one position is never interleaved character by character. Deleted characters stay as
 * compact tombstone runs (lengths only, no content).
 *
 * Internally the document is a list of runs (consecutive characters typed by one replica) held in
 * chunks with cached lengths, plus a cursor cache, so local edits near the previous edit are cheap.
 *
 * `insert` and `delete` return a {@link TextUpdate} delta; `merge` accepts deltas and whole documents.
 *
 * @example
 * ```ts
 * import { TextDoc } from "@distkit/crdt";
 * const alice = new TextDoc("alice");
 * const bob = new TextDoc("bob");
 * bob.merge(alice.insert(0, "Hello world"));
 * const d1 = alice.insert(5, " dear");
 * const d2 = bob.delete(6, 5); // remove "world"
 * alice.merge(d2);
 * bob.merge(d1);
 * alice.toString() === bob.toString(); // true: "Hello dear "
 * ```
 */
export class TextDoc implements Crdt<TextDoc, string> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica that local edits are attributed to. */
  readonly replicaId: ReplicaId;
  private readonly maxPending: number;

  private agents: string[] = [];
  private agentIndex = new Map<string, number>();
  /** Next sequence number expected per agent (= number of its characters known). */
  private nextSeq: number[] = [];
  private localAgent: number;

  private chunks: Chunk[] = [];
  private visLength = 0;
  private totLength = 0;
  private chunkIndexValid = true;

  /** Cursor cache for visible-position lookups: chunk index and visible offset of its start. */
  private cacheChunk = 0;
  private cacheStart = 0;
  /** Run-level cursor inside chunk cacheChunk: run index and visible offset of its start. */
  private cacheRunValid = false;
  private cacheRi = 0;
  private cacheRunStart = 0;

  /** Per-agent runs sorted by seq; built lazily for remote operations, dropped by local ones. */
  private idIndex: AgentRuns[] | null = null;

  private pendingInserts: PendingInsert[] = [];
  private pendingDeletes: TextDeleteRange[] = [];

  /**
   * @param replicaId - the replica local edits are attributed to
   * @param options - see {@link TextDocOptions}
   */
  constructor(replicaId: ReplicaId, options: TextDocOptions = {}) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    const maxPending = options.maxPending ?? 1_000_000;
    if (!Number.isSafeInteger(maxPending) || maxPending < 0) {
      invalidArgument(`TextDoc: maxPending must be a non-negative safe integer, got ${maxPending}`);
    }
    this.maxPending = maxPending;
    this.localAgent = this.agentOf(replicaId);
  }

  /**
   * A {@link CrdtType} descriptor (text documents can be values of an {@link ORMap}).
   * @example
   * ```ts
   * import { ORMap, TextDoc } from "@distkit/crdt";
   * const notes = new ORMap("a", TextDoc.type());
   * notes.update("todo", (t) => t.insertDelta(0, "buy milk"));
   * ```
   */
  static type(): CrdtType<TextDoc> {
    return { kind: KIND, create: (r) => new TextDoc(r), decode: (b, r) => TextDoc.decode(b, r) };
  }

  private agentOf(name: string): number {
    let a = this.agentIndex.get(name);
    if (a === undefined) {
      a = this.agents.length;
      this.agents.push(name);
      this.agentIndex.set(name, a);
      this.nextSeq.push(0);
      this.idIndex?.push(new AgentRuns([]));
    }
    return a;
  }

  /** Number of visible characters (UTF-16 code units). */
  get length(): number {
    return this.visLength;
  }

  /** Number of runs held (visible and tombstone), a measure of fragmentation. */
  get runCount(): number {
    let n = 0;
    for (const c of this.chunks) n += c.runs.length;
    return n;
  }

  /** Number of buffered remote runs and ranges still waiting for their causal predecessors. */
  get pendingCount(): number {
    return this.pendingInserts.length + this.pendingDeletes.length;
  }

  /** The text. */
  toString(): string {
    const parts: string[] = [];
    for (const c of this.chunks) for (const r of c.runs) if (!r.deleted) parts.push(r.content);
    return parts.join("");
  }

  /** The text (same as {@link TextDoc.toString}). */
  value(): string {
    return this.toString();
  }

  // ---------------------------------------------------------------- structure helpers

  private firstRunFrom(ci: number): Run | undefined {
    for (let i = ci; i < this.chunks.length; i++) {
      const r = (this.chunks[i] as Chunk).runs[0];
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Splits run `ri` of chunk `c` at offset k (0 < k < len); returns the new right half (at ri + 1). */
  private split(c: Chunk, ri: number, k: number): Run {
    const r = c.runs[ri] as Run;
    invariant(k > 0 && k < r.len, "split offset inside the run");
    const right = new Run(
      r.agent,
      r.seq + k,
      r.len - k,
      r.deleted ? "" : r.content.slice(k),
      r.deleted,
      r.agent,
      r.seq + k - 1,
      r.orA,
      r.orS,
      c,
    );
    if (!r.deleted) r.content = r.content.slice(0, k);
    r.len = k;
    c.runs.splice(ri + 1, 0, right);
    if (ri < this.cacheRi && this.chunks[this.cacheChunk] === c) this.cacheRi++;
    this.idIndex?.[r.agent]?.insertAfter(r, right);
    return right;
  }

  private static mergeable(a: Run, b: Run): boolean {
    return (
      a.agent === b.agent &&
      b.seq === a.seq + a.len &&
      a.deleted === b.deleted &&
      b.olA === a.agent &&
      b.olS === a.seq + a.len - 1 &&
      b.orA === a.orA &&
      b.orS === a.orS
    );
  }

  /** Merges run ri+1 into run ri of chunk c when possible. */
  private tryMerge(c: Chunk, ri: number): boolean {
    if (ri < 0 || ri + 1 >= c.runs.length) return false;
    const a = c.runs[ri] as Run;
    const b = c.runs[ri + 1] as Run;
    if (!TextDoc.mergeable(a, b)) return false;
    a.len += b.len;
    if (!a.deleted) a.content += b.content;
    c.runs.splice(ri + 1, 1);
    if (this.cacheRunValid && this.chunks[this.cacheChunk] === c) {
      if (ri + 1 < this.cacheRi) this.cacheRi--;
      else if (ri + 1 === this.cacheRi) this.cacheRunValid = false;
    }
    this.idIndex?.[b.agent]?.remove(b);
    return true;
  }

  private maybeSplitChunk(ci: number): void {
    const c = this.chunks[ci];
    if (c === undefined || c.runs.length <= MAX_CHUNK_RUNS) return;
    const half = c.runs.length >> 1;
    const next = new Chunk();
    next.runs = c.runs.splice(half);
    for (const r of next.runs) {
      r.chunk = next;
      next.tot += r.len;
      if (!r.deleted) next.vis += r.len;
    }
    c.tot -= next.tot;
    c.vis -= next.vis;
    this.chunks.splice(ci + 1, 0, next);
    this.chunkIndexValid = false;
    this.cacheRunValid = false;
  }

  /** Result registers of locateVisible (avoids allocating a tuple per lookup). */
  private locCi = 0;
  private locRi = 0;
  private locOff = 0;

  /** Locates visible character q into locCi (chunk index), locRi (run index), locOff (offset in run). */
  private locateVisible(q: number): void {
    invariant(q >= 0 && q < this.visLength, "visible position in range");
    let ci = this.cacheChunk;
    let start = this.cacheStart;
    if (ci >= this.chunks.length) {
      ci = 0;
      start = 0;
    }
    while (q < start) {
      ci--;
      start -= (this.chunks[ci] as Chunk).vis;
    }
    for (;;) {
      const c = this.chunks[ci] as Chunk;
      if (q < start + c.vis) break;
      start += c.vis;
      ci++;
    }
    let ri = 0;
    let rs = start;
    if (this.cacheRunValid && ci === this.cacheChunk) {
      ri = this.cacheRi;
      rs = this.cacheRunStart;
    }
    this.cacheChunk = ci;
    this.cacheStart = start;
    const runs = (this.chunks[ci] as Chunk).runs;
    while (q < rs) {
      ri--;
      const r = runs[ri] as Run;
      if (!r.deleted) rs -= r.len;
    }
    for (;;) {
      const r = runs[ri];
      invariant(r !== undefined, "chunk visible length in sync with its runs");
      if (!r.deleted) {
        if (q < rs + r.len) break;
        rs += r.len;
      }
      ri++;
    }
    this.cacheRunValid = true;
    this.cacheRi = ri;
    this.cacheRunStart = rs;
    this.locCi = ci;
    this.locRi = ri;
    this.locOff = q - rs;
  }

  private resetCursor(): void {
    this.cacheChunk = 0;
    this.cacheStart = 0;
    this.cacheRunValid = false;
  }

  // ---------------------------------------------------------------- local edits

  /**
   * Inserts `text` before visible position `index` (0 ≤ index ≤ length); returns the delta.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const d = new TextDoc("a");
   * d.insert(0, "ac");
   * d.insert(1, "b");
   * d.toString(); // "abc"
   * ```
   */
  insert(index: number, text: string): TextUpdate {
    if (!Number.isSafeInteger(index) || index < 0 || index > this.visLength) {
      invalidArgument(`TextDoc.insert: index must be an integer in [0, ${this.visLength}], got ${index}`);
    }
    if (typeof text !== "string") invalidArgument("TextDoc.insert: text must be a string");
    const n = text.length;
    if (n === 0) return { inserts: [], deletes: [] };
    this.idIndex = null;
    const agent = this.localAgent;
    const seq = this.nextSeq[agent] as number;
    let olA = NONE;
    let olS = 0;
    let orA = NONE;
    let orS = 0;
    if (index === 0) {
      if (this.chunks.length === 0) this.chunks.push(new Chunk());
      const c = this.chunks[0] as Chunk;
      const right = c.runs[0] ?? this.firstRunFrom(1);
      if (right !== undefined) {
        orA = right.agent;
        orS = right.seq;
      }
      c.runs.unshift(new Run(agent, seq, n, text, false, NONE, 0, orA, orS, c));
      c.vis += n;
      c.tot += n;
      this.resetCursor();
      this.maybeSplitChunk(0);
    } else {
      this.locateVisible(index - 1);
      const ci = this.locCi;
      const ri0 = this.locRi;
      const k = this.locOff;
      const c = this.chunks[ci] as Chunk;
      let run = c.runs[ri0] as Run;
      let right: Run | undefined;
      if (k < run.len - 1) right = this.split(c, ri0, k + 1);
      else right = c.runs[ri0 + 1] ?? this.firstRunFrom(ci + 1);
      if (right !== undefined) {
        orA = right.agent;
        orS = right.seq;
      }
      olA = run.agent;
      olS = run.seq + run.len - 1;
      if (
        run.agent === agent &&
        run.seq + run.len === seq &&
        run.orA === orA &&
        (orA === NONE || run.orS === orS)
      ) {
        run.len += n;
        run.content += text;
      } else {
        run = new Run(agent, seq, n, text, false, olA, olS, orA, orS, c);
        c.runs.splice(ri0 + 1, 0, run);
      }
      c.vis += n;
      c.tot += n;
      this.maybeSplitChunk(ci);
    }
    this.nextSeq[agent] = seq + n;
    this.visLength += n;
    this.totLength += n;
    const name = this.replicaId;
    return {
      inserts: [
        {
          replicaId: name,
          seq,
          length: n,
          text,
          originLeft: olA === NONE ? null : { replicaId: this.agents[olA] as string, seq: olS },
          originRight: orA === NONE ? null : { replicaId: this.agents[orA] as string, seq: orS },
        },
      ],
      deletes: NO_DELETES,
    };
  }

  /**
   * Deletes `count` visible characters starting at `index`; returns the delta.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const d = new TextDoc("a");
   * d.insert(0, "hello");
   * d.delete(1, 3);
   * d.toString(); // "ho"
   * ```
   */
  delete(index: number, count = 1): TextUpdate {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || count < 0) {
      invalidArgument(
        `TextDoc.delete: index and count must be non-negative integers, got ${index}, ${count}`,
      );
    }
    if (index + count > this.visLength) {
      invalidArgument(
        `TextDoc.delete: range [${index}, ${index + count}) exceeds the length ${this.visLength}`,
      );
    }
    const deletes: TextDeleteRange[] = [];
    if (count === 0) return { inserts: [], deletes };
    this.idIndex = null;
    let remaining = count;
    while (remaining > 0) {
      this.locateVisible(index);
      const ci = this.locCi;
      const ri0 = this.locRi;
      const off = this.locOff;
      const c = this.chunks[ci] as Chunk;
      if (remaining === 1 && this.deleteAtEdgeFast(c, ri0, off, deletes)) {
        remaining = 0;
        break;
      }
      let ri = ri0;
      let r = c.runs[ri] as Run;
      if (off > 0) {
        r = this.split(c, ri, off);
        ri++;
      }
      if (r.len > remaining) this.split(c, ri, remaining);
      r.deleted = true;
      r.content = "";
      c.vis -= r.len;
      this.visLength -= r.len;
      remaining -= r.len;
      const last = deletes[deletes.length - 1];
      const name = this.agents[r.agent] as string;
      if (last !== undefined && last.replicaId === name && last.seq + last.length === r.seq) {
        deletes[deletes.length - 1] = { replicaId: name, seq: last.seq, length: last.length + r.len };
      } else {
        deletes.push({ replicaId: name, seq: r.seq, length: r.len });
      }
      if (this.tryMerge(c, ri)) {
        /* merged with the next run */
      }
      if (this.tryMerge(c, ri - 1)) ri--;
      this.maybeSplitChunk(ci);
    }
    return { inserts: NO_INSERTS, deletes };
  }

  /**
   * Fast path of single-character deletes at the edge of a visible run whose neighbour is the
   * deleted continuation (backspace or forward-delete typing patterns): moves one character from the
   * visible run to the deleted one instead of splitting and re-merging. Same result as the general path.
   */
  private deleteAtEdgeFast(c: Chunk, ri: number, off: number, deletes: TextDeleteRange[]): boolean {
    const r = c.runs[ri] as Run;
    if (r.len < 2) return false;
    if (off === r.len - 1) {
      const n = c.runs[ri + 1];
      if (
        n === undefined ||
        !n.deleted ||
        n.agent !== r.agent ||
        n.seq !== r.seq + r.len ||
        n.olA !== r.agent ||
        n.olS !== n.seq - 1 ||
        n.orA !== r.orA ||
        n.orS !== r.orS
      ) {
        return false;
      }
      r.len--;
      r.content = r.content.slice(0, r.len);
      n.seq--;
      n.len++;
      n.olS--;
      deletes.push({ replicaId: this.agents[r.agent] as string, seq: n.seq, length: 1 });
    } else if (off === 0) {
      const p = c.runs[ri - 1];
      if (
        p === undefined ||
        !p.deleted ||
        p.agent !== r.agent ||
        r.seq !== p.seq + p.len ||
        r.olA !== r.agent ||
        r.olS !== r.seq - 1 ||
        p.orA !== r.orA ||
        p.orS !== r.orS
      ) {
        return false;
      }
      deletes.push({ replicaId: this.agents[r.agent] as string, seq: r.seq, length: 1 });
      p.len++;
      r.seq++;
      r.len--;
      r.olS++;
      r.content = r.content.slice(1);
    } else return false;
    c.vis--;
    this.visLength--;
    return true;
  }

  /**
   * Like {@link TextDoc.insert} but returns the delta as a `TextDoc` (so a text document can be a
   * value inside an {@link ORMap}, whose `update` expects deltas of the value's own type).
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const d = new TextDoc("a");
   * const delta = d.insertDelta(0, "hi");
   * new TextDoc("b").merge(delta).toString(); // "hi"
   * ```
   */
  insertDelta(index: number, text: string): TextDoc {
    return this.updateAsDoc(this.insert(index, text));
  }

  /**
   * Like {@link TextDoc.delete} but returns the delta as a `TextDoc`.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const d = new TextDoc("a");
   * d.insert(0, "hi");
   * d.deleteDelta(0, 1);
   * d.toString(); // "i"
   * ```
   */
  deleteDelta(index: number, count = 1): TextDoc {
    return this.updateAsDoc(this.delete(index, count));
  }

  private updateAsDoc(u: TextUpdate): TextDoc {
    const d = new TextDoc(this.replicaId, { maxPending: this.maxPending });
    d.applyUpdate(u);
    return d;
  }

  // ---------------------------------------------------------------- remote integration

  private ensureIdIndex(): AgentRuns[] {
    if (this.idIndex !== null) return this.idIndex;
    const lists: Run[][] = this.agents.map(() => []);
    for (const c of this.chunks) for (const r of c.runs) (lists[r.agent] as Run[]).push(r);
    const index = lists.map((list) => new AgentRuns(list.sort((a, b) => a.seq - b.seq)));
    this.idIndex = index;
    return index;
  }

  private findRun(agent: number, seq: number): Run {
    const r = this.ensureIdIndex()[agent]?.find(seq);
    invariant(r !== undefined && seq >= r.seq && seq < r.seq + r.len, "character id is known");
    return r;
  }

  private ensureChunkIndex(): void {
    if (this.chunkIndexValid) return;
    this.chunks.forEach((c, i) => {
      c.idx = i;
    });
    this.chunkIndexValid = true;
  }

  /** Global index (tombstones included) of the first character of run r. */
  private runPos(r: Run): number {
    this.ensureChunkIndex();
    let pos = 0;
    const c = r.chunk;
    for (let i = 0; i < c.idx; i++) pos += (this.chunks[i] as Chunk).tot;
    for (const x of c.runs) {
      if (x === r) return pos;
      pos += x.len;
    }
    throw new Error("@distkit/crdt internal invariant violated: run not in its chunk");
  }

  private idPos(agent: number, seq: number): number {
    const r = this.findRun(agent, seq);
    return this.runPos(r) + (seq - r.seq);
  }

  private knows(id: TextId | null): boolean {
    if (id === null) return true;
    const a = this.agentIndex.get(id.replicaId);
    return a !== undefined && id.seq < (this.nextSeq[a] as number);
  }

  /** Integrates one insert whose predecessors are all known and whose seq is the next expected. */
  private integrate(p: PendingInsert): void {
    const agent = this.agentOf(p.agent);
    invariant(this.nextSeq[agent] === p.seq, "inserts are integrated in per-replica order");
    this.ensureIdIndex();
    this.resetCursor();
    // left origin: make it the end of a run
    let leftRun: Run | undefined;
    let ci = 0;
    let ri = 0;
    if (p.ol !== null) {
      const la = this.agentIndex.get(p.ol.replicaId) as number;
      let r = this.findRun(la, p.ol.seq);
      const off = p.ol.seq - r.seq;
      if (off < r.len - 1) this.split(r.chunk, r.chunk.runs.indexOf(r), off + 1);
      r = this.findRun(la, p.ol.seq);
      leftRun = r;
      this.ensureChunkIndex();
      ci = r.chunk.idx;
      ri = r.chunk.runs.indexOf(r) + 1;
    }
    // right origin: make it the start of a run
    let rightRun: Run | undefined;
    if (p.or !== null) {
      const ra = this.agentIndex.get(p.or.replicaId) as number;
      const r = this.findRun(ra, p.or.seq);
      const off = p.or.seq - r.seq;
      if (off > 0) this.split(r.chunk, r.chunk.runs.indexOf(r), off);
      rightRun = this.findRun(ra, p.or.seq);
    }
    while (ci < this.chunks.length && ri >= (this.chunks[ci] as Chunk).runs.length) {
      ci++;
      ri = 0;
    }
    // Fast path (no concurrent insert between the origins): the run right after the left origin is
    // the right origin, or the document ends there. No positions needed.
    const first = ci < this.chunks.length ? (this.chunks[ci] as Chunk).runs[ri] : undefined;
    if (first === rightRun) {
      this.insertRunAt(ci, ri, p, agent);
      return;
    }
    const leftPos = leftRun === undefined ? -1 : this.runPos(leftRun) + leftRun.len - 1;
    const rightPos = rightRun === undefined ? this.totLength : this.runPos(rightRun);
    // scan (YjsMod / FugueMax ordering), run by run
    let i = leftPos + 1;
    let destCi = ci;
    let destRi = ri;
    let scanning = false;
    const name = p.agent;
    for (let guard = 0; ; guard++) {
      invariant(guard <= this.totLength + 1, "integration scan is bounded by the document size");
      while (ci < this.chunks.length && ri >= (this.chunks[ci] as Chunk).runs.length) {
        ci++;
        ri = 0;
      }
      if (!scanning) {
        destCi = ci;
        destRi = ri;
      }
      if (ci >= this.chunks.length) break;
      if (i === rightPos) break;
      const o = (this.chunks[ci] as Chunk).runs[ri] as Run;
      const oleft = o.olA === NONE ? -1 : this.idPos(o.olA, o.olS);
      if (oleft < leftPos) break;
      if (oleft === leftPos) {
        const oright = o.orA === NONE ? this.totLength : this.idPos(o.orA, o.orS);
        if (oright < rightPos) scanning = true;
        else if (oright === rightPos) {
          if (compareStrings(name, this.agents[o.agent] as string) < 0) break;
          scanning = false;
        } else scanning = false;
      }
      i += o.len;
      ri++;
    }
    this.insertRunAt(destCi, destRi, p, agent);
  }

  /** Inserts the run of `p` before run `ri` of chunk `ci` (or at the end) and updates the indexes. */
  private insertRunAt(ci: number, ri: number, p: PendingInsert, agent: number): void {
    if (this.chunks.length === 0) this.chunks.push(new Chunk());
    let destCi = ci;
    let destRi = ri;
    if (destCi >= this.chunks.length) {
      destCi = this.chunks.length - 1;
      destRi = (this.chunks[destCi] as Chunk).runs.length;
    }
    const c = this.chunks[destCi] as Chunk;
    const deleted = p.text === undefined;
    const olA = p.ol === null ? NONE : (this.agentIndex.get(p.ol.replicaId) as number);
    const orA = p.or === null ? NONE : (this.agentIndex.get(p.or.replicaId) as number);
    const run = new Run(
      agent,
      p.seq,
      p.len,
      p.text ?? "",
      deleted,
      olA,
      p.ol?.seq ?? 0,
      orA,
      p.or?.seq ?? 0,
      c,
    );
    c.runs.splice(destRi, 0, run);
    c.tot += p.len;
    this.totLength += p.len;
    if (!deleted) {
      c.vis += p.len;
      this.visLength += p.len;
    }
    this.idIndex![agent]!.push(run); // ids of one agent are integrated in increasing order
    this.nextSeq[agent] = p.seq + p.len;
    this.tryMerge(c, destRi - 1);
    this.maybeSplitChunk(destCi);
  }

  /** Marks known ids deleted; returns the part of the range not yet known (or null). */
  private applyDelete(d: TextDeleteRange): TextDeleteRange | null {
    const agent = this.agentIndex.get(d.replicaId);
    const known = agent === undefined ? 0 : (this.nextSeq[agent] as number);
    const end = d.seq + d.length;
    const knownEnd = Math.min(end, known);
    if (agent !== undefined && d.seq < knownEnd) {
      this.ensureIdIndex();
      this.resetCursor();
      let seq = d.seq;
      while (seq < knownEnd) {
        let r = this.findRun(agent, seq);
        let c = r.chunk;
        let ri = c.runs.indexOf(r);
        if (seq > r.seq) {
          r = this.split(c, ri, seq - r.seq);
          ri++;
        }
        if (r.seq + r.len > knownEnd) this.split(c, ri, knownEnd - r.seq);
        if (!r.deleted) {
          r.deleted = true;
          r.content = "";
          c.vis -= r.len;
          this.visLength -= r.len;
        }
        seq = r.seq + r.len;
        this.tryMerge(c, ri);
        if (this.tryMerge(c, ri - 1)) ri--;
        c = r.chunk;
        this.ensureChunkIndex();
        this.maybeSplitChunk(c.idx);
      }
    }
    if (end <= known) return null;
    const from = Math.max(d.seq, known);
    return { replicaId: d.replicaId, seq: from, length: end - from };
  }

  /** Enforces maxPending after a merge: drops the excess (as if lost in transit) and throws. */
  private checkPendingBound(): void {
    const over = this.pendingInserts.length + this.pendingDeletes.length - this.maxPending;
    if (over <= 0) return;
    const dropDeletes = Math.min(over, this.pendingDeletes.length);
    this.pendingDeletes.length -= dropDeletes;
    this.pendingInserts.length -= over - dropDeletes;
    throw new CrdtError(
      "limit-exceeded",
      `TextDoc: more than ${this.maxPending} remote runs/ranges wait for missing predecessors; ${over} were dropped and must be delivered again after the missing updates (or raise maxPending)`,
    );
  }

  private applyUpdate(u: TextUpdate): void {
    validateUpdate(u);
    for (const ins of u.inserts) {
      this.pendingInserts.push({
        agent: ins.replicaId,
        seq: ins.seq,
        len: ins.length,
        text: ins.text,
        ol: ins.originLeft,
        or: ins.originRight,
      });
    }
    for (const d of u.deletes) this.pendingDeletes.push(d);
    this.drainPending();
    this.checkPendingBound();
  }

  private drainPending(): void {
    if (this.pendingInserts.length > 0) {
      if (this.pendingInserts.length > 1) {
        this.pendingInserts.sort((a, b) => compareStrings(a.agent, b.agent) || a.seq - b.seq);
      }
      let progress = true;
      while (progress && this.pendingInserts.length > 0) {
        progress = false;
        const still: PendingInsert[] = [];
        for (const p of this.pendingInserts) {
          const a = this.agentIndex.get(p.agent);
          const known = a === undefined ? 0 : (this.nextSeq[a] as number);
          if (p.seq + p.len <= known) continue; // already have all of it
          let q = p;
          if (p.seq < known) {
            // trim the known prefix: the rest follows its predecessor in the run
            const k = known - p.seq;
            q = {
              agent: p.agent,
              seq: known,
              len: p.len - k,
              text: p.text === undefined ? undefined : p.text.slice(k),
              ol: { replicaId: p.agent, seq: known - 1 },
              or: p.or,
            };
          }
          if (q.seq === known && this.knows(q.ol) && this.knows(q.or)) {
            this.integrate(q);
            progress = true;
          } else still.push(q);
        }
        this.pendingInserts = still;
      }
    }
    if (this.pendingDeletes.length > 0) {
      const still: TextDeleteRange[] = [];
      for (const d of this.pendingDeletes) {
        const rest = this.applyDelete(d);
        if (rest !== null) still.push(rest);
      }
      this.pendingDeletes = still;
    }
  }

  /** This document as an update carrying everything it holds (runs in document order). */
  toUpdate(): TextUpdate {
    const inserts: TextInsert[] = [];
    const deletes: TextDeleteRange[] = [];
    const id = (a: number, s: number): TextId | null =>
      a === NONE ? null : { replicaId: this.agents[a] as string, seq: s };
    for (const c of this.chunks) {
      for (const r of c.runs) {
        const name = this.agents[r.agent] as string;
        const base = {
          replicaId: name,
          seq: r.seq,
          length: r.len,
          originLeft: id(r.olA, r.olS),
          originRight: id(r.orA, r.orS),
        };
        inserts.push(r.deleted ? base : { ...base, text: r.content });
        if (r.deleted) deletes.push({ replicaId: name, seq: r.seq, length: r.len });
      }
    }
    for (const p of this.pendingInserts) {
      const base = { replicaId: p.agent, seq: p.seq, length: p.len, originLeft: p.ol, originRight: p.or };
      inserts.push(p.text === undefined ? base : { ...base, text: p.text });
    }
    for (const d of this.pendingDeletes) deletes.push(d);
    return { inserts, deletes };
  }

  /**
   * Joins another document or a {@link TextUpdate} into this one, in place. Runs whose predecessors
   * are missing wait in a bounded buffer until they arrive.
   */
  merge(other: TextDoc | TextUpdate): this {
    if (other instanceof TextDoc) {
      if (this.chunks.length === 0 && this.pendingCount === 0) {
        this.copyFrom(other);
        return this;
      }
      this.applyUpdate(other.toUpdate());
      return this;
    }
    if (typeof other !== "object" || other === null) {
      throw new CrdtError("type-mismatch", "TextDoc.merge expects a TextDoc or a TextUpdate");
    }
    this.applyUpdate(other);
    return this;
  }

  private copyFrom(other: TextDoc): void {
    const map = other.agents.map((name) => this.agentOf(name));
    this.chunks = other.chunks.map((oc) => {
      const c = new Chunk();
      c.vis = oc.vis;
      c.tot = oc.tot;
      c.runs = oc.runs.map(
        (r) =>
          new Run(
            map[r.agent] as number,
            r.seq,
            r.len,
            r.content,
            r.deleted,
            r.olA === NONE ? NONE : (map[r.olA] as number),
            r.olS,
            r.orA === NONE ? NONE : (map[r.orA] as number),
            r.orS,
            c,
          ),
      );
      return c;
    });
    other.agents.forEach((_, a) => {
      this.nextSeq[map[a] as number] = other.nextSeq[a] as number;
    });
    this.visLength = other.visLength;
    this.totLength = other.totLength;
    this.chunkIndexValid = false;
    this.idIndex = null;
    this.resetCursor();
    this.pendingInserts = other.pendingInserts.map((p) => ({ ...p }));
    this.pendingDeletes = [...other.pendingDeletes];
  }

  /** Lattice order: everything this holds (characters, deletions, buffered updates) is in `other`. */
  leq(other: TextDoc): boolean {
    return other.clone().merge(this).equals(other);
  }

  /** Lattice equality (same characters in the same order, same deletions, same buffered updates). */
  equals(other: TextDoc): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): TextDoc {
    const d = new TextDoc(replicaId, { maxPending: this.maxPending });
    d.copyFrom(this);
    return d;
  }

  // ---------------------------------------------------------------- encoding

  /**
   * Compact binary encoding (columnar, varint, run-length): runs in document order with adjacent
   * compatible runs coalesced (so equal states encode to equal bytes), tombstones as lengths only,
   * visible text as one UTF-8 block.
   */
  encode(): Uint8Array {
    // canonical agent numbering: sorted names
    const sortedNames = this.agents.filter((_, a) => (this.nextSeq[a] as number) > 0).sort(compareStrings);
    const rank = new Map(sortedNames.map((n, i) => [n, i]));
    const agentRank = this.agents.map((n) => rank.get(n) ?? -1);
    // coalesce adjacent mergeable runs
    const runs: Run[] = [];
    for (const c of this.chunks) {
      for (const r of c.runs) {
        const last = runs[runs.length - 1];
        if (last !== undefined && TextDoc.mergeable(last, r)) {
          runs[runs.length - 1] = new Run(
            last.agent,
            last.seq,
            last.len + r.len,
            last.deleted ? "" : last.content + r.content,
            last.deleted,
            last.olA,
            last.olS,
            last.orA,
            last.orS,
            last.chunk,
          );
        } else runs.push(r);
      }
    }
    const agentCol = new ByteWriter();
    const seqCol = new ByteWriter();
    const lenFlagCol = new ByteWriter();
    const originCol = new ByteWriter();
    const parts: string[] = [];
    const implicit = implicitOrigins(runs);
    let runAgent = -1;
    let runCount = 0;
    let prevEnd = 0;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i] as Run;
      const a = agentRank[r.agent] as number;
      if (a === runAgent) runCount++;
      else {
        if (runCount > 0) {
          agentCol.uint(runAgent);
          agentCol.uint(runCount);
        }
        runAgent = a;
        runCount = 1;
      }
      seqCol.int(r.seq - prevEnd);
      prevEnd = r.seq + r.len;
      const prev = runs[i - 1];
      const next = runs[i + 1];
      let olKind = ORIGIN_EXPLICIT;
      if (r.olA === NONE) olKind = ORIGIN_NONE;
      else if (prev !== undefined && prev.agent === r.olA && prev.seq + prev.len - 1 === r.olS)
        olKind = ORIGIN_ADJACENT;
      else if (implicit.leftRun[i] !== -1 && r.olA === r.agent && implicit.leftSeq[i] === r.olS)
        olKind = ORIGIN_IMPLICIT;
      let orKind = ORIGIN_EXPLICIT;
      if (r.orA === NONE) orKind = ORIGIN_NONE;
      else if (next !== undefined && next.agent === r.orA && next.seq === r.orS) orKind = ORIGIN_ADJACENT;
      else if (implicit.rightRun[i] !== -1 && r.orA === r.agent && implicit.rightSeq[i] === r.orS)
        orKind = ORIGIN_IMPLICIT;
      lenFlagCol.uint(r.len * 32 + ((r.deleted ? 1 : 0) | (olKind << 1) | (orKind << 3)));
      if (olKind === ORIGIN_EXPLICIT) {
        originCol.uint(agentRank[r.olA] as number);
        originCol.int(r.olS - r.seq);
      }
      if (orKind === ORIGIN_EXPLICIT) {
        originCol.uint(agentRank[r.orA] as number);
        originCol.int(r.orS - r.seq);
      }
      if (!r.deleted) parts.push(r.content);
    }
    if (runCount > 0) {
      agentCol.uint(runAgent);
      agentCol.uint(runCount);
    }
    const out = new ByteWriter();
    for (const b of MAGIC) out.byte(b);
    out.uint(sortedNames.length);
    for (const n of sortedNames) out.block(textEncoder.encode(n));
    out.uint(runs.length);
    out.block(agentCol.finish());
    out.block(seqCol.finish());
    out.block(lenFlagCol.finish());
    out.block(originCol.finish());
    out.block(textEncoder.encode(parts.join("")));
    const pending =
      this.pendingInserts.length + this.pendingDeletes.length === 0
        ? new Uint8Array(0)
        : textEncoder.encode(
            JSON.stringify({
              i: [...this.pendingInserts]
                .sort((x, y) => compareStrings(x.agent, y.agent) || x.seq - y.seq)
                .map((p) => [p.agent, p.seq, p.len, p.text ?? null, p.ol, p.or]),
              d: [...this.pendingDeletes]
                .sort((x, y) => compareStrings(x.replicaId, y.replicaId) || x.seq - y.seq)
                .map((d) => [d.replicaId, d.seq, d.length]),
            }),
          );
    out.block(pending);
    return out.finish();
  }

  /**
   * Decodes `encode()` output, validating every field; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const d = new TextDoc("a");
   * d.insert(0, "hi");
   * TextDoc.decode(d.encode(), "b").toString(); // "hi"
   * ```
   */
  static decode(bytes: Uint8Array, replicaId: ReplicaId, options: TextDocOptions = {}): TextDoc {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError("text: expected a Uint8Array");
    const rd = new ByteReader(bytes, "text");
    for (const b of MAGIC) {
      if (rd.byte() !== b)
        throw new DecodeError("text: bad magic or version (expected a TextDoc encoding v1)");
    }
    const nAgents = rd.uint();
    if (nAgents > bytes.length) throw new DecodeError("text: agent count exceeds the input");
    const names: string[] = [];
    for (let i = 0; i < nAgents; i++) {
      let name: string;
      try {
        name = textDecoder.decode(rd.block());
      } catch (e) {
        if (e instanceof DecodeError) throw e;
        throw new DecodeError("text: replica name is not UTF-8");
      }
      if (name.length === 0) throw new DecodeError("text: empty replica name");
      if (i > 0 && compareStrings(names[i - 1] as string, name) >= 0) {
        throw new DecodeError("text: replica names must be sorted and distinct");
      }
      names.push(name);
    }
    const nRuns = rd.uint();
    if (nRuns > bytes.length) throw new DecodeError("text: run count exceeds the input");
    const agentRd = new ByteReader(rd.block(), "text agents");
    const seqRd = new ByteReader(rd.block(), "text seqs");
    const lenFlagRd = new ByteReader(rd.block(), "text lengths and flags");
    const originRd = new ByteReader(rd.block(), "text origins");
    let content: string;
    try {
      content = textDecoder.decode(rd.block());
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      throw new DecodeError("text: content is not UTF-8");
    }
    const pendingBytes = rd.block();
    if (!rd.done) throw new DecodeError("text: trailing bytes");

    const doc = new TextDoc(replicaId, options);
    const local = doc.agents.slice();
    // re-number: sorted names first, then the local replica if absent
    doc.agents = [];
    doc.agentIndex = new Map();
    doc.nextSeq = [];
    for (const n of names) doc.agentOf(n);
    for (const n of local) doc.agentOf(n);
    doc.localAgent = doc.agentIndex.get(replicaId) as number;

    const decoded: Run[] = [];
    const kinds: number[] = [];
    let runAgent = 0;
    let runLeft = 0;
    let prevEnd = 0;
    let contentPos = 0;
    const chunk = new Chunk();
    const checkAgent = (a: number): number => {
      if (a >= names.length) throw new DecodeError(`text: replica index ${a} out of range`);
      return a;
    };
    for (let i = 0; i < nRuns; i++) {
      if (runLeft === 0) {
        runAgent = checkAgent(agentRd.uint());
        runLeft = agentRd.uint();
        if (runLeft === 0) throw new DecodeError("text: empty agent run");
      }
      runLeft--;
      const seq = prevEnd + seqRd.int();
      const lenFlags = lenFlagRd.uint();
      const len = Math.floor(lenFlags / 32);
      const flags = lenFlags % 32;
      if (seq < 0 || len === 0 || !Number.isSafeInteger(seq + len)) {
        throw new DecodeError("text: run ids must be non-negative and runs non-empty");
      }
      prevEnd = seq + len;
      const deleted = (flags & 1) === 1;
      const olKind = (flags >> 1) & 3;
      const orKind = (flags >> 3) & 3;
      kinds.push(flags);
      let olA = NONE;
      let olS = 0;
      if (olKind === ORIGIN_EXPLICIT) {
        olA = checkAgent(originRd.uint());
        olS = seq + originRd.int();
      }
      let orA = NONE;
      let orS = 0;
      if (orKind === ORIGIN_EXPLICIT) {
        orA = checkAgent(originRd.uint());
        orS = seq + originRd.int();
      }
      let text = "";
      if (!deleted) {
        if (contentPos + len > content.length)
          throw new DecodeError("text: content shorter than the run lengths");
        text = content.slice(contentPos, contentPos + len);
        contentPos += len;
      }
      decoded.push(new Run(runAgent, seq, len, text, deleted, olA, olS, orA, orS, chunk));
    }
    if (runLeft !== 0 || !agentRd.done || !seqRd.done || !lenFlagRd.done || !originRd.done) {
      throw new DecodeError("text: column lengths disagree with the run count");
    }
    if (contentPos !== content.length) throw new DecodeError("text: content longer than the run lengths");
    const implicit = implicitOrigins(decoded);
    for (let i = 0; i < decoded.length; i++) {
      const r = decoded[i] as Run;
      const flags = kinds[i] as number;
      const olKind = (flags >> 1) & 3;
      const orKind = (flags >> 3) & 3;
      if (olKind === ORIGIN_ADJACENT) {
        const prev = decoded[i - 1];
        if (prev === undefined) throw new DecodeError("text: first run cannot refer to a previous run");
        r.olA = prev.agent;
        r.olS = prev.seq + prev.len - 1;
      } else if (olKind === ORIGIN_IMPLICIT) {
        if (implicit.leftRun[i] === -1) throw new DecodeError("text: implicit left origin does not exist");
        r.olA = r.agent;
        r.olS = implicit.leftSeq[i] as number;
      }
      if (orKind === ORIGIN_ADJACENT) {
        const next = decoded[i + 1];
        if (next === undefined) throw new DecodeError("text: last run cannot refer to a next run");
        r.orA = next.agent;
        r.orS = next.seq;
      } else if (orKind === ORIGIN_IMPLICIT) {
        if (implicit.rightRun[i] === -1) throw new DecodeError("text: implicit right origin does not exist");
        r.orA = r.agent;
        r.orS = implicit.rightSeq[i] as number;
      }
    }
    // ids: per replica, runs must tile 0..n-1 exactly; origins must exist
    const byAgent: Run[][] = names.map(() => []);
    for (const r of decoded) (byAgent[r.agent] as Run[]).push(r);
    const counts: number[] = [];
    byAgent.forEach((list) => {
      list.sort((a, b) => a.seq - b.seq);
      let expect = 0;
      for (const r of list) {
        if (r.seq !== expect) throw new DecodeError("text: character ids overlap or leave gaps");
        expect = r.seq + r.len;
      }
      counts.push(expect);
    });
    for (const r of decoded) {
      if (r.olA !== NONE && !(r.olS >= 0 && r.olS < (counts[r.olA] as number))) {
        throw new DecodeError("text: left origin refers to an unknown character");
      }
      if (r.orA !== NONE && !(r.orS >= 0 && r.orS < (counts[r.orA] as number))) {
        throw new DecodeError("text: right origin refers to an unknown character");
      }
    }
    // build chunks
    doc.chunks = [];
    for (let i = 0; i < decoded.length; i += MAX_CHUNK_RUNS / 2) {
      const c = new Chunk();
      c.runs = decoded.slice(i, i + MAX_CHUNK_RUNS / 2);
      for (const r of c.runs) {
        r.chunk = c;
        c.tot += r.len;
        if (!r.deleted) c.vis += r.len;
      }
      doc.chunks.push(c);
      doc.visLength += c.vis;
      doc.totLength += c.tot;
    }
    doc.chunkIndexValid = false;
    names.forEach((_, a) => {
      doc.nextSeq[a] = counts[a] as number;
    });
    if (pendingBytes.length > 0) doc.decodePending(pendingBytes);
    return doc;
  }

  /**
   * Encodes a {@link TextUpdate} (a delta) for the wire: UTF-8 JSON.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const a = new TextDoc("a");
   * const bytes = TextDoc.encodeUpdate(a.insert(0, "hi"));
   * new TextDoc("b").merge(TextDoc.decodeUpdate(bytes)).toString(); // "hi"
   * ```
   */
  static encodeUpdate(update: TextUpdate): Uint8Array {
    validateUpdate(update);
    const ins = update.inserts.map((i) => [
      i.replicaId,
      i.seq,
      i.length,
      i.text ?? null,
      i.originLeft,
      i.originRight,
    ]);
    const del = update.deletes.map((d) => [d.replicaId, d.seq, d.length]);
    return textEncoder.encode(JSON.stringify({ t: "text-update", v: 1, i: ins, d: del }));
  }

  /**
   * Decodes {@link TextDoc.encodeUpdate} output, validating it; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { TextDoc } from "@distkit/crdt";
   * const u = TextDoc.decodeUpdate(TextDoc.encodeUpdate({ inserts: [], deletes: [] }));
   * ```
   */
  static decodeUpdate(bytes: Uint8Array): TextUpdate {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError("text-update: expected a Uint8Array");
    let parsed: unknown;
    try {
      parsed = JSON.parse(textDecoder.decode(bytes));
    } catch {
      throw new DecodeError("text-update: input is not UTF-8 JSON (as produced by TextDoc.encodeUpdate)");
    }
    const o = parsed as { t?: unknown; v?: unknown };
    if (typeof parsed !== "object" || parsed === null || o.t !== "text-update" || o.v !== 1) {
      throw new DecodeError('text-update: expected {"t":"text-update","v":1,...}');
    }
    return parseUpdateJson(parsed, "text-update");
  }

  private decodePending(bytes: Uint8Array): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(textDecoder.decode(bytes));
    } catch {
      throw new DecodeError("text: pending section is not UTF-8 JSON");
    }
    if (typeof parsed !== "object" || parsed === null)
      throw new DecodeError("text: pending section must be an object");
    this.applyUpdate(parseUpdateJson(parsed, "text: pending section"));
  }
}

/** Parses the `{i, d}` row form of an update (pending section and encodeUpdate); throws DecodeError. */
function parseUpdateJson(parsed: unknown, what: string): TextUpdate {
  const o = parsed as { i?: unknown; d?: unknown };
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(o.i) || !Array.isArray(o.d)) {
    throw new DecodeError(`${what}: needs arrays i and d`);
  }
  const inserts: TextInsert[] = o.i.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 6) throw new DecodeError(`${what}: bad insert row`);
    const [replicaId, seq, length, text, originLeft, originRight] = row as unknown[];
    const base = { replicaId, seq, length, originLeft, originRight } as TextInsert;
    return text === null ? base : ({ ...base, text } as TextInsert);
  });
  const deletes: TextDeleteRange[] = o.d.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 3) throw new DecodeError(`${what}: bad delete row`);
    const [replicaId, seq, length] = row as unknown[];
    return { replicaId, seq, length } as TextDeleteRange;
  });
  try {
    validateUpdate({ inserts, deletes });
  } catch (e) {
    throw new DecodeError(`${what}: ${(e as Error).message}`);
  }
  return { inserts, deletes };
}

function validId(id: unknown): boolean {
  if (id === null) return true;
  if (typeof id !== "object") return false;
  const o = id as { replicaId?: unknown; seq?: unknown };
  return (
    typeof o.replicaId === "string" &&
    o.replicaId.length > 0 &&
    Number.isSafeInteger(o.seq) &&
    (o.seq as number) >= 0
  );
}

/** Validates the shape of an update (from an untrusted peer). */
function validateUpdate(u: TextUpdate): void {
  if (typeof u !== "object" || u === null || !Array.isArray(u.inserts) || !Array.isArray(u.deletes)) {
    invalidArgument("TextUpdate must be { inserts: TextInsert[], deletes: TextDeleteRange[] }");
  }
  for (const ins of u.inserts) {
    if (
      typeof ins !== "object" ||
      ins === null ||
      typeof ins.replicaId !== "string" ||
      ins.replicaId.length === 0 ||
      !Number.isSafeInteger(ins.seq) ||
      ins.seq < 0 ||
      !Number.isSafeInteger(ins.length) ||
      ins.length <= 0 ||
      (ins.text !== undefined && (typeof ins.text !== "string" || ins.text.length !== ins.length)) ||
      !validId(ins.originLeft) ||
      !validId(ins.originRight)
    ) {
      invalidArgument(`TextUpdate: malformed insert ${JSON.stringify(ins)}`);
    }
  }
  for (const d of u.deletes) {
    if (
      typeof d !== "object" ||
      d === null ||
      typeof d.replicaId !== "string" ||
      d.replicaId.length === 0 ||
      !Number.isSafeInteger(d.seq) ||
      d.seq < 0 ||
      !Number.isSafeInteger(d.length) ||
      d.length <= 0
    ) {
      invalidArgument(`TextUpdate: malformed delete ${JSON.stringify(d)}`);
    }
  }
}
