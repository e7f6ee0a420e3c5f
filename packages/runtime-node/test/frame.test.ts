import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { encodeFrame, FrameDecoder, RuntimeError } from "../src/index.js";

const message = fc.record({ type: fc.string({ minLength: 1 }), body: fc.jsonValue() });

describe("frames", () => {
  test.prop([fc.array(message, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 })])(
    "any chunking of a stream of frames decodes to the same messages, in order",
    (messages, cuts) => {
      const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
      const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
        (a, b) => a - b,
      );
      const decoder = new FrameDecoder();
      const out: unknown[] = [];
      let last = 0;
      for (const p of [...points, bytes.length]) {
        out.push(...decoder.push(bytes.subarray(last, p)));
        last = p;
      }
      expect(out).toEqual(JSON.parse(JSON.stringify(messages)));
      expect(decoder.bufferedBytes).toBe(0);
    },
  );

  it("rejects a frame longer than the limit before buffering it", () => {
    const d = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    expect(() => d.push(header)).toThrow(/frame length 101 exceeds the limit of 100 bytes/);
  });

  it.each([
    ["not JSON", Buffer.from("{oops")],
    ["not UTF-8", Buffer.from([0xff, 0xfe, 0x7b])],
    ["no type", Buffer.from('{"kind":"x"}')],
    ["an array", Buffer.from('[{"type":"x"}]')],
    ["a non-string type", Buffer.from('{"type":5}')],
  ])("rejects a payload that is %s with RuntimeError invalid-frame", (_, payload) => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    try {
      new FrameDecoder().push(Buffer.concat([header, payload]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeError);
      expect((e as RuntimeError).code).toBe("invalid-frame");
    }
  });

  it("refuses to encode something that is not JSON data", () => {
    expect(() => encodeFrame(undefined)).toThrow(RuntimeError);
  });
});
