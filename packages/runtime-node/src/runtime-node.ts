/**
 * A protocol node in a real Node.js process: the second implementation of sim-net's node contract.
 * `ctx.now()` is the process's monotonic clock, timers are real timers, `ctx.storage` is a
 * {@link FileStorage}, `ctx.send` goes over TCP, `ctx.random` is a seeded stream and `ctx.log` writes
 * JSON lines. The protocol code is the same code the simulator runs.
 * @module
 */
import { performance } from "node:perf_hooks";
import {
  deriveSeed,
  type Message,
  type NodeContext,
  type NodeFactory,
  type NodeId,
  SeededRandom,
  type SimNode,
  type TimerId,
} from "@distkit/sim-net";
import { RuntimeError } from "./errors.js";
import { FileStorage, type StorageRecovery } from "./file-storage.js";
import { jsonLinesLogger, type LogLevel, type LogRecord } from "./log.js";
import { type PeerAddress, Transport, TRANSPORT_DEFAULTS, type TransportStats } from "./transport.js";

/**
 * Options of {@link startNode}.
 *
 * @example
 * ```ts
 * const options: RuntimeNodeOptions = {
 *   id: "n1",
 *   listen: { host: "127.0.0.1", port: 7001 },
 *   peers: { n2: { host: "127.0.0.1", port: 7002 }, n3: { host: "127.0.0.1", port: 7003 } },
 *   dataDir: "./data/n1",
 *   factory: (ctx) => ({ onMessage(from, m) { ctx.send(from, m); } }),
 * };
 * ```
 */
export interface RuntimeNodeOptions<M extends Message = Message, N extends SimNode<M> = SimNode<M>> {
  /** This node's id (non-empty). */
  readonly id: NodeId;
  /** Where to accept connections; omit for a client that only dials out (servers answer on its connection). */
  readonly listen?: PeerAddress;
  /** The other servers by id (this node's own id may appear and is ignored). `ctx.peers` lists them. */
  readonly peers: Readonly<Record<NodeId, PeerAddress>>;
  /** The node's data folder (one per node). */
  readonly dataDir: string;
  /** Builds the protocol node over the context, as in the simulator. */
  readonly factory: NodeFactory<M, N>;
  /** Seed of `ctx.random` (default: derived from the process id and time, so runs differ). */
  readonly seed?: number;
  /** `fdatasync` at every `ctx.storage.sync()` (default true). */
  readonly fsync?: boolean;
  /** Local address outbound connections bind to (a loopback alias such as 127.0.0.2 lets a test filter a node's traffic). */
  readonly bindHost?: string;
  /** Where log records go (default: JSON lines on standard output, `info` and above). */
  readonly logger?: (record: LogRecord) => void;
  /** Messages queued for a disconnected peer before new ones are dropped (default 10,000). */
  readonly maxQueuedMessagesPerPeer?: number;
  /** Bytes buffered in a peer's socket before new messages are dropped (default 64 MiB). */
  readonly maxBufferedBytesPerPeer?: number;
  /** Largest frame accepted or sent (default 16 MiB). */
  readonly maxFrameBytes?: number;
  /** First reconnect delay (default 20 ms), doubled per failure up to {@link RuntimeNodeOptions.reconnectMaxMs}. */
  readonly reconnectInitialMs?: number;
  /** Largest reconnect delay (default 1000 ms). */
  readonly reconnectMaxMs?: number;
  /** Called when the protocol throws from a handler or timer (default: log it and stop the process, fail-stop). */
  readonly onProtocolError?: (error: unknown) => void;
}

const OPTION_KEYS = new Set([
  "id",
  "listen",
  "peers",
  "dataDir",
  "factory",
  "seed",
  "fsync",
  "bindHost",
  "logger",
  "maxQueuedMessagesPerPeer",
  "maxBufferedBytesPerPeer",
  "maxFrameBytes",
  "reconnectInitialMs",
  "reconnectMaxMs",
  "onProtocolError",
]);

function checkAddress(what: string, a: unknown): PeerAddress {
  const addr = a as PeerAddress;
  if (
    typeof addr !== "object" ||
    addr === null ||
    typeof addr.host !== "string" ||
    addr.host.length === 0 ||
    !Number.isInteger(addr.port) ||
    addr.port < 0 ||
    addr.port > 65535
  ) {
    throw new RuntimeError(
      "invalid-config",
      `${what} must be { host: non-empty string, port: integer 0..65535 }, got ${JSON.stringify(a)}`,
    );
  }
  return { host: addr.host, port: addr.port };
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RuntimeError("invalid-config", `${name} must be a positive integer, got ${String(value)}`);
  }
  return v;
}

/**
 * A running node: its protocol instance, counters, and `stop()`.
 *
 * @example
 * ```ts
 * const node = await startNode(options);
 * console.log(node.address, node.transportStats.sent);
 * await node.stop();
 * ```
 */
export class RuntimeNode<M extends Message = Message, N extends SimNode<M> = SimNode<M>> {
  /** The node's id. */
  readonly id: NodeId;
  /** The protocol node the factory built. */
  readonly instance: N;
  /** Where it listens (the real port when `listen.port` was 0), or undefined for a client. */
  readonly address: PeerAddress | undefined;
  /** What opening the data folder found. */
  readonly recovery: StorageRecovery;
  private readonly transport: Transport;
  private readonly storage: FileStorage;
  private readonly timers: Map<TimerId, NodeJS.Timeout>;
  private readonly halt: () => void;
  private stopped = false;

  /** @internal Use {@link startNode}. */
  constructor(parts: {
    id: NodeId;
    instance: N;
    address: PeerAddress | undefined;
    transport: Transport;
    storage: FileStorage;
    timers: Map<TimerId, NodeJS.Timeout>;
    halt: () => void;
  }) {
    this.halt = parts.halt;
    this.id = parts.id;
    this.instance = parts.instance;
    this.address = parts.address;
    this.transport = parts.transport;
    this.storage = parts.storage;
    this.recovery = parts.storage.recovery;
    this.timers = parts.timers;
  }

  /** Transport counters (sent, received, dropped, rejected connections). */
  get transportStats(): Readonly<TransportStats> {
    return this.transport.stats;
  }

  /** Whether {@link RuntimeNode.stop} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Blocks or unblocks traffic with `peer` in this process (both directions): a partition for tests. */
  setBlocked(peer: NodeId, blocked: boolean): void {
    this.transport.setBlocked(peer, blocked);
  }

  /** Stops timers and connections and closes storage (unsynced writes are dropped, as in a crash). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.halt();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.transport.stop();
    this.storage.close();
  }
}

/**
 * Starts a protocol node: opens (and recovers) its data folder, listens, dials its peers, then builds
 * the node with its factory and calls `onStart`. Throws {@link RuntimeError} on bad options.
 *
 * @example
 * ```ts
 * import { RaftNode } from "@distkit/raft";
 * const peers = { n1: { host: "127.0.0.1", port: 7001 }, n2: { host: "127.0.0.1", port: 7002 }, n3: { host: "127.0.0.1", port: 7003 } };
 * const node = await startNode({
 *   id: "n1", listen: peers.n1, peers, dataDir: "./data/n1",
 *   factory: (ctx) => new RaftNode(ctx, { voters: ["n1", "n2", "n3"] }),
 * });
 * ```
 */
export async function startNode<M extends Message = Message, N extends SimNode<M> = SimNode<M>>(
  options: RuntimeNodeOptions<M, N>,
): Promise<RuntimeNode<M, N>> {
  if (typeof options !== "object" || options === null) {
    throw new RuntimeError("invalid-config", "startNode needs an options object");
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new RuntimeError(
        "invalid-config",
        `unknown option "${key}"; accepted: ${[...OPTION_KEYS].join(", ")}`,
      );
    }
  }
  const id = options.id;
  if (typeof id !== "string" || id.length === 0) {
    throw new RuntimeError("invalid-config", `id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  if (typeof options.factory !== "function") {
    throw new RuntimeError("invalid-config", "factory must be a function (ctx) => node");
  }
  if (typeof options.peers !== "object" || options.peers === null) {
    throw new RuntimeError("invalid-config", "peers must be an object { id: { host, port } }");
  }
  const peers = new Map<NodeId, PeerAddress>();
  for (const [peerId, a] of Object.entries(options.peers)) {
    if (peerId.length === 0) throw new RuntimeError("invalid-config", "peer ids must be non-empty");
    peers.set(peerId, checkAddress(`peers.${peerId}`, a));
  }
  const listen = options.listen === undefined ? undefined : checkAddress("listen", options.listen);
  const seed = options.seed ?? (process.pid * 1_000_003 + Math.floor(performance.now() * 1000)) % 2 ** 48;
  const random = new SeededRandom(deriveSeed(seed, id));
  const sink = options.logger ?? jsonLinesLogger(process.stdout, "info");
  const log = (r: { level: LogLevel; event: string; text?: string; data?: unknown }): void =>
    sink({ ts: new Date().toISOString(), node: id, ...r });
  const storage = FileStorage.open({
    dir: options.dataDir,
    ...(options.fsync !== undefined ? { fsync: options.fsync } : {}),
  });
  log({ level: "info", event: "recovered", data: storage.recovery });
  if (storage.recovery.truncatedBytes > 0) {
    log({ level: "warn", event: "torn-write-truncated", data: { bytes: storage.recovery.truncatedBytes } });
  }

  const timers = new Map<TimerId, NodeJS.Timeout>();
  let nextTimer = 1;
  let instance: N | undefined;
  let stopped = false;
  const onProtocolError =
    options.onProtocolError ??
    ((error: unknown) => {
      log({ level: "error", event: "protocol-error", text: String((error as Error)?.stack ?? error) });
      process.exit(70);
    });
  const guard = (f: () => void): void => {
    if (stopped) return;
    try {
      f();
    } catch (e) {
      onProtocolError(e);
    }
  };

  const transport = new Transport({
    id,
    listen,
    peers,
    bindHost: options.bindHost,
    maxQueuedMessagesPerPeer: positiveInt(
      "maxQueuedMessagesPerPeer",
      options.maxQueuedMessagesPerPeer,
      TRANSPORT_DEFAULTS.maxQueuedMessagesPerPeer,
    ),
    maxBufferedBytesPerPeer: positiveInt(
      "maxBufferedBytesPerPeer",
      options.maxBufferedBytesPerPeer,
      TRANSPORT_DEFAULTS.maxBufferedBytesPerPeer,
    ),
    maxFrameBytes: positiveInt("maxFrameBytes", options.maxFrameBytes, TRANSPORT_DEFAULTS.maxFrameBytes),
    reconnectInitialMs: positiveInt(
      "reconnectInitialMs",
      options.reconnectInitialMs,
      TRANSPORT_DEFAULTS.reconnectInitialMs,
    ),
    reconnectMaxMs: positiveInt("reconnectMaxMs", options.reconnectMaxMs, TRANSPORT_DEFAULTS.reconnectMaxMs),
    random,
    log,
    deliver: (from, message) => guard(() => instance?.onMessage(from, message as unknown as M)),
  });

  const peerIds = [...peers.keys()].filter((p) => p !== id).sort();
  const ctx: NodeContext<M> = {
    id,
    peers: peerIds,
    now: () => performance.timeOrigin + performance.now(),
    send: (to, message) => {
      if (to === id) {
        setImmediate(() => guard(() => instance?.onMessage(id, message)));
        return;
      }
      transport.send(to, message);
    },
    setTimer: (delayMs, onFire) => {
      if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
        throw new RuntimeError("invalid-config", `setTimer needs a finite delay >= 0 ms, got ${delayMs}`);
      }
      const timer = nextTimer++;
      timers.set(
        timer,
        setTimeout(() => {
          timers.delete(timer);
          guard(onFire);
        }, delayMs),
      );
      return timer;
    },
    cancelTimer: (timer) => {
      const t = timers.get(timer);
      if (t !== undefined) clearTimeout(t);
      timers.delete(timer);
    },
    random,
    storage,
    log: (text, data) => log({ level: "info", event: "log", text, ...(data !== undefined ? { data } : {}) }),
  };

  let address: PeerAddress | undefined;
  try {
    address = await transport.start();
    instance = options.factory(ctx);
  } catch (e) {
    await transport.stop();
    storage.close();
    throw e;
  }
  const halt = (): void => {
    stopped = true;
  };
  const node = new RuntimeNode<M, N>({ id, instance, address, transport, storage, timers, halt });
  log({ level: "info", event: "started", data: { listen: address ?? null, peers: peerIds } });
  guard(() => instance?.onStart?.());
  return node;
}
