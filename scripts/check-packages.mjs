// `pnpm run check:packages`: for every built package under packages/, runs publint --strict and
// @arethetypeswrong/cli, then packs it the way a release does (`pnpm pack`, which rewrites `workspace:`
// ranges to versions) and checks the tarball: a LICENSE and a README.md at its root, a package.json with no
// `workspace:` range left, and nothing from test/ or bench/ inside (test data stays in the repository).
// Exits non-zero on any problem. `node scripts/check-packages.mjs clocks raft` checks only those packages.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkgsDir = join(root, "packages");
const pnpm = ["-y", "pnpm@12.4.2"];
let failed = 0;

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Problems found in one packed tarball (an empty list when it is fine). */
function tarballProblems(tarball) {
  const problems = [];
  const entries = run("tar", ["-tzf", tarball], root)
    .split("\n")
    .filter((line) => line.length > 0);
  for (const required of ["package/LICENSE", "package/README.md", "package/package.json"]) {
    if (!entries.includes(required)) problems.push(`missing ${required.slice("package/".length)}`);
  }
  const stray = entries.filter((e) => /^package\/(test|bench)\//.test(e));
  if (stray.length > 0) problems.push(`contains ${stray.length} test/bench file(s), e.g. ${stray[0]}`);
  const manifest = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], root));
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${name} is still "${range}"`);
    }
  }
  return problems;
}

const packDir = mkdtempSync(join(tmpdir(), "distkit-pack-"));
try {
  const only = process.argv.slice(2);
  for (const name of readdirSync(pkgsDir).sort()) {
    if (only.length > 0 && !only.includes(name)) continue;
    if (!existsSync(join(pkgsDir, name, "package.json"))) continue; // not a package (e.g. a leftover node_modules)
    const dir = join(pkgsDir, name);
    for (const [tool, args] of [
      ["publint", ["--strict", "--pack", "npm"]],
      ["attw", ["--pack", ".", "--profile", "node16"]],
    ]) {
      try {
        const out = run(join(root, "node_modules/.bin", tool), args, dir);
        console.log(`ok   ${tool} @distkit/${name}`);
        if (/warning|error/i.test(out) && tool === "publint") console.log(out);
      } catch (e) {
        failed++;
        console.log(`FAIL ${tool} @distkit/${name}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
      }
    }
    try {
      const before = new Set(readdirSync(packDir));
      run("npx", [...pnpm, "pack", "--pack-destination", packDir], dir);
      const tarball = readdirSync(packDir).find((f) => !before.has(f) && f.endsWith(".tgz"));
      if (tarball === undefined) throw new Error("pnpm pack wrote no tarball");
      const problems = tarballProblems(join(packDir, tarball));
      if (problems.length === 0) console.log(`ok   pack @distkit/${name} (${tarball})`);
      else {
        failed++;
        console.log(`FAIL pack @distkit/${name}: ${problems.join("; ")}`);
      }
    } catch (e) {
      failed++;
      console.log(`FAIL pack @distkit/${name}\n${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
console.log("all package checks passed");
