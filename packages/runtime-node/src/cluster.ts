/**
 * `@distkit/runtime-node/cluster`: local clusters of separate processes on loopback. Each server is a
 * child process running a Raft key-value server or a quorum server over {@link startNode}; clients
 * are runtime nodes in the calling process. Used by the `distkit-cluster` command, the kill -9 tests
 * and the benchmark.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { QuorumClient } from "@distkit/quorum";
import { type KvClientResult, KvClient, type KvOperation } from "@distkit/raft";
import type { Message, NodeId, SimNode } from "@distkit/sim-net";
import { RuntimeError } from "./errors.js";
import type { LogRecord } from "./log.js";
import { type RuntimeNode, startNode } from "./runtime-node.js";
import { type ClusterKind, QUORUM_SETTINGS, quorumPlacement, type ServerStatus } from "./server-node.js";
import type { PeerAddress } from "./transport.js";

export { type ClusterKind, type ServerStatus, serverFactory } from "./server-node.js";

/**
 * Options of {@link startLocalCluster}.
 *
 * @example
 * ```ts
 * const options: LocalClusterOptions = { kind: "raft", nodes: 3, basePort: 7001, dataDir: "./data", fsync: true };
 * ```
 */
export interface LocalClusterOptions {
  /** The store: `raft` or `quorum`. */
  readonly kind: ClusterKind;
  /** Number of servers, 1 to 9 (default 3). Ids are n1, n2, ... */
  readonly nodes?: number;
  /** Host to listen on (default 127.0.0.1; use loopback addresses only). */
  readonly host?: string;
  /** Port of n1; n2 listens on basePort + 1, and so on (default 7001). */
  readonly basePort?: number;
  /** Data folder; each server gets `<dataDir>/<id>`, and logs go to `<dataDir>/<id>.log` (default: a new temp folder). */
  readonly dataDir?: string;
  /** fdatasync at every storage sync (default true). */
  readonly fsync?: boolean;
}

/**
 * One server of a local cluster.
 *
 * @example
 * ```ts
 * const s: ServerSpec = { id: "n1", address: { host: "127.0.0.1", port: 7001 }, dataDir: "./data/n1", logFile: "./data/n1.log" };
 * ```
 */
export interface ServerSpec {
  /** Node id. */
  readonly id: NodeId;
  /** Where it listens. */
  readonly address: PeerAddress;
  /** Its data folder. */
  readonly dataDir: string;
  /** Its JSON-lines log. */
  readonly logFile: string;
}

/** @internal What a server process is started with (argv[2] of node-main, as JSON). */
export interface ServerProcessConfig {
  readonly kind: ClusterKind;
  readonly id: NodeId;
  readonly listen: PeerAddress;
  readonly peers: Record<NodeId, PeerAddress>;
  readonly dataDir: string;
  readonly fsync: boolean;
}

/** How to start a child that runs `node-main`: from the built `.js`, or from sources through tsx. */
function childCommand(): { args: string[] } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    // From sources (tests, `pnpm run cluster`): the child loads TypeScript through tsx, a devDependency.
    const tsx = pathToFileURL(createRequire(here).resolve("tsx")).href;
    return { args: ["--conditions=source", "--import", tsx, fileURLToPath(new URL("./node-main.ts", here))] };
  }
  return { args: [fileURLToPath(new URL("./node-main.js", here))] };
}

/**
 * A running local cluster: its servers as child processes, which can be killed (kill -9 by default)
 * and restarted over the same data folders.
 *
 * @example
 * ```ts
 * const cluster = await startLocalCluster({ kind: "raft" });
 * cluster.kill("n1"); // SIGKILL
 * await cluster.restart("n1");
 * await cluster.stop();
 * ```
 */
export class LocalCluster {
  /** The cluster's store. */
  readonly kind: ClusterKind;
  /** The servers, n1 first. */
  readonly servers: readonly ServerSpec[];
  /** The data folder holding every server's folder and log. */
  readonly dataDir: string;
  private readonly fsync: boolean;
  private readonly processes = new Map<NodeId, ChildProcess>();
  private readonly logs = new Map<NodeId, WriteStream>();
  /** Servers each server is cut from (see {@link LocalCluster.partition}). */
  private readonly blocked = new Map<NodeId, NodeId[]>();

  /** @internal Use {@link startLocalCluster}. */
  constructor(kind: ClusterKind, servers: readonly ServerSpec[], dataDir: string, fsync: boolean) {
    this.kind = kind;
    this.servers = servers;
    this.dataDir = dataDir;
    this.fsync = fsync;
  }

  /** Server addresses by id (what clients dial). */
  get addresses(): Record<NodeId, PeerAddress> {
    return Object.fromEntries(this.servers.map((s) => [s.id, s.address]));
  }

  /** Whether the server's process is running. */
  isRunning(id: NodeId): boolean {
    return this.processes.has(id);
  }

  /** The server's process id, or undefined when it is not running. */
  pid(id: NodeId): number | undefined {
    return this.processes.get(id)?.pid;
  }

  private spec(id: NodeId): ServerSpec {
    const s = this.servers.find((x) => x.id === id);
    if (s === undefined) {
      throw new RuntimeError(
        "invalid-config",
        `no server "${id}"; servers: ${this.servers.map((x) => x.id).join(", ")}`,
      );
    }
    return s;
  }

  /** Starts the server's process (it recovers from its data folder); resolves once it listens. */
  async start(id: NodeId): Promise<void> {
    const spec = this.spec(id);
    if (this.processes.has(id)) return;
    const config: ServerProcessConfig = {
      kind: this.kind,
      id,
      listen: spec.address,
      peers: this.addresses,
      dataDir: spec.dataDir,
      fsync: this.fsync,
    };
    const { args } = childCommand();
    // An IPC channel carries fault injection (partitions) from this process; nothing on the network can.
    const child = spawn(process.execPath, [...args, JSON.stringify(config)], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.processes.set(id, child);
    let log = this.logs.get(id);
    if (log === undefined) {
      log = createWriteStream(spec.logFile, { flags: "a" });
      this.logs.set(id, log);
    }
    const sink = log;
    child.stderr?.on("data", (chunk: Buffer) => sink.write(chunk));
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        if (!started)
          reject(
            new RuntimeError(
              "invalid-config",
              `server ${id} did not start within 20 s (see ${spec.logFile})`,
            ),
          );
      }, 20_000);
      lines.on("line", (line) => {
        sink.write(`${line}\n`);
        if (!started && line.includes('"event":"started"')) {
          started = true;
          clearTimeout(timer);
          resolve(this.sendBlocked(id));
        }
      });
      child.on("exit", (code, signal) => {
        if (this.processes.get(id) === child) this.processes.delete(id);
        if (!started) {
          clearTimeout(timer);
          reject(
            new RuntimeError(
              "invalid-config",
              `server ${id} exited (${signal ?? code}) before starting; see ${spec.logFile}`,
            ),
          );
        }
      });
    });
  }

  /**
   * Cuts the servers into groups that cannot exchange messages (clients still reach every server):
   * each server's transport drops all traffic with the servers outside its group, in both directions,
   * while TCP connections stay up (a black-hole partition). Servers not named form a group of their
   * own each. A server restarted during a partition is cut again as soon as it starts.
   */
  async partition(groups: readonly (readonly NodeId[])[]): Promise<void> {
    const groupOf = new Map<NodeId, number>();
    groups.forEach((g, i) => {
      for (const id of g) {
        this.spec(id);
        if (groupOf.has(id))
          throw new RuntimeError("invalid-config", `server ${id} is in two groups of the partition`);
        groupOf.set(id, i);
      }
    });
    this.blocked.clear();
    for (const s of this.servers) {
      const mine = groupOf.get(s.id);
      this.blocked.set(
        s.id,
        this.servers
          .filter((o) => o.id !== s.id && (mine === undefined || groupOf.get(o.id) !== mine))
          .map((o) => o.id),
      );
    }
    await Promise.all(
      this.servers.filter((s) => this.processes.has(s.id)).map((s) => this.sendBlocked(s.id)),
    );
  }

  /** Removes every partition made by {@link LocalCluster.partition}. */
  async heal(): Promise<void> {
    this.blocked.clear();
    await Promise.all(
      this.servers.filter((s) => this.processes.has(s.id)).map((s) => this.sendBlocked(s.id)),
    );
  }

  /** Tells a server process which servers it is cut from, and waits for it to confirm. */
  private sendBlocked(id: NodeId): Promise<void> {
    const child = this.processes.get(id);
    if (child === undefined) return Promise.resolve();
    const block = this.blocked.get(id) ?? [];
    return new Promise<void>((resolve) => {
      const onMessage = (m: unknown): void => {
        if ((m as { type?: string }).type === "blocked-ack") {
          child.off("message", onMessage);
          resolve();
        }
      };
      child.on("message", onMessage);
      child.once("exit", () => resolve());
      child.send({ type: "block", peers: block });
    });
  }

  /** Sends `signal` (default SIGKILL: no chance to flush anything) to the server's process. */
  kill(id: NodeId, signal: NodeJS.Signals = "SIGKILL"): void {
    this.spec(id);
    const child = this.processes.get(id);
    if (child === undefined) return;
    this.processes.delete(id);
    child.kill(signal);
  }

  /** Starts a killed server again over its data folder. */
  async restart(id: NodeId): Promise<void> {
    await this.start(id);
  }

  /** Stops every server (SIGTERM, then SIGKILL after 2 s) and closes the log files. */
  async stop(): Promise<void> {
    const exits = [...this.processes.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const t = setTimeout(() => child.kill("SIGKILL"), 2000);
          child.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    );
    this.processes.clear();
    await Promise.all(exits);
    await Promise.all([...this.logs.values()].map((l) => new Promise<void>((r) => l.end(() => r()))));
    this.logs.clear();
  }
}

/**
 * Starts a local cluster of `nodes` server processes on loopback and waits until every one listens.
 *
 * @example
 * ```ts
 * const cluster = await startLocalCluster({ kind: "raft", nodes: 3, basePort: 7001 });
 * const client = await connectClient({ kind: "raft", servers: cluster.addresses });
 * await client.put("x", "1");
 * console.log(await client.get("x")); // { kind: "ok", value: "1" }
 * await client.close();
 * await cluster.stop();
 * ```
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
    throw new RuntimeError(
      "invalid-config",
      `nodes must be an integer from 1 to 9, got ${String(options.nodes)}`,
    );
  }
  if (options.kind === "quorum" && nodes < QUORUM_SETTINGS.n) {
    throw new RuntimeError(
      "invalid-config",
      `a quorum cluster needs at least ${QUORUM_SETTINGS.n} nodes (N = 3), got ${nodes}`,
    );
  }
  const basePort = options.basePort ?? 7001;
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + nodes - 1 > 65535) {
    throw new RuntimeError(
      "invalid-config",
      `basePort must be an integer from 1024 to ${65536 - nodes}, got ${String(options.basePort)}`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "distkit-cluster-"));
  mkdirSync(dataDir, { recursive: true });
  const servers: ServerSpec[] = [];
  for (let i = 1; i <= nodes; i++) {
    const id = `n${i}`;
    servers.push({
      id,
      address: { host, port: basePort + i - 1 },
      dataDir: join(dataDir, id),
      logFile: join(dataDir, `${id}.log`),
    });
  }
  const cluster = new LocalCluster(options.kind, servers, dataDir, options.fsync ?? true);
  try {
    for (const s of servers) await cluster.start(s.id);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/**
 * The outcome of a client operation: `ok` with the value read or written (`null` for an absent key;
 * `casFailed` when a compare-and-set found another value and wrote nothing), or `timeout` when the client gave up (a write may or
 * may not have happened).
 *
 * @example
 * ```ts
 * const r: ClientResult = { kind: "ok", value: "1", casFailed: false };
 * ```
 */
export type ClientResult =
  | { readonly kind: "ok"; readonly value: string | null; readonly casFailed: boolean }
  | { readonly kind: "timeout" };

/**
 * Options of {@link connectClient}.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { kind: "raft", servers: { n1: { host: "127.0.0.1", port: 7001 } } };
 * ```
 */
export interface ClientOptions {
  /** The store the servers run. */
  readonly kind: ClusterKind;
  /** Server addresses by id. */
  readonly servers: Readonly<Record<NodeId, PeerAddress>>;
  /** Client id (default: unique per process and call). */
  readonly id?: string;
  /** Give up on one operation after this long (default 5000 ms). */
  readonly operationTimeoutMs?: number;
  /** Where client log records go (default: dropped). */
  readonly logger?: (record: LogRecord) => void;
}

/**
 * A client of a local cluster: a runtime node in this process that dials the servers.
 *
 * @example
 * ```ts
 * const client = await connectClient({ kind: "raft", servers: cluster.addresses });
 * await client.cas("x", null, "1");
 * ```
 */
export interface ClusterClient {
  /** The client's node id. */
  readonly id: string;
  /** Writes `value` under `key`. */
  put(key: string, value: string): Promise<ClientResult>;
  /** Reads `key`. */
  get(key: string): Promise<ClientResult>;
  /** Sets `key` to `value` if it holds `expected` (null: absent). Raft only. */
  cas(key: string, expected: string | null, value: string): Promise<ClientResult>;
  /** Asks every server for its status (servers that do not answer within `timeoutMs` are left out). */
  status(timeoutMs?: number): Promise<ServerStatus[]>;
  /** Disconnects. */
  close(): Promise<void>;
}

let clientCounter = 0;

/**
 * Connects a client to a cluster's servers.
 *
 * @example
 * ```ts
 * const client = await connectClient({ kind: "quorum", servers: cluster.addresses });
 * await client.put("k", "v");
 * ```
 */
export async function connectClient(options: ClientOptions): Promise<ClusterClient> {
  const servers = Object.keys(options.servers).sort();
  if (servers.length === 0)
    throw new RuntimeError("invalid-config", "connectClient needs at least one server");
  const id = options.id ?? `client-${process.pid}-${++clientCounter}`;
  const operationTimeoutMs = options.operationTimeoutMs ?? 5000;
  const statusWaiters = new Set<(s: ServerStatus) => void>();
  const dataDir = mkdtempSync(join(tmpdir(), `distkit-${id}-`));
  let inner: KvClient | QuorumClient | undefined;
  let send: ((to: NodeId, m: Message) => void) | undefined;
  const node: RuntimeNode<Message, SimNode<Message>> = await startNode<Message, SimNode<Message>>({
    id,
    peers: options.servers,
    dataDir,
    fsync: false,
    logger: options.logger ?? (() => {}),
    factory: (ctx) => {
      send = (to, m) => ctx.send(to, m);
      const client =
        options.kind === "raft"
          ? new KvClient(ctx as never, { servers, operationTimeoutMs })
          : new QuorumClient(ctx as never, {
              placement: quorumPlacement(servers),
              n: QUORUM_SETTINGS.n,
              timeoutMs: Math.max(1, Math.floor(operationTimeoutMs / 2)),
              recordHistory: false,
            });
      inner = client;
      const delegate = client as unknown as SimNode<Message>;
      return {
        onStart: () => delegate.onStart?.(),
        onMessage: (from, m) => {
          if (m.type === "distkit-status-reply") {
            for (const w of statusWaiters) w(m as unknown as ServerStatus);
            return;
          }
          delegate.onMessage(from, m);
        },
      };
    },
  });

  const raftOp = (op: KvOperation): Promise<ClientResult> =>
    new Promise((resolve) =>
      (inner as KvClient).submit(op, (r: KvClientResult) =>
        resolve(
          r.kind === "ok"
            ? { kind: "ok", value: r.outcome.value, casFailed: !r.outcome.ok }
            : { kind: "timeout" },
        ),
      ),
    );
  const quorumWrite = (key: string, value: string): Promise<ClientResult> =>
    new Promise((resolve) =>
      (inner as QuorumClient).put(key, value, { w: QUORUM_SETTINGS.w, writeMode: "two-phase" }, (r) =>
        resolve(r.ok ? { kind: "ok", value, casFailed: false } : { kind: "timeout" }),
      ),
    );
  const quorumRead = (key: string): Promise<ClientResult> =>
    new Promise((resolve) =>
      (inner as QuorumClient).get(key, { r: QUORUM_SETTINGS.r }, (r) => {
        if (!r.ok) return resolve({ kind: "timeout" });
        const values = r.values as readonly unknown[];
        resolve({ kind: "ok", value: values.length === 0 ? null : String(values[0]), casFailed: false });
      }),
    );

  return {
    id,
    put: (key, value) =>
      options.kind === "raft" ? raftOp({ kind: "put", key, value }) : quorumWrite(key, value),
    get: (key) => (options.kind === "raft" ? raftOp({ kind: "get", key }) : quorumRead(key)),
    cas: (key, expected, value) => {
      if (options.kind !== "raft") {
        return Promise.reject(
          new RuntimeError(
            "invalid-config",
            "cas needs a raft cluster (the quorum store has no compare-and-set)",
          ),
        );
      }
      return raftOp({ kind: "cas", key, expected, value });
    },
    status: (timeoutMs = 500) =>
      new Promise((resolve) => {
        const got = new Map<NodeId, ServerStatus>();
        const waiter = (s: ServerStatus): void => {
          got.set(s.id, s);
          if (got.size === servers.length) finish();
        };
        const finish = (): void => {
          statusWaiters.delete(waiter);
          clearTimeout(timer);
          resolve([...got.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
        };
        statusWaiters.add(waiter);
        const timer = setTimeout(finish, timeoutMs);
        for (const s of servers) send?.(s, { type: "distkit-status" });
      }),
    close: () => node.stop(),
  };
}
