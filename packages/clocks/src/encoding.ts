// Internal: compact binary encoding helpers (unsigned LEB128 varints, length-prefixed UTF-8 strings).
// Decoding rejects every non-canonical form, so encode(decode(bytes)) reproduces bytes exactly.
import { assert, DecodeError } from "./errors.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Format version written after each type tag. */
export const FORMAT_VERSION = 1;

/** Type tags: the first byte of every encoded value. */
export const Tag = {
  vectorClock: 0xc1,
  versionVector: 0xc2,
  dottedVersionVector: 0xc3,
  dvvSet: 0xc4,
  itcStamp: 0xc5,
} as const;

/** Upper bound on the number of entries any decoder accepts: bounds memory on hostile input. */
export const MAX_DECODE_ENTRIES = 1 << 20;

/** A growable byte buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 32) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
  }

  /** Unsigned LEB128 of a safe non-negative integer. */
  varint(n: number): void {
    assert(Number.isSafeInteger(n) && n >= 0, `varint of ${n}`);
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  string(s: string): void {
    this.bytes(textEncoder.encode(s));
  }

  header(tag: number): void {
    this.byte(tag);
    this.byte(FORMAT_VERSION);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** A bounds-checked reader; every failure is a {@link DecodeError}. */
export class ByteReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    if (!(buf instanceof Uint8Array)) {
      throw new DecodeError("decode-invalid", `${what}: expected a Uint8Array`, 0);
    }
  }

  get offset(): number {
    return this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw new DecodeError("decode-invalid", `${this.what}: ${message}`, at);
  }

  private truncated(): never {
    throw new DecodeError("decode-truncated", `${this.what}: input ended early`, this.pos);
  }

  byte(): number {
    if (this.pos >= this.buf.length) this.truncated();
    return this.buf[this.pos++]!;
  }

  /** Canonical (minimal) unsigned LEB128 up to 2^53-1. */
  varint(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) this.fail("non-canonical varint (trailing zero byte)", start);
        if (!Number.isSafeInteger(result)) this.fail("varint exceeds 2^53-1", start);
        return result;
      }
      scale *= 0x80;
    }
    return this.fail("varint longer than 8 bytes", start);
  }

  /** A count of entries, bounded by MAX_DECODE_ENTRIES and by the bytes left (each entry >= minBytes). */
  count(minBytesPerEntry: number): number {
    const at = this.pos;
    const n = this.varint();
    if (n > MAX_DECODE_ENTRIES) this.fail(`count ${n} exceeds the limit of ${MAX_DECODE_ENTRIES}`, at);
    if (n * minBytesPerEntry > this.remaining) {
      this.pos = this.buf.length;
      this.truncated();
    }
    return n;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n > this.remaining) {
      this.pos = this.buf.length;
      this.truncated();
    }
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const at = this.pos;
    const b = this.bytes();
    try {
      return textDecoder.decode(b);
    } catch {
      return this.fail("invalid UTF-8 in string", at);
    }
  }

  header(tag: number): void {
    const t = this.byte();
    if (t !== tag) this.fail(`bad type tag 0x${t.toString(16)}, expected 0x${tag.toString(16)}`, 0);
    const v = this.byte();
    if (v !== FORMAT_VERSION) this.fail(`unsupported format version ${v}, expected ${FORMAT_VERSION}`, 1);
  }

  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.buf.length - this.pos} trailing bytes`);
  }
}

/**
 * Writes a sorted id/counter table: count, then (id, counter) pairs. Counters are written as given.
 */
export function writeTable(w: ByteWriter, ids: readonly string[], counters: readonly number[]): void {
  w.varint(ids.length);
  for (let i = 0; i < ids.length; i++) {
    w.string(ids[i]!);
    w.varint(counters[i]!);
  }
}

/**
 * Reads a table written by {@link writeTable}, checking ids are strictly increasing and, when
 * `positive`, that counters are at least 1.
 */
export function readTable(r: ByteReader, positive: boolean): { ids: string[]; counters: number[] } {
  const n = r.count(2);
  const ids: string[] = new Array(n);
  const counters: number[] = new Array(n);
  let prev: string | undefined;
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const id = r.string();
    if (prev !== undefined && !(prev < id)) r.fail("ids are not strictly increasing", at);
    const cAt = r.offset;
    const c = r.varint();
    if (positive && c === 0) r.fail(`counter of "${id}" is 0; counters are at least 1`, cAt);
    ids[i] = id;
    counters[i] = c;
    prev = id;
  }
  return { ids, counters };
}
