import { Simulation } from "@distkit/sim-net";
import { type MultiLeaderConfig, MultiLeaderNode } from "../src/index.js";

export function multiLeaderCluster(
  config: MultiLeaderConfig,
  options: {
    readonly seed?: number;
    readonly latencyMs?: number;
    readonly clockOffsets?: Record<string, number>;
  } = {},
) {
  const sim = new Simulation({
    seed: options.seed ?? 1,
    network: { latency: { kind: "constant", ms: options.latencyMs ?? 5 } },
    trace: "off",
  });
  const followers = Object.values(config.followers ?? {}).flat();
  const all = [...config.leaders, ...followers];
  for (const id of all) {
    sim.addNode(id, (ctx) => new MultiLeaderNode(ctx, config), {
      clock: { offsetMs: options.clockOffsets?.[id] ?? 0 },
    });
  }
  return {
    sim,
    all,
    node: (id: string) => sim.node<MultiLeaderNode>(id).instance,
    snapshots: () => all.map((id) => JSON.stringify(sim.node<MultiLeaderNode>(id).instance.snapshot())),
  };
}
