// Decoders must reject every malformed input with a DecodeError (never another exception, never a
// half-built value), and whatever they accept must be canonical: re-encoding gives the same bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DecodeError,
  DottedVersionVector,
  DVVSet,
  decodeHlc,
  encodeHlc,
  ItcStamp,
  VectorClock,
  VersionVector,
} from "../src/index.js";

const byteCodec = {
  encode: (n: number) => Uint8Array.of(n),
  decode: (b: Uint8Array) => {
    if (b.length !== 1) throw new Error("one byte expected");
    return b[0]!;
  },
};

// `accepts`: whether random bodies are expected to hit the accepting path (nested structures such as
// the DVV's embedded version vector rarely are; their mutation tests cover acceptance).
const decoders: ReadonlyArray<{
  name: string;
  tag: number;
  accepts?: false;
  decode: (b: Uint8Array) => { encode(): Uint8Array };
}> = [
  { name: "VectorClock", tag: 0xc1, decode: VectorClock.decode },
  { name: "VersionVector", tag: 0xc2, decode: VersionVector.decode },
  { name: "DottedVersionVector", tag: 0xc3, accepts: false, decode: DottedVersionVector.decode },
  {
    name: "DVVSet",
    tag: 0xc4,
    accepts: false,
    decode: (b) => {
      const s = DVVSet.decode(b, byteCodec);
      return { encode: () => s.encode(byteCodec) };
    },
  },
  { name: "ItcStamp", tag: 0xc5, decode: ItcStamp.decode },
  {
    name: "HLC",
    tag: -1,
    decode: (b) => {
      const t = decodeHlc(b);
      return { encode: () => encodeHlc(t) };
    },
  },
];

// Bytes biased towards small values and valid-looking structure: short strings, small varints.
const bodyArb = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0x61, max: 0x64 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  ),
  { maxLength: 24 },
);

describe("decode fuzzing", () => {
  for (const d of decoders) {
    it(`${d.name}: random bodies after a valid header decode canonically or throw DecodeError`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(bodyArb, (body) => {
          const bytes = Uint8Array.from(d.tag >= 0 ? [d.tag, 1, ...body] : body);
          try {
            const v = d.decode(bytes);
            accepted++;
            expect([...v.encode()]).toEqual([...bytes]);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
            expect(["decode-truncated", "decode-invalid"]).toContain(e.code);
          }
        }),
        { numRuns: 400 },
      );
      // the generator must reach the accepting paths too, or this test checks little
      if (d.accepts !== false) expect(accepted).toBeGreaterThan(0);
    });
  }

  it("rejects non-Uint8Array input with DecodeError", () => {
    expect(() => VectorClock.decode([1, 2] as unknown as Uint8Array)).toThrow(DecodeError);
  });
});
