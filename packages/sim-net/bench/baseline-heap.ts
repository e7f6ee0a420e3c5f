/**
 * The bare baseline: a textbook array-of-objects binary min-heap ordered by (time, seq), doing nothing
 * but push and pop. The simulator's cost per delivered message is compared with one push + one pop here.
 */
export interface HeapEntry {
  time: number;
  seq: number;
}

export class BareHeap {
  private readonly a: HeapEntry[] = [];

  get size(): number {
    return this.a.length;
  }

  push(e: HeapEntry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = a[p] as HeapEntry;
      if (pe.time < e.time || (pe.time === e.time && pe.seq < e.seq)) break;
      a[i] = pe;
      i = p;
    }
    a[i] = e;
  }

  pop(): HeapEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const ce = a[c] as HeapEntry;
        const re = a[r] as HeapEntry;
        if (re.time < ce.time || (re.time === ce.time && re.seq < ce.seq)) c = r;
      }
      const ce = a[c] as HeapEntry;
      if (last.time < ce.time || (last.time === ce.time && last.seq < ce.seq)) break;
      a[i] = ce;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * Runs `events` pop+push pairs on a bare heap kept at `depth` entries, with delays drawn from a tiny
 * inline LCG in [minDelay, maxDelay). Returns the CPU time used (ms).
 */
export function runBaseline(events: number, depth: number, minDelay: number, maxDelay: number): number {
  const heap = new BareHeap();
  let seq = 0;
  let state = 12345;
  const rand = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = 0; i < depth; i++) heap.push({ time: minDelay + rand() * (maxDelay - minDelay), seq: seq++ });
  const start = process.cpuUsage();
  let now = 0;
  let checksum = 0;
  for (let i = 0; i < events; i++) {
    const e = heap.pop() as HeapEntry;
    now = e.time;
    checksum += e.seq & 1;
    heap.push({ time: now + minDelay + rand() * (maxDelay - minDelay), seq: seq++ });
  }
  const used = process.cpuUsage(start);
  const elapsed = (used.user + used.system) / 1000;
  if (checksum < 0) console.log("unreachable");
  return elapsed;
}
