import { describeOperation } from "./describe.js";
import type { History, Operation, ProcessId } from "./history.js";
import { formatValue } from "./history.js";
import type { LinearizabilityResult } from "./linearizability.js";
import type { Model } from "./model.js";

/**
 * Options of {@link renderHistorySvg} and {@link renderHistoryHtml}.
 *
 * @example
 * ```ts
 * import type { RenderOptions } from "@distkit/check";
 * const o: RenderOptions = { widthPx: 1200, title: "etcd run 7" };
 * ```
 */
export interface RenderOptions<S = unknown, I = unknown, O = unknown> {
  /** A check result to draw: linearization numbers on the bars, or the failing operation in red. */
  readonly result?: LinearizabilityResult<I, O>;
  /** The model, used to label operations (default: generic labels). */
  readonly model?: Model<S, I, O>;
  /** Drawing width in pixels (default 1000). */
  readonly widthPx?: number;
  /** A title. */
  readonly title?: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `f input→output`, shortened: the bar's label (the full description is in the tooltip). */
function shortLabel(op: Operation<unknown, unknown>): string {
  const raw = op.input;
  let input = raw === null || raw === undefined ? "" : ` ${formatValue(raw)}`;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && "key" in raw) {
    const { key, value } = raw as { key: unknown; value?: unknown };
    input = ` ${String(key)}${value === null || value === undefined ? "" : ` ${formatValue(value)}`}`;
  }
  const output =
    op.status === "info"
      ? "→?"
      : op.status === "fail"
        ? "→✗"
        : op.output === undefined
          ? ""
          : `→${formatValue(op.output)}`;
  const full = `${op.f}${input}${output}`;
  return full.length > 24 ? `${full.slice(0, 23)}…` : full;
}

const ROW_PX = 34;
const LEFT_PX = 90;
const TOP_PX = 30;

/**
 * Draws a history as an SVG: one row per process, each operation a bar from its invocation to its
 * completion (dashed to the right edge when its outcome is unknown). With a linearizability result:
 * each bar shows its position in the linearization found (per partition, `key:n` when partitioned),
 * and when the check failed, the longest linearizable prefix is numbered and the operation that
 * cannot be linearized is drawn in red. Hover a bar for its description.
 *
 * @example
 * ```ts
 * import { checkLinearizable, HistoryRecorder, registerModel, renderHistorySvg } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
 * h.ok(h.invoke(1, "read", null, 20), null, 30);
 * const model = registerModel();
 * const svg = renderHistorySvg(h.history(), { result: checkLinearizable(h.history(), model), model });
 * ```
 */
export function renderHistorySvg<S, I, O>(
  history: History<I, O>,
  options: RenderOptions<S, I, O> = {},
): string {
  const width = Math.max(300, options.widthPx ?? 1000);
  const procs: ProcessId[] = [];
  const row = new Map<ProcessId, number>();
  for (const op of history) {
    if (!row.has(op.process)) {
      row.set(op.process, procs.length);
      procs.push(op.process);
    }
  }
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const op of history) {
    t0 = Math.min(t0, op.callMs);
    t1 = Math.max(t1, Number.isFinite(op.returnMs) ? op.returnMs : op.callMs);
  }
  if (!Number.isFinite(t0)) {
    t0 = 0;
    t1 = 1;
  }
  const span = Math.max(t1 - t0, 1e-9);
  const plotW = width - LEFT_PX - 20;
  const x = (t: number) => LEFT_PX + ((t - t0) / span) * plotW;

  // Labels from the result.
  const label = new Map<number, string>();
  const failing = new Set<number>();
  const result = options.result;
  if (result !== undefined) {
    const multi = result.partitions.length > 1;
    for (const p of result.partitions) {
      p.linearization.forEach((id, i) => {
        label.set(id, multi ? `${String(p.key)}:${i + 1}` : String(i + 1));
      });
      if (p.failure !== undefined) failing.add(p.failure.operation.id);
    }
  }
  const height = TOP_PX + procs.length * ROW_PX + 30;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  if (options.title !== undefined)
    parts.push(`<text x="8" y="16" font-size="13" font-weight="bold">${esc(options.title)}</text>`);
  if (result !== undefined) {
    const color =
      result.verdict === "linearizable" ? "#1a7f37" : result.verdict === "unknown" ? "#9a6700" : "#cf222e";
    parts.push(
      `<text x="${width - 10}" y="16" text-anchor="end" fill="${color}">${esc(result.verdict)}</text>`,
    );
  }
  procs.forEach((p, i) => {
    const y = TOP_PX + i * ROW_PX;
    parts.push(`<text x="8" y="${y + 20}">process ${esc(String(p))}</text>`);
    parts.push(
      `<line x1="${LEFT_PX}" y1="${y + ROW_PX - 2}" x2="${width - 10}" y2="${y + ROW_PX - 2}" stroke="#eee"/>`,
    );
  });
  const describe = (op: Operation<I, O>) => describeOperation(op, options.model);
  for (const op of history) {
    const y = TOP_PX + row.get(op.process)! * ROW_PX + 6;
    const xa = x(op.callMs);
    const unknown = !Number.isFinite(op.returnMs);
    const xb = unknown ? width - 10 : Math.max(x(op.returnMs), xa + 3);
    const isFailing = failing.has(op.id);
    const fill = isFailing ? "#ffd7d5" : op.status === "fail" ? "#eaeef2" : unknown ? "#fff8c5" : "#ddf4ff";
    const stroke = isFailing ? "#cf222e" : op.status === "fail" ? "#8c959f" : unknown ? "#9a6700" : "#0969da";
    const dash = unknown ? ` stroke-dasharray="4 3"` : "";
    const n = label.get(op.id);
    const text = `${n !== undefined ? `${n}. ` : ""}${shortLabel(op)}`;
    parts.push(
      `<g><title>${esc(describe(op))}${isFailing ? " (cannot be linearized)" : ""}</title>` +
        `<rect x="${xa.toFixed(1)}" y="${y}" width="${(xb - xa).toFixed(1)}" height="20" rx="3" fill="${fill}" stroke="${stroke}"${dash}${isFailing ? ` stroke-width="2"` : ""}/>` +
        `<text x="${(xa + 3).toFixed(1)}" y="${y + 14}">${esc(text)}</text></g>`,
    );
  }
  parts.push(
    `<text x="${LEFT_PX}" y="${height - 8}" fill="#57606a">${esc(`${t0} ms`)}</text>` +
      `<text x="${width - 10}" y="${height - 8}" text-anchor="end" fill="#57606a">${esc(`${t1} ms`)}</text>`,
  );
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * A standalone HTML page with the SVG of {@link renderHistorySvg}, the verdict's explanation and a
 * legend.
 *
 * @example
 * ```ts
 * import { HistoryRecorder, renderHistoryHtml } from "@distkit/check";
 * const h = new HistoryRecorder();
 * h.ok(h.invoke(0, "write", 1, 0), undefined, 10);
 * const html = renderHistoryHtml(h.history(), { title: "one write" });
 * ```
 */
export function renderHistoryHtml<S, I, O>(
  history: History<I, O>,
  options: RenderOptions<S, I, O> = {},
): string {
  const title = options.title ?? "History";
  const explanation = options.result?.explanation;
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${esc(title)}</title>`,
    "<style>body{font-family:sans-serif;margin:16px}p{max-width:70em}.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid}</style>",
    "</head><body>",
    `<h1>${esc(title)}</h1>`,
    explanation !== undefined ? `<p>${esc(explanation)}</p>` : "",
    renderHistorySvg(history, options),
    `<p class="legend"><span style="background:#ddf4ff;border-color:#0969da">ok</span><span style="background:#eaeef2;border-color:#8c959f">fail</span><span style="background:#fff8c5;border-color:#9a6700;border-style:dashed">info (unknown)</span><span style="background:#ffd7d5;border-color:#cf222e">cannot be linearized</span> Numbers: position in the linearization (or in the longest linearizable prefix).</p>`,
    "</body></html>",
  ].join("\n");
}
