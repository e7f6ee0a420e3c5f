/**
 * The HTML report of a result: verdict, statistics, metrics, node problems, the failing seed with
 * its shrunk schedule and replay command, the space-time diagram and the history.
 *
 * @module
 */
import type { WorkloadResult } from "./run-workload.js";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A self-contained HTML page for a result (the pictures inlined).
 *
 * @example
 * ```ts
 * writeFileSync("report.html", renderReportHtml(result, "npx distkit-workbench broadcast ./node.ts --replay 7"));
 * ```
 */
export function renderReportHtml(result: WorkloadResult, replayCommand?: string): string {
  const s = result.stats;
  const row = (cells: readonly (string | number)[], th = false) =>
    `<tr>${cells.map((c) => (th ? `<th>${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`)).join("")}</tr>`;
  const parts: string[] = [];
  parts.push(
    `<h1>${esc(result.workload)}: <span class="${result.valid ? "pass" : "fail"}">${result.valid ? "PASS" : "FAIL"}</span></h1>`,
    `<p>${result.seedsRun} seeds run, ${result.failedCount} failing${result.failingSeeds.length > 0 ? ` (first: ${result.failingSeeds.slice(0, 20).join(", ")})` : ""}.</p>`,
    "<h2>Statistics</h2><table>",
    row(
      [
        "operations",
        "ok",
        "fail",
        "info",
        "availability",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "node msgs / op",
      ],
      true,
    ),
    row([
      s.operations.total,
      s.operations.ok,
      s.operations.fail,
      s.operations.info,
      `${(s.availability * 100).toFixed(1)}%`,
      s.latencyMs.p50,
      s.latencyMs.p95,
      s.latencyMs.p99,
      s.latencyMs.max,
      s.messagesPerOperation,
    ]),
    "</table>",
  );
  const metrics = Object.entries(result.metrics);
  if (metrics.length > 0) {
    parts.push("<h2>Workload metrics</h2><table>", row(["metric", "mean over seeds", "max"], true));
    for (const [k, m] of metrics) parts.push(row([k, m.mean, m.max]));
    parts.push("</table>");
  }
  const np = Object.entries(result.nodeProblems);
  if (np.length > 0) {
    parts.push("<h2>Node problems</h2><table>", row(["node", "problem", "seeds"], true));
    for (const [node, kinds] of np) for (const [k, c] of Object.entries(kinds)) parts.push(row([node, k, c]));
    parts.push("</table>");
  }
  const f = result.failure;
  if (f !== undefined) {
    parts.push(
      `<h2>Failing seed ${f.seed}</h2>`,
      `<p>Fault schedule shrunk from ${f.schedule.length} to ${f.shrunkSchedule.length} events in ${f.shrinkSteps} steps${f.shrinkInterrupted ? " (time limit reached)" : ""}:</p>`,
      `<ul>${f.scheduleText.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`,
      "<p>What went wrong:</p>",
      `<ul class="problems">${f.problems
        .slice(0, 30)
        .map((l) => `<li>${esc(l)}</li>`)
        .join("")}</ul>`,
      `<p>Replay:</p><pre>${esc(replayCommand ?? f.replayCode)}</pre>`,
      `<details><summary>shrunk schedule (JSON)</summary><pre>${esc(JSON.stringify(f.shrunkSchedule, null, 1))}</pre></details>`,
    );
    if (f.pictures !== undefined) {
      parts.push(
        "<h2>Space-time diagram</h2>",
        `<div class="svg">${f.pictures.spaceTimeSvg}</div>`,
        "<h2>History</h2>",
        `<iframe title="history" srcdoc="${esc(f.pictures.historyHtml)}"></iframe>`,
      );
    }
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(result.workload)} workbench report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th { background: #f3f3f3; }
td:first-child { text-align: left; }
.pass { color: #1a7f37; } .fail { color: #c62828; }
.problems li { color: #c62828; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.svg { overflow: auto; max-height: 900px; border: 1px solid #ddd; }
iframe { width: 100%; height: 700px; border: 1px solid #ddd; }
</style></head><body>
${parts.join("\n")}
</body></html>`;
}
