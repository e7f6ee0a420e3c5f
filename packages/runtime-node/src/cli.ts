#!/usr/bin/env node
/**
 * `distkit-cluster`: starts a local Raft (or quorum) key-value cluster as separate processes on
 * loopback and opens a client REPL on it; or attaches a REPL to a cluster that is already running.
 *
 * ```
 * distkit-cluster start [raft|quorum] [--nodes 3] [--base-port 7001] [--data DIR] [--no-fsync]
 * distkit-cluster repl  [raft|quorum] [--nodes 3] [--base-port 7001]
 * ```
 *
 * REPL commands: `put KEY VALUE`, `get KEY`, `cas KEY EXPECTED|- VALUE`, `status`, and, for a cluster
 * this command started, `kill ID` (SIGKILL), `restart ID`; `quit` (or end of input) stops everything.
 * @module
 */
import { createInterface } from "node:readline";
import { type ClusterClient, connectClient, type LocalCluster, startLocalCluster } from "./cluster.js";
import { RuntimeError } from "./errors.js";
import type { ClusterKind } from "./server-node.js";
import type { PeerAddress } from "./transport.js";

const USAGE = `usage:
  distkit-cluster start [raft|quorum] [--nodes N] [--base-port PORT] [--data DIR] [--no-fsync]
  distkit-cluster repl  [raft|quorum] [--nodes N] [--base-port PORT]
REPL: put KEY VALUE | get KEY | cas KEY EXPECTED|- VALUE | status | kill ID | restart ID | help | quit`;

interface Args {
  readonly command: "start" | "repl";
  readonly kind: ClusterKind;
  readonly nodes: number;
  readonly basePort: number;
  readonly dataDir: string | undefined;
  readonly fsync: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command !== "start" && command !== "repl")
    throw new RuntimeError("invalid-config", `unknown command ${JSON.stringify(command ?? "")}\n${USAGE}`);
  let kind: ClusterKind = "raft";
  let nodes = 3;
  let basePort = 7001;
  let dataDir: string | undefined;
  let fsync = true;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new RuntimeError("invalid-config", `${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "raft" || a === "quorum") kind = a;
    else if (a === "--nodes") nodes = Number(value());
    else if (a === "--base-port") basePort = Number(value());
    else if (a === "--data") dataDir = value();
    else if (a === "--no-fsync") fsync = false;
    else throw new RuntimeError("invalid-config", `unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return { command, kind, nodes, basePort, dataDir, fsync };
}

function addresses(nodes: number, basePort: number): Record<string, PeerAddress> {
  const out: Record<string, PeerAddress> = {};
  for (let i = 1; i <= nodes; i++) out[`n${i}`] = { host: "127.0.0.1", port: basePort + i - 1 };
  return out;
}

function show(r: Awaited<ReturnType<ClusterClient["get"]>>): string {
  if (r.kind === "timeout") return "timeout (the outcome is unknown)";
  if (r.casFailed) return `cas failed: the value is ${JSON.stringify(r.value)}`;
  return r.value === null ? "(absent)" : JSON.stringify(r.value);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let cluster: LocalCluster | undefined;
  if (args.command === "start") {
    cluster = await startLocalCluster({
      kind: args.kind,
      nodes: args.nodes,
      basePort: args.basePort,
      fsync: args.fsync,
      ...(args.dataDir !== undefined ? { dataDir: args.dataDir } : {}),
    });
    console.log(
      `started a ${args.kind} cluster of ${args.nodes} processes: ${cluster.servers.map((s) => `${s.id}=${s.address.host}:${s.address.port} (pid ${cluster!.pid(s.id)})`).join(", ")}`,
    );
    console.log(`data and logs in ${cluster.dataDir}`);
  }
  const client = await connectClient({
    kind: args.kind,
    servers: cluster?.addresses ?? addresses(args.nodes, args.basePort),
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await client.close();
    if (cluster !== undefined) {
      await cluster.stop();
      console.log("cluster stopped");
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY === true,
  });
  rl.setPrompt("distkit> ");
  rl.prompt();
  // Commands run one at a time, in order, even when input arrives faster (a pipe).
  let chain = Promise.resolve();
  rl.on("line", (line) => {
    chain = chain.then(async () => {
      const [cmd, ...words] = line.trim().split(/\s+/);
      try {
        if (cmd === undefined || cmd === "") {
          // nothing
        } else if (cmd === "put" && words.length === 2)
          console.log(show(await client.put(words[0]!, words[1]!)));
        else if (cmd === "get" && words.length === 1) console.log(show(await client.get(words[0]!)));
        else if (cmd === "cas" && words.length === 3) {
          const expected = words[1] === "-" ? null : words[1]!;
          console.log(show(await client.cas(words[0]!, expected, words[2]!)));
        } else if (cmd === "status") {
          const all = await client.status(1000);
          for (const s of all)
            console.log(
              `${s.id}  ${s.role.padEnd(9)} term ${s.term}  leader ${s.leaderId ?? "-"}  commit ${s.commitIndex}`,
            );
          const silent = Object.keys(cluster?.addresses ?? addresses(args.nodes, args.basePort)).filter(
            (id) => !all.some((s) => s.id === id),
          );
          for (const id of silent) console.log(`${id}  (no answer)`);
        } else if ((cmd === "kill" || cmd === "restart") && words.length === 1 && cluster !== undefined) {
          if (cmd === "kill") cluster.kill(words[0]!, "SIGKILL");
          else await cluster.restart(words[0]!);
          console.log(`${cmd === "kill" ? "killed (SIGKILL)" : "restarted"} ${words[0]}`);
        } else if (cmd === "quit" || cmd === "exit") {
          await stop();
        } else console.log(USAGE);
      } catch (e) {
        console.log(`error: ${(e as Error).message}`);
      }
      rl.prompt();
    });
  });
  rl.on("close", () => {
    void chain.then(stop);
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof RuntimeError ? e.message : e);
  process.exit(2);
});
