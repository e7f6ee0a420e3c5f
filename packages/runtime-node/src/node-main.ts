/**
 * The entry point of one server process of a local cluster (started by {@link LocalCluster}):
 * argv[2] is a JSON {@link ServerProcessConfig}. Logs go to standard output as JSON lines (level from
 * `DISTKIT_LOG_LEVEL`, default info); SIGTERM
 * stops the node cleanly, SIGKILL is the crash the tests inflict.
 * @module
 */
import type { ServerProcessConfig } from "./cluster.js";
import { jsonLinesLogger, type LogLevel } from "./log.js";
import { startNode } from "./runtime-node.js";
import { serverFactory } from "./server-node.js";

const config = JSON.parse(process.argv[2] ?? "{}") as ServerProcessConfig;
const node = await startNode({
  id: config.id,
  listen: config.listen,
  peers: config.peers,
  dataDir: config.dataDir,
  fsync: config.fsync,
  logger: jsonLinesLogger(
    process.stdout,
    (process.env["DISTKIT_LOG_LEVEL"] as LogLevel | undefined) ?? "info",
  ),
  factory: serverFactory(config.kind, Object.keys(config.peers).sort()),
});
// Fault injection from the parent (LocalCluster.partition), over the IPC channel only.
let blocked: string[] = [];
process.on("message", (m: { type?: string; peers?: string[] }) => {
  if (m.type !== "block" || !Array.isArray(m.peers)) return;
  for (const p of blocked) node.setBlocked(p, false);
  blocked = m.peers.filter((p) => typeof p === "string");
  for (const p of blocked) node.setBlocked(p, true);
  process.send?.({ type: "blocked-ack" });
});
const shutdown = (): void => {
  void node.stop().then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
