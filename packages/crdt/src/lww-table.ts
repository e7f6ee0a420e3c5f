import { DecodeError } from "./errors.js";
import {
  asArray,
  asBool,
  asJson,
  canonicalJson,
  compareStrings,
  decodeJsonDoc,
  encodeJsonDoc,
  field,
  type JsonValue,
} from "./json.js";
import {
  checkTimestamp,
  compareTimestamps,
  type LwwTimestamp,
  timestampFromJson,
  timestampToJson,
} from "./timestamp.js";

/** One last-writer-wins cell. @internal */
export interface LwwCell<X> {
  readonly item: X;
  readonly present: boolean;
  readonly ts: LwwTimestamp;
  /** Canonical JSON of [present, item]: deterministic tie-break for equal timestamps. */
  readonly tie: string;
}

/** `true` iff cell a beats cell b. @internal */
export function cellWins<X>(a: LwwCell<X>, b: LwwCell<X>): boolean {
  const c = compareTimestamps(a.ts, b.ts);
  if (c !== 0) return c > 0;
  return compareStrings(a.tie, b.tie) > 0;
}

/** A map of last-writer-wins cells, joined key by key. Shared by LWWElementSet and LWWMap. @internal */
export class LwwTable<X extends JsonValue> {
  cells = new Map<string, LwwCell<X>>();

  static cell<X extends JsonValue>(item: X, present: boolean, ts: LwwTimestamp): LwwCell<X> {
    return { item, present, ts, tie: canonicalJson([present, item]) };
  }

  /** Offers a cell for key k; keeps the winner. */
  offer(k: string, cell: LwwCell<X>): void {
    const cur = this.cells.get(k);
    if (cur === undefined || cellWins(cell, cur)) this.cells.set(k, cell);
  }

  /** Delta holding one cell for key k written at `ts` (validated for `what`); applied to this. */
  write(k: string, item: X, present: boolean, ts: LwwTimestamp, what: string): LwwTable<X> {
    const delta = new LwwTable<X>();
    delta.offer(k, LwwTable.cell(item, present, checkTimestamp(ts, what)));
    this.join(delta);
    return delta;
  }

  join(other: LwwTable<X>): void {
    for (const [k, c] of other.cells) this.offer(k, c);
  }

  leq(other: LwwTable<X>): boolean {
    for (const [k, c] of this.cells) {
      const o = other.cells.get(k);
      if (o === undefined || (o !== c && cellWins(c, o))) return false;
    }
    return true;
  }

  /** `[key, item]` of every present cell, sorted by key. */
  present(): [string, X][] {
    const out: [string, X][] = [];
    for (const [k, c] of this.cells) if (c.present) out.push([k, c.item]);
    return out.sort((x, y) => compareStrings(x[0], y[0]));
  }

  clone(): LwwTable<X> {
    const t = new LwwTable<X>();
    t.cells = new Map(this.cells);
    return t;
  }

  /** The UTF-8 JSON document `{"t":kind,"v":1,"c":[[key, item, present, ts], ...]}` of this table. */
  encodeDoc(kind: string): Uint8Array {
    const rows = [...this.cells]
      .sort((x, y) => compareStrings(x[0], y[0]))
      .map(([k, c]) => [k, c.item, c.present, timestampToJson(c.ts)]);
    return encodeJsonDoc(kind, { c: rows });
  }

  /** Parses a document written by {@link LwwTable.encodeDoc}; `keyOf` may reject a row; throws DecodeError. */
  static decodeDoc<X extends JsonValue>(
    bytes: Uint8Array,
    kind: string,
    keyOf: (k: string, item: X) => void,
  ): LwwTable<X> {
    const what = `${kind}.c`;
    const t = new LwwTable<X>();
    for (const e of asArray(field(decodeJsonDoc(bytes, kind), "c", kind), what)) {
      const row = asArray(e, `${what} entry`);
      if (row.length !== 4) throw new DecodeError(`${what}: entries are [key, item, present, timestamp]`);
      const k = row[0];
      if (typeof k !== "string") throw new DecodeError(`${what}: keys are strings`);
      if (t.cells.has(k)) throw new DecodeError(`${what}: duplicate key ${JSON.stringify(k)}`);
      const item = asJson(row[1], `${what} item`) as X;
      keyOf(k, item);
      t.cells.set(
        k,
        LwwTable.cell(item, asBool(row[2], `${what} present`), timestampFromJson(row[3], `${what} ts`)),
      );
    }
    return t;
  }
}
