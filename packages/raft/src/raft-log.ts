/**
 * The in-memory replicated log of one node: entries after a compaction offset, commit and apply
 * indexes, and the first index not yet persisted. Internal to the core.
 * @module
 */
import { invariant } from "./errors.js";
import type { LogEntry } from "./messages.js";

/** The log of one node. Entries are immutable and shared with messages and storage. */
export class RaftLog {
  /** Index of the last compacted entry (0 when nothing is compacted). */
  offsetIndex = 0;
  /** Term of the entry at `offsetIndex`. */
  offsetTerm = 0;
  /** Entries offsetIndex+1 .. lastIndex. */
  entries: LogEntry[] = [];
  /** Highest index known committed. */
  commit = 0;
  /** Highest index applied to the state machine. */
  applied = 0;
  /** First index not yet handed out for persistence. */
  unstableFrom = 1;

  constructor(offsetIndex: number, offsetTerm: number, entries: LogEntry[], commit: number, applied: number) {
    this.offsetIndex = offsetIndex;
    this.offsetTerm = offsetTerm;
    this.entries = entries;
    for (let i = 0; i < entries.length; i++) {
      invariant(entries[i]!.index === offsetIndex + 1 + i, "log entries must be contiguous");
    }
    this.commit = commit;
    this.applied = applied;
    this.unstableFrom = this.lastIndex() + 1;
    invariant(applied <= commit && commit <= this.lastIndex(), "applied <= commit <= lastIndex on load");
  }

  lastIndex(): number {
    return this.offsetIndex + this.entries.length;
  }

  lastTerm(): number {
    const n = this.entries.length;
    return n === 0 ? this.offsetTerm : this.entries[n - 1]!.term;
  }

  /** Term of the entry at `index`, or undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.offsetIndex) return this.offsetTerm;
    if (index < this.offsetIndex) return undefined;
    const e = this.entries[index - this.offsetIndex - 1];
    return e === undefined ? undefined : e.term;
  }

  entry(index: number): LogEntry | undefined {
    if (index <= this.offsetIndex) return undefined;
    return this.entries[index - this.offsetIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Leader append of freshly created entries. */
  appendOwn(entry: LogEntry): void {
    invariant(entry.index === this.lastIndex() + 1, "leader appends at lastIndex + 1");
    this.entries.push(entry);
  }

  /**
   * Follower append: returns the new last index of the matched prefix, or undefined when the log
   * has no entry (prevIndex, prevTerm). Conflicting uncommitted suffixes are truncated.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly LogEntry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const newLast = prevIndex + entries.length;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      invariant(e.index === prevIndex + 1 + i, "append entries must be contiguous");
      if (!this.matchTerm(e.index, e.term)) {
        invariant(e.index > this.commit, `cannot overwrite committed entry ${e.index}`);
        this.truncateFrom(e.index);
        for (let j = i; j < entries.length; j++) this.entries.push(entries[j]!);
        break;
      }
    }
    return newLast;
  }

  private truncateFrom(index: number): void {
    const keep = index - this.offsetIndex - 1;
    if (keep < this.entries.length) this.entries.length = keep;
    if (index < this.unstableFrom) this.unstableFrom = index;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (fast backtracking), never below the
   * compaction offset.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.offsetIndex) {
      const t = this.term(i)!;
      if (t <= term) return i;
      i--;
    }
    return this.offsetIndex;
  }

  /** Entries in [lo, hi) capped at `maxBytes` (at least one entry). */
  slice(lo: number, hi: number, maxBytes: number): LogEntry[] {
    invariant(lo > this.offsetIndex && hi <= this.lastIndex() + 1, "slice within log bounds");
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.entries[i - this.offsetIndex - 1]!;
      bytes += e.sizeBytes;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  commitTo(index: number): boolean {
    if (index <= this.commit) return false;
    invariant(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.commit = index;
    return true;
  }

  /** Discards entries up to `index` (which must be applied). */
  compact(index: number): void {
    if (index <= this.offsetIndex) return;
    invariant(index <= this.applied, "compact only applied entries");
    const term = this.term(index)!;
    this.entries = this.entries.slice(index - this.offsetIndex);
    this.offsetIndex = index;
    this.offsetTerm = term;
  }

  /** Replaces the whole log by a snapshot position. */
  restore(index: number, term: number): void {
    this.entries = [];
    this.offsetIndex = index;
    this.offsetTerm = term;
    this.commit = index;
    this.unstableFrom = index + 1;
  }

  /** Entries to persist (from unstableFrom), then marks them stable. */
  takeUnstable(): LogEntry[] {
    const from = this.unstableFrom;
    const last = this.lastIndex();
    this.unstableFrom = last + 1;
    if (from > last) return [];
    return this.entries.slice(from - this.offsetIndex - 1);
  }
}
