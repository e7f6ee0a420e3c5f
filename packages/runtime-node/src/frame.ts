/**
 * Length-prefixed frames: a 4-byte big-endian payload length, then that many bytes of UTF-8 JSON. The
 * decoder takes bytes in any chunking and returns whole payloads; a frame longer than the limit, bytes
 * that are not UTF-8 JSON, or JSON that is not an object with a string `type` raise
 * {@link RuntimeError} (`invalid-frame`), after which the stream cannot be trusted and is closed.
 * @module
 */
import { RuntimeError } from "./errors.js";

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Default largest payload accepted: 16 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes one JSON value as a frame.
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ type: "ping", seq: 1 }); // 4-byte length, then {"type":"ping","seq":1}
 * ```
 */
export function encodeFrame(value: unknown, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const json = JSON.stringify(value);
  if (json === undefined)
    throw new RuntimeError("invalid-frame", "a frame must hold JSON data, got undefined");
  const payloadBytes = Buffer.byteLength(json, "utf8");
  if (payloadBytes > maxFrameBytes) {
    throw new RuntimeError(
      "invalid-frame",
      `a frame of ${payloadBytes} bytes exceeds the limit of ${maxFrameBytes} bytes`,
    );
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
  out.writeUInt32BE(payloadBytes, 0);
  out.write(json, FRAME_HEADER_BYTES, "utf8");
  return out;
}

/**
 * A message as the runtime accepts it on the wire: a JSON object with a string `type`.
 *
 * @example
 * ```ts
 * const m: WireMessage = { type: "append", term: 3 };
 * ```
 */
export interface WireMessage {
  /** The message's discriminator. */
  readonly type: string;
  /** Any further JSON fields. */
  readonly [field: string]: unknown;
}

/**
 * Checks that `value` is a message (an object, not an array, with a string `type`).
 *
 * @example
 * ```ts
 * isWireMessage({ type: "ping" }); // true
 * isWireMessage([1, 2]); // false
 * ```
 */
export function isWireMessage(value: unknown): value is WireMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === "string"
  );
}

/**
 * Reassembles frames from a byte stream.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder();
 * const bytes = encodeFrame({ type: "ping" });
 * decoder.push(bytes.subarray(0, 3)); // []: not whole yet
 * decoder.push(bytes.subarray(3)); // [{ type: "ping" }]
 * ```
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private pending: Buffer = Buffer.alloc(0);

  /** @param maxFrameBytes - largest payload accepted (default 16 MiB) */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1) {
      throw new RuntimeError(
        "invalid-config",
        `maxFrameBytes must be a positive integer, got ${maxFrameBytes}`,
      );
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received but not yet part of a whole frame. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Adds bytes; returns every message completed by them, in order. Throws on a bad frame. */
  push(chunk: Uint8Array): WireMessage[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: WireMessage[] = [];
    let offset = 0;
    // Bounded: each round consumes at least one header, and the buffer is finite.
    while (this.pending.length - offset >= FRAME_HEADER_BYTES) {
      const length = this.pending.readUInt32BE(offset);
      if (length > this.maxFrameBytes) {
        throw new RuntimeError(
          "invalid-frame",
          `frame length ${length} exceeds the limit of ${this.maxFrameBytes} bytes`,
        );
      }
      if (this.pending.length - offset - FRAME_HEADER_BYTES < length) break;
      const start = offset + FRAME_HEADER_BYTES;
      const payload = this.pending.subarray(start, start + length);
      offset = start + length;
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(payload));
      } catch {
        throw new RuntimeError("invalid-frame", `a frame of ${length} bytes is not UTF-8 JSON`);
      }
      if (!isWireMessage(value)) {
        throw new RuntimeError("invalid-frame", "a frame must hold a JSON object with a string `type`");
      }
      out.push(value);
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(offset);
    return out;
  }
}
