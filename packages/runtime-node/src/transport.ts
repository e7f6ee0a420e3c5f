/**
 * TCP between nodes: one outbound connection per known peer (reconnected with exponential backoff and
 * jitter), inbound connections from anyone who says hello (servers and clients), length-prefixed JSON
 * frames, bounded queues, and validation of everything received. A malformed frame closes that one
 * connection with a logged reason; it never reaches the protocol and never stops the node.
 * @module
 */
import { createServer, type Server, type Socket, connect } from "node:net";
import type { NodeId, Random } from "@distkit/sim-net";
import { RuntimeError } from "./errors.js";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, type WireMessage } from "./frame.js";
import type { LogRecord } from "./log.js";

/**
 * Where a node listens.
 *
 * @example
 * ```ts
 * const address: PeerAddress = { host: "127.0.0.1", port: 7001 };
 * ```
 */
export interface PeerAddress {
  /** Host name or IP (loopback for a local cluster). */
  readonly host: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
}

/**
 * Counters of one node's transport.
 *
 * @example
 * ```ts
 * const lossy = (s: TransportStats) => s.droppedQueueFull + s.droppedNoRoute;
 * ```
 */
export interface TransportStats {
  /** Messages handed to TCP. */
  sent: number;
  /** Messages received and delivered to the node. */
  received: number;
  /** Messages dropped because a peer's queue or socket buffer was full (backpressure). */
  droppedQueueFull: number;
  /** Messages dropped because the destination is neither a known peer nor connected to us. */
  droppedNoRoute: number;
  /** Inbound connections closed for a malformed frame or handshake. */
  rejectedConnections: number;
  /** Outbound connections established (first connects and reconnects). */
  connects: number;
}

/** @internal Options of the transport (validated by the runtime node). */
export interface TransportOptions {
  readonly id: NodeId;
  readonly listen: PeerAddress | undefined;
  readonly peers: ReadonlyMap<NodeId, PeerAddress>;
  readonly bindHost: string | undefined;
  readonly maxQueuedMessagesPerPeer: number;
  readonly maxBufferedBytesPerPeer: number;
  readonly maxFrameBytes: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly random: Random;
  readonly log: (record: Omit<LogRecord, "ts" | "node">) => void;
  readonly deliver: (from: NodeId, message: WireMessage) => void;
}

interface Outbound {
  readonly id: NodeId;
  readonly address: PeerAddress;
  socket: Socket | null;
  connected: boolean;
  queue: Buffer[];
  backoffMs: number;
  retry: NodeJS.Timeout | null;
}

const HELLO = "distkit-hello";
const PROTOCOL_VERSION = 1;

/** @internal The TCP transport of one runtime node. */
export class Transport {
  readonly stats: TransportStats = {
    sent: 0,
    received: 0,
    droppedQueueFull: 0,
    droppedNoRoute: 0,
    rejectedConnections: 0,
    connects: 0,
  };
  private readonly o: TransportOptions;
  private readonly outbound = new Map<NodeId, Outbound>();
  private readonly inbound = new Map<NodeId, Socket>();
  private readonly allInbound = new Set<Socket>();
  private server: Server | null = null;
  private stopped = false;
  /** Peers whose traffic is blocked in both directions (a partition made by the test harness). */
  private readonly blocked = new Set<NodeId>();

  constructor(options: TransportOptions) {
    this.o = options;
    for (const [id, address] of options.peers) {
      if (id === options.id) continue;
      this.outbound.set(id, {
        id,
        address,
        socket: null,
        connected: false,
        queue: [],
        backoffMs: options.reconnectInitialMs,
        retry: null,
      });
    }
  }

  /** Starts listening (when configured) and connecting to every peer. Resolves once listening. */
  async start(): Promise<PeerAddress | undefined> {
    for (const peer of this.outbound.values()) this.dial(peer);
    const listen = this.o.listen;
    if (listen === undefined) return undefined;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e) =>
        reject(
          new RuntimeError("invalid-config", `cannot listen on ${listen.host}:${listen.port}: ${e.message}`),
        ),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    const bound = server.address();
    return typeof bound === "object" && bound !== null ? { host: listen.host, port: bound.port } : listen;
  }

  /** Sends one message; drops it (counted) when it cannot be queued. */
  send(to: NodeId, message: unknown): void {
    if (this.stopped || this.blocked.has(to)) return;
    const frame = encodeFrame(message, this.o.maxFrameBytes);
    const peer = this.outbound.get(to);
    if (peer !== undefined) {
      if (peer.connected && peer.socket !== null) this.write(peer.socket, frame);
      else if (peer.queue.length < this.o.maxQueuedMessagesPerPeer) peer.queue.push(frame);
      else this.stats.droppedQueueFull++;
      return;
    }
    const back = this.inbound.get(to);
    if (back !== undefined) this.write(back, frame);
    else this.stats.droppedNoRoute++;
  }

  /** Blocks (or unblocks) all traffic with `peer`, both ways: a partition inside the process. */
  setBlocked(peer: NodeId, blocked: boolean): void {
    if (blocked) this.blocked.add(peer);
    else this.blocked.delete(peer);
  }

  private write(socket: Socket, frame: Buffer): void {
    if (socket.writableLength > this.o.maxBufferedBytesPerPeer) {
      this.stats.droppedQueueFull++;
      return;
    }
    socket.write(frame);
    this.stats.sent++;
  }

  private dial(peer: Outbound): void {
    if (this.stopped) return;
    peer.retry = null;
    const socket = connect({
      host: peer.address.host,
      port: peer.address.port,
      ...(this.o.bindHost !== undefined ? { localAddress: this.o.bindHost } : {}),
    });
    peer.socket = socket;
    socket.setNoDelay(true);
    socket.on("connect", () => {
      peer.connected = true;
      peer.backoffMs = this.o.reconnectInitialMs;
      this.stats.connects++;
      socket.write(encodeFrame({ type: HELLO, from: this.o.id, version: PROTOCOL_VERSION }));
      const queued = peer.queue;
      peer.queue = [];
      for (const frame of queued) this.write(socket, frame);
      this.o.log({ level: "debug", event: "connected", data: { peer: peer.id } });
    });
    // Replies on our outbound connection are accepted too (a peer may answer on the socket we opened).
    const decoder = new FrameDecoder(this.o.maxFrameBytes);
    socket.on("data", (chunk: Buffer) => this.receive(socket, decoder, chunk, peer.id));
    socket.on("error", () => {
      // "close" follows and schedules the retry.
    });
    socket.on("close", () => {
      const wasConnected = peer.connected;
      peer.connected = false;
      peer.socket = null;
      if (this.stopped) return;
      if (wasConnected) this.o.log({ level: "info", event: "disconnected", data: { peer: peer.id } });
      const jitter = 0.5 + this.o.random.next();
      peer.retry = setTimeout(() => this.dial(peer), Math.round(peer.backoffMs * jitter));
      peer.backoffMs = Math.min(this.o.reconnectMaxMs, peer.backoffMs * 2);
    });
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.allInbound.add(socket);
    const decoder = new FrameDecoder(this.o.maxFrameBytes);
    socket.on("data", (chunk: Buffer) => this.receive(socket, decoder, chunk, undefined));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.allInbound.delete(socket);
      for (const [id, s] of this.inbound) if (s === socket) this.inbound.delete(id);
    });
  }

  /** `knownFrom`: the peer of an outbound socket; undefined for inbound sockets until their hello. */
  private receive(socket: Socket, decoder: FrameDecoder, chunk: Buffer, knownFrom: NodeId | undefined): void {
    let messages: WireMessage[];
    try {
      messages = decoder.push(chunk);
    } catch (e) {
      this.reject(socket, (e as Error).message);
      return;
    }
    for (const m of messages) {
      let from = knownFrom ?? this.helloOf(socket);
      if (from === undefined) {
        if (
          m.type !== HELLO ||
          typeof m["from"] !== "string" ||
          m["from"].length === 0 ||
          m["from"] === this.o.id
        ) {
          this.reject(socket, `the first frame must be a hello naming the sender, got type "${m.type}"`);
          return;
        }
        if (m["version"] !== PROTOCOL_VERSION) {
          this.reject(socket, `protocol version ${String(m["version"])} is not ${PROTOCOL_VERSION}`);
          return;
        }
        this.inbound.set(m["from"], socket);
        this.redialNow(m["from"]);
        (socket as Socket & { distkitPeer?: NodeId }).distkitPeer = m["from"];
        continue;
      }
      if (m.type === HELLO) continue;
      from = from as NodeId;
      if (this.blocked.has(from)) continue;
      this.stats.received++;
      this.o.deliver(from, m);
      if (this.stopped) return;
    }
  }

  /** A peer that just connected to us is up: dial it now instead of waiting out the backoff. */
  private redialNow(id: NodeId): void {
    const peer = this.outbound.get(id);
    if (peer === undefined || peer.retry === null) return;
    clearTimeout(peer.retry);
    peer.backoffMs = this.o.reconnectInitialMs;
    this.dial(peer);
  }

  private helloOf(socket: Socket): NodeId | undefined {
    return (socket as Socket & { distkitPeer?: NodeId }).distkitPeer;
  }

  private reject(socket: Socket, reason: string): void {
    this.stats.rejectedConnections++;
    this.o.log({
      level: "warn",
      event: "connection-rejected",
      data: {
        reason,
        peer: this.helloOf(socket) ?? null,
        remote: `${socket.remoteAddress}:${socket.remotePort}`,
      },
    });
    socket.destroy();
  }

  /** Closes the server and every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const peer of this.outbound.values()) {
      if (peer.retry !== null) clearTimeout(peer.retry);
      peer.socket?.destroy();
    }
    for (const s of this.allInbound) s.destroy();
    const server = this.server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** @internal Defaults of the transport's bounds. */
export const TRANSPORT_DEFAULTS = {
  maxQueuedMessagesPerPeer: 10_000,
  maxBufferedBytesPerPeer: 64 * 1024 * 1024,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  reconnectInitialMs: 20,
  reconnectMaxMs: 1000,
} as const;
