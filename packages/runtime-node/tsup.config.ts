import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cluster.ts", "src/cli.ts", "src/node-main.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/cluster.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json",
});
