/**
 * @distkit/runtime-node: the node contract of `@distkit/sim-net` over a real network, so the protocol
 * code the simulator runs (Raft, quorums, your own) runs between Node.js processes: TCP with
 * length-prefixed JSON frames and reconnects, the real clock and timers, file-backed storage where
 * `sync` is `fdatasync` (with checksummed records, so a torn write is found on restart), a seeded
 * random stream, and JSON-lines logs. `@distkit/runtime-node/cluster` starts local clusters.
 * @module
 */
export { RuntimeError, type RuntimeErrorCode } from "./errors.js";
export { FileStorage, type FileStorageOptions, type StorageRecovery } from "./file-storage.js";
export {
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  isWireMessage,
  type WireMessage,
} from "./frame.js";
export { jsonLinesLogger, type LogLevel, type LogRecord } from "./log.js";
export { RuntimeNode, type RuntimeNodeOptions, startNode } from "./runtime-node.js";
export type { PeerAddress, TransportStats } from "./transport.js";
