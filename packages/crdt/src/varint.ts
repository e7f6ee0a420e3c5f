import { DecodeError } from "./errors.js";

/** Growable byte buffer with LEB128 varints. @internal */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  get length(): number {
    return this.pos;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b & 255;
  }

  /** Unsigned varint for non-negative safe integers. */
  uint(n: number): void {
    this.ensure(10);
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** Signed varint (zigzag). */
  int(n: number): void {
    this.uint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Length-prefixed bytes. */
  block(b: Uint8Array): void {
    this.uint(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reader matching ByteWriter; every read is bounds-checked and throws DecodeError. @internal */
export class ByteReader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new DecodeError(`${this.what}: unexpected end of input`);
    return this.buf[this.pos++] as number;
  }

  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 127) * mul;
      if (b < 128) {
        if (!Number.isSafeInteger(result)) break;
        return result;
      }
      mul *= 128;
    }
    throw new DecodeError(`${this.what}: varint too long or out of the safe integer range`);
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  bytes(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw new DecodeError(`${this.what}: length ${n} exceeds the input`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  block(): Uint8Array {
    return this.bytes(this.uint());
  }
}
