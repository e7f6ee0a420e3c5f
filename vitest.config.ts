import { defineConfig } from "vitest/config";

const packages = ["sim-net", "clocks", "hashing", "check", "crdt", "raft", "quorum", "replication"];

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      // Resolve @distkit/* to sources (the "source" export condition), so tests never need a build.
      resolve: { conditions: ["source"] },
      ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        environment: "node",
        setupFiles: ["../../vitest.setup.ts"],
        testTimeout: 120_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
