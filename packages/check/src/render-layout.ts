import { operationText } from "./describe.js";
import type { History, Operation, ProcessId } from "./history.js";
import { formatValue } from "./history.js";
import type { LinearizabilityResult } from "./linearizability.js";
import type { Model } from "./model.js";

/**
 * Geometry of a history picture, computed before any SVG is written, so that tests can check what a
 * reader will see: that no two texts overlap, that every label fits inside its bar, and that every
 * number is printed with the chosen precision. Internal.
 * @internal
 */

/** Font size of all picture text, in px. @internal */
export const FONT_PX = 11;
/**
 * The advance of one character of the picture's monospace font at {@link FONT_PX} (DejaVu Sans
 * Mono, Menlo and Consolas are 0.6 em; a little slack on top), used to size every text box.
 * @internal
 */
export const CHAR_PX = 6.8;
/** The monospace font stack used for every text of the picture. @internal */
export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

const LANE_PX = 22;
const BAR_PX = 16;
const ROW_PAD_PX = 3;
const PAD_PX = 3;
const AXIS_PX = 30;
const TITLE_PX = 26;
const LEGEND_PX = 30;
const RIGHT_PX = 16;
/** The 20th percentile of operation durations gets at least this width, so bars do not smear. */
const MIN_BAR_PX = 34;
const MAX_PLOT_PX = 40_000;
const TICK_SPACING_PX = 90;
const MAX_LABEL_CHARS = 40;

/** An axis-aligned text or bar box, in px. @internal */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** How a bar is drawn. @internal */
export type BarKind = "ok" | "fail" | "info" | "failing";

/** One operation's bar. @internal */
export interface BarLayout<I, O> {
  readonly op: Operation<I, O>;
  readonly box: Box;
  readonly kind: BarKind;
  /** Part of the set of operations that conflict with a failing one. */
  readonly conflict: boolean;
  /** Unknown outcome: the bar runs on to the process's next operation or the end (dashed). */
  readonly open: boolean;
  /** The label drawn inside the bar (possibly shortened), or undefined when none fits. */
  readonly label: { readonly text: string; readonly box: Box } | undefined;
  /** The whole description, shown on hover. */
  readonly tooltip: string;
}

/** One process's row. @internal */
export interface RowLayout {
  readonly process: ProcessId;
  readonly y: number;
  readonly height: number;
  readonly label: { readonly text: string; readonly box: Box };
}

/** One tick of the time axis. @internal */
export interface TickLayout {
  readonly x: number;
  readonly label: { readonly text: string; readonly box: Box };
}

/** One entry of the legend: a swatch (or none) and its text. @internal */
export interface LegendItem {
  readonly swatch: { readonly kind: BarKind | "conflict"; readonly box: Box } | undefined;
  readonly text: string;
  readonly box: Box;
}

/** The legend's entries, in reading order. @internal */
export const LEGEND: readonly { kind: BarKind | "conflict" | undefined; text: string }[] = [
  { kind: "ok", text: "ok" },
  { kind: "fail", text: "fail (did not happen)" },
  { kind: "info", text: "unknown outcome" },
  { kind: "failing", text: "cannot be linearized" },
  { kind: "conflict", text: "conflicts with it" },
  { kind: undefined, text: "n: order in the linearization; (n): took no effect" },
];

/** The whole picture. @internal */
export interface HistoryLayout<I, O> {
  readonly width: number;
  readonly height: number;
  /** Width of the left column with the process names. */
  readonly gutterWidth: number;
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly plotTop: number;
  readonly plotBottom: number;
  readonly titleY: number | undefined;
  readonly legend: readonly LegendItem[];
  readonly rows: readonly RowLayout[];
  readonly bars: readonly BarLayout<I, O>[];
  readonly ticks: readonly TickLayout[];
  /** The unit of the axis and of every time printed. */
  readonly unit: "µs" | "ms" | "s";
  /** Decimals of the axis labels. */
  readonly axisDecimals: number;
  /** Decimals of times in tooltips and explanations (one more than the axis). */
  readonly detailDecimals: number;
  /** The history's first invocation, in ms: times are printed relative to it. */
  readonly t0Ms: number;
  /** Formats a time (ms, absolute) relative to the start, in the unit, with `decimals`. */
  readonly formatTime: (tMs: number, decimals: number) => string;
}

/** Options of {@link layoutHistory}. @internal */
export interface LayoutOptions<S, I, O> {
  readonly result?: LinearizabilityResult<I, O> | undefined;
  readonly model?: Model<S, I, O> | undefined;
  readonly widthPx?: number | undefined;
  /** Leave room for a title line at the top. */
  readonly title?: boolean;
  /** Leave room for a legend line at the bottom. */
  readonly legend?: boolean;
}

/** A step of 1, 2 or 5 times a power of ten, at least `raw`. @internal */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const k = Math.floor(Math.log10(raw));
  const base = 10 ** k;
  const f = raw / base;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * base;
}

/** The decimals a multiple of `step` needs. @internal */
export function decimalsFor(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** `f input→output`, the bar's text before shortening. @internal */
export function shortLabel(op: Operation<unknown, unknown>): string {
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
  return `${op.f}${input}${output}`;
}

const textWidth = (text: string): number => [...text].length * CHAR_PX;

/** Fits `position` + `text` into `availPx`: whole, cut with an ellipsis, the position, or nothing. */
function fitLabel(position: string | undefined, text: string, availPx: number): string | undefined {
  const chars = Math.floor(availPx / CHAR_PX);
  const full = position === undefined ? text : `${position} ${text}`;
  const glyphs = [...full];
  if (glyphs.length <= Math.min(chars, MAX_LABEL_CHARS)) return full;
  const cut = Math.min(chars, MAX_LABEL_CHARS);
  if (cut >= 6) return `${glyphs.slice(0, cut - 1).join("")}…`;
  if (position !== undefined && [...position].length <= chars) return position;
  const f = [...text][0];
  return chars >= 1 && f !== undefined ? f : undefined;
}

/**
 * Lays out a history: a row per process (more lanes when a process's operations overlap), bars on a
 * time axis relative to the first invocation, with a scale wide enough that short operations stay
 * readable (the picture then scrolls), ticks at 1-2-5 steps, and labels that fit their bars.
 * @internal
 */
export function layoutHistory<S, I, O>(
  history: History<I, O>,
  options: LayoutOptions<S, I, O> = {},
): HistoryLayout<I, O> {
  const procs: ProcessId[] = [];
  const byProcess = new Map<ProcessId, Operation<I, O>[]>();
  for (const op of history) {
    let list = byProcess.get(op.process);
    if (list === undefined) {
      byProcess.set(op.process, (list = []));
      procs.push(op.process);
    }
    list.push(op);
  }
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  const durations: number[] = [];
  for (const op of history) {
    t0 = Math.min(t0, op.callMs);
    t1 = Math.max(t1, Number.isFinite(op.returnMs) ? op.returnMs : op.callMs);
    if (Number.isFinite(op.returnMs)) durations.push(op.returnMs - op.callMs);
  }
  if (!Number.isFinite(t0)) {
    t0 = 0;
    t1 = 1;
  }
  const spanMs = t1 - t0 > 0 ? t1 - t0 : 1;
  const unit: "µs" | "ms" | "s" = spanMs >= 10_000 ? "s" : spanMs < 1 ? "µs" : "ms";
  const factor = unit === "s" ? 1e-3 : unit === "µs" ? 1e3 : 1;
  const formatTime = (tMs: number, decimals: number): string => {
    const s = ((tMs - t0) * factor).toFixed(decimals);
    return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
  };

  const gutterChars = Math.max(15, ...procs.map((p) => [...`process ${String(p)}`].length));
  const gutterWidth = Math.ceil(Math.min(gutterChars, 28) * CHAR_PX + 16);
  const plotLeft = gutterWidth;
  const basePlot = Math.max(200, (options.widthPx ?? 1000) - gutterWidth - RIGHT_PX);
  durations.sort((a, b) => a - b);
  const p20 = durations.length > 0 ? durations[Math.floor(durations.length * 0.2)]! : spanMs;
  const pxPerMs = Math.max(basePlot / spanMs, p20 > 0 ? MIN_BAR_PX / p20 : 0);
  const plotWidth = Math.min(MAX_PLOT_PX, Math.max(basePlot, spanMs * pxPerMs));
  const plotRight = plotLeft + plotWidth;
  const x = (t: number): number => plotLeft + ((t - t0) / spanMs) * plotWidth;

  // The result: positions in the linearization, the failing operations, their conflicts.
  const position = new Map<number, string>();
  const failing = new Set<number>();
  const conflict = new Set<number>();
  const result = options.result;
  if (result !== undefined) {
    const multi = result.partitions.length > 1;
    for (const p of result.partitions) {
      const key = String(p.key);
      const shortKey = [...key].length > 6 ? `${[...key].slice(0, 5).join("")}…` : key;
      p.linearization.forEach((id, i) => {
        const n = multi ? `${shortKey}:${i + 1}` : String(i + 1);
        position.set(id, p.tookEffect[i] === false ? `(${n})` : n);
      });
      if (p.failure !== undefined) {
        failing.add(p.failure.operation.id);
        for (const o of p.failure.conflict ?? []) conflict.add(o.id);
      }
    }
  }
  // Axis ticks.
  const spanUnits = spanMs * factor;
  const target = Math.max(2, Math.floor(plotWidth / TICK_SPACING_PX));
  const step = niceStep(spanUnits / target);
  const axisDecimals = decimalsFor(step);
  const detail = Math.min(6, axisDecimals + 1);

  const titleY = options.title === true ? 18 : undefined;
  const plotTop = (options.title === true ? TITLE_PX : 4) + AXIS_PX;
  const rows: RowLayout[] = [];
  const bars: BarLayout<I, O>[] = [];
  let y = plotTop;
  for (const p of procs) {
    const ops = byProcess
      .get(p)!
      .slice()
      .sort((a, b) => a.callMs - b.callMs || a.id - b.id);
    const laneEnd: number[] = [];
    const placed: { op: Operation<I, O>; xa: number; xb: number; lane: number; open: boolean }[] = [];
    ops.forEach((op, i) => {
      const open = !Number.isFinite(op.returnMs);
      const xa = x(op.callMs);
      let xb: number;
      if (open) {
        const next = ops[i + 1];
        xb = next !== undefined ? Math.max(xa + 3, x(next.callMs) - 2) : plotRight;
      } else {
        xb = Math.max(x(op.returnMs), xa + 3);
      }
      let lane = laneEnd.findIndex((end) => end + 1 <= xa);
      if (lane < 0) {
        lane = laneEnd.length;
        laneEnd.push(xb);
      } else {
        laneEnd[lane] = xb;
      }
      placed.push({ op, xa, xb, lane, open });
    });
    const lanes = Math.max(1, laneEnd.length);
    const height = lanes * LANE_PX + 2 * ROW_PAD_PX;
    const name = `process ${String(p)}`;
    const shown = [...name].length > 28 ? `${[...name].slice(0, 27).join("")}…` : name;
    rows.push({
      process: p,
      y,
      height,
      label: {
        text: shown,
        box: { x: 8, y: y + (height - FONT_PX) / 2, width: textWidth(shown), height: FONT_PX },
      },
    });
    for (const { op, xa, xb, lane, open } of placed) {
      const box = {
        x: xa,
        y: y + ROW_PAD_PX + lane * LANE_PX + (LANE_PX - BAR_PX) / 2,
        width: xb - xa,
        height: BAR_PX,
      };
      const kind: BarKind = failing.has(op.id) ? "failing" : op.status;
      const pos = position.get(op.id);
      const text = fitLabel(pos, shortLabel(op as Operation<unknown, unknown>), box.width - 2 * PAD_PX);
      const label =
        text === undefined
          ? undefined
          : {
              text,
              box: {
                x: box.x + PAD_PX,
                y: box.y + (BAR_PX - FONT_PX) / 2,
                width: textWidth(text),
                height: FONT_PX,
              },
            };
      const when = open
        ? `from ${formatTime(op.callMs, detail)} ${unit}, never returned (may take effect at any later time, or never)`
        : `${formatTime(op.callMs, detail)} to ${formatTime(op.returnMs, detail)} ${unit}`;
      const role = failing.has(op.id)
        ? "; cannot be linearized"
        : conflict.has(op.id)
          ? "; conflicts with the operation that cannot be linearized"
          : "";
      const lin =
        pos === undefined
          ? ""
          : pos.startsWith("(")
            ? `; at ${pos.slice(1, -1)} in the linearization, took no effect`
            : `; linearized as ${pos}`;
      bars.push({
        op,
        box,
        kind,
        conflict: conflict.has(op.id),
        open,
        label,
        tooltip: `op ${op.id}, process ${String(op.process)}: ${operationText(op, options.model)}; ${when}${lin}${role}`,
      });
    }
    y += height;
  }
  const plotBottom = y;

  const ticks: TickLayout[] = [];
  for (let i = 0; i <= 10_000; i++) {
    const v = i * step;
    if (v > spanUnits + step * 1e-9) break;
    const tx = plotLeft + (v / spanUnits) * plotWidth;
    const text = v.toFixed(axisDecimals);
    const w = textWidth(text);
    const lx = Math.min(Math.max(tx - w / 2, plotLeft), plotRight - w);
    ticks.push({
      x: tx,
      label: { text, box: { x: lx, y: plotTop - 10 - FONT_PX, width: w, height: FONT_PX } },
    });
  }
  const width = Math.ceil(plotRight + RIGHT_PX);
  const legend: LegendItem[] = [];
  let height = plotBottom + 8;
  if (options.legend === true) {
    // One line, wrapped at the picture's width (or at 1000 px, so it stays in the first screen).
    const wrapAt = Math.min(width, Math.max(1000, gutterWidth + 300)) - 8;
    let lx = 8;
    let ly = plotBottom + 12;
    for (const item of LEGEND) {
      const sw = item.kind === undefined ? 0 : 20;
      const w = sw + textWidth(item.text) + 18;
      if (lx + w > wrapAt && lx > 8) {
        lx = 8;
        ly += LEGEND_PX - 8;
      }
      legend.push({
        swatch:
          item.kind === undefined
            ? undefined
            : { kind: item.kind, box: { x: lx, y: ly, width: 14, height: 12 } },
        text: item.text,
        box: { x: lx + sw, y: ly + 0.5, width: textWidth(item.text), height: FONT_PX },
      });
      lx += w;
    }
    height = ly + LEGEND_PX - 6;
  }
  return {
    width,
    height: Math.ceil(height),
    gutterWidth,
    plotLeft,
    plotRight,
    plotTop,
    plotBottom,
    titleY,
    legend,
    rows,
    bars,
    ticks,
    unit,
    axisDecimals,
    detailDecimals: detail,
    t0Ms: t0,
    formatTime,
  };
}
