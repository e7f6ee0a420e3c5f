// Runs publint --strict and @arethetypeswrong/cli on every built package; exits non-zero on any problem.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkgsDir = join(root, "packages");
let failed = 0;
for (const name of readdirSync(pkgsDir).sort()) {
  const dir = join(pkgsDir, name);
  for (const [tool, args] of [
    ["publint", ["--strict", "--pack", "npm"]],
    ["attw", ["--pack", ".", "--profile", "node16"]],
  ]) {
    try {
      const out = execFileSync(join(root, "node_modules/.bin", tool), args, {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      console.log(`ok   ${tool} @distkit/${name}`);
      if (/warning|error/i.test(out) && tool === "publint") console.log(out);
    } catch (e) {
      failed++;
      console.log(`FAIL ${tool} @distkit/${name}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
  }
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
console.log("all package checks passed");
