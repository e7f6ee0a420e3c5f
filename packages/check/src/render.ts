import { operationText } from "./describe.js";
import type { History, Operation } from "./history.js";
import type { LinearizabilityFailure, LinearizabilityResult } from "./linearizability.js";
import type { Model } from "./model.js";
import { type BarKind, FONT_FAMILY, FONT_PX, type HistoryLayout, layoutHistory } from "./render-layout.js";

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
  /**
   * The least drawing width in pixels (default 1000). The picture grows wider when short
   * operations would otherwise be too thin to read (the HTML page then scrolls sideways).
   */
  readonly widthPx?: number;
  /** A title. */
  readonly title?: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n1 = (v: number): string => (Math.round(v * 10) / 10).toString();

const COLORS: Record<BarKind | "conflict", { fill: string; stroke: string }> = {
  ok: { fill: "#ddf4ff", stroke: "#0969da" },
  fail: { fill: "#eaeef2", stroke: "#8c959f" },
  info: { fill: "#fff8c5", stroke: "#9a6700" },
  failing: { fill: "#ffd7d5", stroke: "#cf222e" },
  conflict: { fill: "#fff1e5", stroke: "#bc4c00" },
};

function verdictColor(result: LinearizabilityResult<unknown, unknown>): string {
  return result.verdict === "linearizable" ? "#1a7f37" : result.verdict === "unknown" ? "#9a6700" : "#cf222e";
}

type Part = "whole" | "gutter" | "plot";

/** Writes the SVG of a layout: the whole picture, or only its process column, or only its plot. */
function svgOf<I, O>(
  layout: HistoryLayout<I, O>,
  part: Part,
  title: string | undefined,
  result: LinearizabilityResult<I, O> | undefined,
): string {
  const x0 = part === "plot" ? layout.gutterWidth : 0;
  const w = part === "gutter" ? layout.gutterWidth : layout.width - x0;
  const h = layout.height;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${x0} 0 ${w} ${h}" font-family="${esc(FONT_FAMILY)}" font-size="${FONT_PX}">`,
  );
  out.push(`<rect x="${x0}" y="0" width="${w}" height="${h}" fill="#fff"/>`);
  // Row bands, alternating, across the plot (and the gutter).
  layout.rows.forEach((r, i) => {
    if (i % 2 === 1) {
      out.push(`<rect x="${x0}" y="${n1(r.y)}" width="${w}" height="${n1(r.height)}" fill="#f6f8fa"/>`);
    }
  });
  if (part !== "plot") {
    if (layout.titleY !== undefined && title !== undefined) {
      const verdict = result === undefined ? "" : ` — ${result.verdict}`;
      out.push(
        `<text x="8" y="${layout.titleY}" font-size="13" font-weight="bold">${esc(title)}<tspan fill="${result === undefined ? "#000" : verdictColor(result)}">${esc(verdict)}</tspan></text>`,
      );
    }
    out.push(
      `<text class="axis-title" x="8" y="${n1(layout.plotTop - 10)}" fill="#57606a">${esc(`${layout.unit} since start`)}</text>`,
    );
    for (const r of layout.rows) {
      const b = r.label.box;
      out.push(
        `<text class="process-label" x="${n1(b.x)}" y="${n1(b.y + b.height - 2)}">${esc(r.label.text)}</text>`,
      );
    }
  }
  if (part !== "gutter") {
    // Axis: a line, ticks with labels above, light grid lines through the rows.
    out.push(
      `<line x1="${n1(layout.plotLeft)}" y1="${n1(layout.plotTop)}" x2="${n1(layout.plotRight)}" y2="${n1(layout.plotTop)}" stroke="#57606a"/>`,
    );
    for (const t of layout.ticks) {
      out.push(
        `<line x1="${n1(t.x)}" y1="${n1(layout.plotTop - 5)}" x2="${n1(t.x)}" y2="${n1(layout.plotTop)}" stroke="#57606a"/>` +
          `<line x1="${n1(t.x)}" y1="${n1(layout.plotTop)}" x2="${n1(t.x)}" y2="${n1(layout.plotBottom)}" stroke="#d8dee4" stroke-dasharray="2 3"/>` +
          `<text class="tick-label" x="${n1(t.label.box.x)}" y="${n1(t.label.box.y + t.label.box.height - 2)}" fill="#57606a">${esc(t.label.text)}</text>`,
      );
    }
    for (const b of layout.bars) {
      const c = COLORS[b.kind];
      const stroke = b.conflict ? COLORS.conflict.stroke : c.stroke;
      const fill = b.conflict ? COLORS.conflict.fill : c.fill;
      const width = b.kind === "failing" || b.conflict ? ` stroke-width="2"` : "";
      const dash = b.open ? ` stroke-dasharray="4 3"` : "";
      const label =
        b.label === undefined
          ? ""
          : `<text class="op-label" x="${n1(b.label.box.x)}" y="${n1(b.label.box.y + b.label.box.height - 2)}">${esc(b.label.text)}</text>`;
      out.push(
        `<g><title>${esc(b.tooltip)}</title>` +
          `<rect x="${n1(b.box.x)}" y="${n1(b.box.y)}" width="${n1(b.box.width)}" height="${b.box.height}" rx="3" fill="${fill}" stroke="${stroke}"${width}${dash}/>` +
          `${label}</g>`,
      );
    }
  }
  if (part === "whole") {
    for (const item of layout.legend) {
      if (item.swatch !== undefined) {
        const k = item.swatch.kind;
        const c = COLORS[k];
        const s = item.swatch.box;
        const extra =
          k === "failing" || k === "conflict"
            ? ` stroke-width="2"`
            : k === "info"
              ? ` stroke-dasharray="4 3"`
              : "";
        out.push(
          `<rect x="${n1(s.x)}" y="${n1(s.y)}" width="${s.width}" height="${s.height}" rx="2" fill="${c.fill}" stroke="${c.stroke}"${extra}/>`,
        );
      }
      out.push(
        `<text class="legend-label" x="${n1(item.box.x)}" y="${n1(item.box.y + item.box.height - 2)}" fill="#1f2328">${esc(item.text)}</text>`,
      );
    }
  }
  out.push("</svg>");
  return out.join("\n");
}

/**
 * Draws a history as an SVG: one row per process, each operation a bar from its invocation to its
 * completion on a time axis relative to the first invocation (ticks at 1-2-5 steps; times rounded
 * to a precision that fits the span). An operation whose outcome is unknown runs on, dashed, to its
 * process's next operation or the end. With a linearizability result: each bar shows its position
 * in the linearization found (per partition, `key:n` when partitioned; `(n)` when it took no
 * effect), and when the check failed, the operation that cannot be linearized is red and the few
 * operations that conflict with it are orange. Labels never overlap and never leave their bar: a bar
 * too short for its label shows a shortened one, and hovering any bar shows its whole description.
 * The picture is wider than `widthPx` when short operations need the room.
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
  const layout = layoutHistory(history, {
    result: options.result,
    model: options.model,
    widthPx: options.widthPx,
    title: options.title !== undefined || options.result !== undefined,
    legend: true,
  });
  return svgOf(
    layout,
    "whole",
    options.title ?? (options.result !== undefined ? "History" : undefined),
    options.result,
  );
}

/** `op 7 · process 2 · read() -> 0 · 3.2 to 4.5 ms`, times relative to the picture's start. */
function describeRelative<S, I, O>(
  op: Operation<I, O>,
  layout: HistoryLayout<I, O>,
  model: Model<S, I, O> | undefined,
): string {
  const d = layout.detailDecimals;
  const when = Number.isFinite(op.returnMs)
    ? `${layout.formatTime(op.callMs, d)} to ${layout.formatTime(op.returnMs, d)} ${layout.unit}`
    : `from ${layout.formatTime(op.callMs, d)} ${layout.unit}, never returned`;
  return `op ${op.id} · process ${String(op.process)} · ${operationText(op, model)} · ${when}`;
}

function failureHtml<S, I, O>(
  f: LinearizabilityFailure<I, O>,
  layout: HistoryLayout<I, O>,
  model: Model<S, I, O> | undefined,
): string {
  const li = (op: Operation<I, O>) => `<li>${esc(describeRelative(op, layout, model))}</li>`;
  const part = f.partition === undefined ? "" : ` (partition ${esc(JSON.stringify(f.partition))})`;
  const out: string[] = [];
  out.push(`<section class="failure"><h2>Why it is not linearizable${part}</h2>`);
  out.push(`<p>This operation cannot be linearized:</p><ul class="failing">${li(f.operation)}</ul>`);
  if (f.conflict === undefined) {
    out.push(
      "<p>No small set of operations conflicting with it was found within the conflict search's budget (<code>conflictSteps</code>); the longest linearizable prefix below shows where the search got stuck.</p>",
    );
  } else if (f.conflict.length === 0) {
    out.push(
      "<p>It is impossible on its own: even if every other operation may or may not have taken effect, at any time after its invocation, no order makes it legal.</p>",
    );
  } else {
    out.push(
      `<p>It conflicts with ${f.conflict.length === 1 ? "this operation" : `these ${f.conflict.length} operations`} (orange in the picture):</p>`,
      `<ul class="conflict">${f.conflict.map(li).join("")}</ul>`,
      `<p>With just ${f.conflict.length === 1 ? "it" : "them"}, the failing operation cannot be linearized, while without it they can, and with them taken as unknown it can: ${
        f.conflictMinimal
          ? "each one is needed for that (a minimal set)."
          : "a smaller such set may exist (the conflict search ran out of steps)."
      }</p>`,
    );
  }
  out.push(
    `<p>After the longest linearizable prefix the state is <code>${esc(f.stateAfterPrefix)}</code>.</p>`,
    `<details><summary>The longest linearizable prefix (${f.longestPrefix.length} operations, in linearization order)</summary><ol>${f.longestPrefix.map(li).join("")}</ol></details>`,
    `<details><summary>The operations that could go next there (${f.candidates.length})</summary><ul>${f.candidates
      .map(
        (c) =>
          `<li>${esc(describeRelative(c.operation, layout, model))}: ${c.possible ? "possible, but nothing after it works" : "impossible"}</li>`,
      )
      .join("")}</ul></details>`,
    "</section>",
  );
  return out.join("\n");
}

const MAX_FAILURES_SHOWN = 5;

/**
 * A standalone HTML page: the verdict, for a failed check the operation that cannot be linearized
 * and the few operations that conflict with it (the whole longest linearizable prefix and the
 * candidates folded in `<details>`), then the picture of {@link renderHistorySvg} in a box that
 * scrolls (the process names stay in view), and a legend.
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
  const result = options.result;
  const layout = layoutHistory(history, {
    result,
    model: options.model,
    widthPx: options.widthPx,
    title: false,
    legend: false,
  });
  const processes = layout.rows.length;
  const spanText =
    history.length === 0
      ? ""
      : `, spanning ${layout.formatTime(
          Math.max(...history.map((o) => (Number.isFinite(o.returnMs) ? o.returnMs : o.callMs))),
          layout.detailDecimals,
        )} ${layout.unit}`;
  const summary = `${history.length} operations of ${processes} processes${spanText}.`;
  const parts: string[] = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${esc(title)}</title>`,
    "<style>",
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;color:#1f2328}",
    "h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:14px 0 6px}p{max-width:75em;margin:6px 0}",
    ".verdict{font-weight:bold}.failure{border-left:4px solid #cf222e;padding:2px 12px;margin:10px 0}",
    `ul,ol{margin:4px 0;padding-left:24px}li{font-family:${FONT_FAMILY};font-size:13px;margin:2px 0}`,
    "ul.failing li{color:#cf222e;font-weight:bold}ul.conflict li{color:#953800}",
    "details{margin:6px 0}summary{cursor:pointer}",
    ".chart{display:flex;align-items:flex-start;overflow:auto;max-height:78vh;border:1px solid #d0d7de;margin:10px 0;width:fit-content;max-width:100%}",
    ".gutter{position:sticky;left:0;z-index:1;background:#fff;border-right:1px solid #d0d7de;line-height:0}",
    ".plot{line-height:0}",
    ".legend span{display:inline-block;padding:1px 8px;margin:2px 8px 2px 0;border:1px solid;border-radius:3px;font-size:13px}",
    "</style>",
    "</head><body>",
    `<h1>${esc(title)}</h1>`,
  ];
  if (result !== undefined) {
    parts.push(
      `<p><span class="verdict" style="color:${verdictColor(result)}">${esc(result.verdict)}</span>: ${esc(summary)}</p>`,
    );
    if (result.verdict === "not-linearizable") {
      for (const f of result.failures.slice(0, MAX_FAILURES_SHOWN))
        parts.push(failureHtml(f, layout, options.model));
      if (result.failures.length > MAX_FAILURES_SHOWN) {
        parts.push(`<p>And ${result.failures.length - MAX_FAILURES_SHOWN} more failing partitions.</p>`);
      }
    } else {
      parts.push(`<p>${esc(result.explanation)}</p>`);
    }
    parts.push(
      `<details><summary>The checker's explanation, as text</summary><p>${esc(result.explanation)}</p></details>`,
    );
  } else {
    parts.push(`<p>${esc(summary)}</p>`);
  }
  parts.push(
    `<p class="legend"><span style="background:${COLORS.ok.fill};border-color:${COLORS.ok.stroke}">ok</span><span style="background:${COLORS.fail.fill};border-color:${COLORS.fail.stroke}">fail (did not happen)</span><span style="background:${COLORS.info.fill};border-color:${COLORS.info.stroke};border-style:dashed">unknown outcome</span><span style="background:${COLORS.failing.fill};border-color:${COLORS.failing.stroke};border-width:2px">cannot be linearized</span><span style="background:${COLORS.conflict.fill};border-color:${COLORS.conflict.stroke};border-width:2px">conflicts with it</span> <b>n</b>: order in the linearization; <b>(n)</b>: in it, but took no effect. Times in ${esc(layout.unit)} since the first invocation. Hover a bar for its whole description; scroll the picture sideways.</p>`,
    `<div class="chart"><div class="gutter">${svgOf(layout, "gutter", undefined, result)}</div><div class="plot">${svgOf(layout, "plot", undefined, result)}</div></div>`,
    "</body></html>",
  );
  return parts.join("\n");
}
