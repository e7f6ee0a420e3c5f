// `pnpm test`: runs the whole vitest suite (every package's unit, property and scenario tests) and ends
// with one plain summary line, "N passed, N failed, N skipped", read from vitest's JSON report.
// Extra arguments are passed to vitest (e.g. `pnpm test --project raft`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const reportPath = join(root, "out", "test-results.json");
mkdirSync(dirname(reportPath), { recursive: true });
const vitest = join(root, "node_modules", ".bin", "vitest");
const run = spawnSync(
  vitest,
  [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportPath}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: "inherit" },
);
let summary = "no test report was written";
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  summary = `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
  if (report.numTotalTests === 0) {
    console.error("vitest ran no test");
    process.exitCode = 1;
  }
}
console.log(summary);
process.exit(run.status === 0 && process.exitCode !== 1 ? 0 : 1);
