import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: ESM and CJS, with types. `shims` gives import.meta.url in the CJS build (cluster.ts
    // uses it to find node-main).
    entry: ["src/index.ts", "src/cluster.ts"],
    format: ["esm", "cjs"],
    dts: true,
    shims: true,
    sourcemap: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
  },
  {
    // The command and the server process entry: ESM only (they use top-level await).
    entry: ["src/cli.ts", "src/node-main.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
  },
]);
