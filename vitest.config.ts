import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

// Every folder under packages/ with a test/ folder is a vitest project named after the folder, so a new
// package's tests run with `pnpm test` (and `pnpm test --project <name>`) without editing this file.
const root = fileURLToPath(new URL(".", import.meta.url));
const packages = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${root}packages/${d.name}/test`))
  .map((d) => d.name)
  .sort();

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      // Resolve @distkit/* to sources (the "source" export condition), so tests never need a build.
      resolve: { conditions: ["source"] },
      ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
      test: {
        name,
        root: `${root}packages/${name}`,
        include: ["test/**/*.test.ts"],
        environment: "node",
        setupFiles: ["../../vitest.setup.ts"],
        testTimeout: 120_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
