/**
 * SVG space-time diagrams of a trace: one vertical lane per node, time flowing down.
 *
 * @module
 */
import type { Message, NodeId } from "./contract.js";
import { SimNetError } from "./errors.js";
import type { TraceEvent } from "./trace-event.js";

/**
 * Options of {@link Trace.toSVG}.
 *
 * @example
 * ```ts
 * const svg = sim.trace.toSVG({ fromMs: 0, toMs: 500, maxMessages: 300 });
 * ```
 */
export interface SvgOptions {
  /** Start of the time window (true ms); default 0. */
  readonly fromMs?: number;
  /** End of the time window (true ms); default the current time (or the last event, if later). */
  readonly toMs?: number;
  /** At most this many message arrows (the earliest in the window); default 500. */
  readonly maxMessages?: number;
  /** Horizontal distance between lanes, px; default 140. */
  readonly laneWidthPx?: number;
  /** Height of the time axis, px; default grows with the number of arrows (400 to 12,000). */
  readonly heightPx?: number;
  /** Maximum characters of payload JSON in hover titles; default 200. */
  readonly maxTitleChars?: number;
  /** Whether to mark timer firings with small dots; default false. */
  readonly showTimers?: boolean;
  /** Diagram title; default "sim-net trace". */
  readonly title?: string;
  /** The lanes to draw, in this order (default every node, in the order added); messages between
   * other nodes are left out. */
  readonly nodes?: readonly NodeId[];
}

/**
 * Escapes text for XML content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml('<a href="x">&</a>'); // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 * ```
 */
export function escapeXml(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&apos;";
    // Control characters other than tab/newline/CR are not allowed in XML 1.0.
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) out += " ";
    else if (c >= 0xd800 && c <= 0xdfff) {
      // Keep valid surrogate pairs, replace lone surrogates.
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += ch + (text[i + 1] as string);
        i++;
      } else out += "\ufffd";
    } else out += ch;
  }
  return out;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function payload(message: Message | undefined, max: number): string {
  if (message === undefined) return "";
  let json: string;
  try {
    json = JSON.stringify(message) ?? "";
  } catch {
    json = String(message);
  }
  return truncate(json, max);
}

function fmtMs(ms: number): string {
  return `${Number(ms.toFixed(3))} ms`;
}

function niceStep(span: number, targetTicks: number): number {
  const raw = span / Math.max(1, targetTicks);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

interface Arrow {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly sentAtMs: number;
  readonly atMs: number;
  readonly msgId: number;
  readonly dropped: string | null;
}

/**
 * Renders recorded trace events as an SVG document.
 * @internal
 */
export function renderSvg(
  events: readonly TraceEvent[],
  allNodeIds: readonly NodeId[],
  nowMs: number,
  options: SvgOptions,
): string {
  let nodeIds = allNodeIds;
  const lastEventMs = events.length > 0 ? (events[events.length - 1] as TraceEvent).atMs : 0;
  const fromMs = options.fromMs ?? 0;
  const toMs = options.toMs ?? Math.max(nowMs, lastEventMs);
  const maxMessages = options.maxMessages ?? 500;
  const maxTitle = options.maxTitleChars ?? 200;
  const laneWidth = options.laneWidthPx ?? 140;
  for (const [name, v] of [
    ["fromMs", fromMs],
    ["toMs", toMs],
    ["maxMessages", maxMessages],
    ["maxTitleChars", maxTitle],
    ["laneWidthPx", laneWidth],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new SimNetError(
        "invalid-argument",
        `toSVG option ${name} must be a finite number >= 0, got ${String(v)}`,
      );
    }
  }
  if (toMs < fromMs) {
    throw new SimNetError("invalid-argument", `toSVG window is empty: toMs (${toMs}) < fromMs (${fromMs})`);
  }
  const inWindow = (t: number): boolean => t >= fromMs && t <= toMs;
  if (options.nodes !== undefined) {
    const known = new Set(nodeIds);
    for (const id of options.nodes) {
      if (!known.has(id)) {
        throw new SimNetError(
          "unknown-node",
          `toSVG option nodes: ${JSON.stringify(id)} is not a node of this simulation`,
        );
      }
    }
    nodeIds = options.nodes;
  }
  const shown = new Set(nodeIds);

  // Join sends with deliveries and drops.
  const sends = new Map<number, Message>();
  const arrows: Arrow[] = [];
  let omitted = 0;
  for (const e of events) {
    if (e.kind === "send") {
      if (e.atMs <= toMs) sends.set(e.msgId, e.message);
    } else if (e.kind === "deliver" || e.kind === "drop") {
      if (e.atMs < fromMs || e.sentAtMs > toMs || !shown.has(e.from) || !shown.has(e.to)) continue;
      if (arrows.length >= maxMessages) {
        omitted++;
        continue;
      }
      arrows.push({
        from: e.from,
        to: e.to,
        sentAtMs: e.sentAtMs,
        atMs: e.atMs,
        msgId: e.msgId,
        dropped: e.kind === "drop" ? e.reason : null,
      });
    }
  }

  const top = 70;
  const left = 90;
  const bottomPad = 40;
  const span = Math.max(toMs - fromMs, 1e-9);
  const height = options.heightPx ?? Math.min(12_000, Math.max(400, arrows.length * 14));
  const width = Math.max(left + Math.max(1, nodeIds.length) * laneWidth + 20, 560);
  const totalHeight = top + height + bottomPad;
  const y = (t: number): number => top + ((Math.min(Math.max(t, fromMs), toMs) - fromMs) / span) * height;
  const laneIndex = new Map<NodeId, number>();
  nodeIds.forEach((id, i) => {
    laneIndex.set(id, i);
  });
  const x = (id: NodeId): number => left + ((laneIndex.get(id) ?? 0) + 0.5) * laneWidth;
  const r = (n: number): string => String(Math.round(n * 10) / 10);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(totalHeight)}" viewBox="0 0 ${r(width)} ${r(totalHeight)}" font-family="sans-serif" font-size="11">`,
  );
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e9c"/></marker></defs>',
  );
  out.push('<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>');
  out.push(
    `<g class="legend" transform="translate(${r(width - 330)},8)"><line x1="0" y1="6" x2="22" y2="6" stroke="#1f4e9c" marker-end="url(#arrow)"/><text x="26" y="10">delivered</text><line x1="86" y1="6" x2="104" y2="6" stroke="#d62728" stroke-dasharray="5 3"/><path d="M100,2 L108,10 M100,10 L108,2" stroke="#d62728" stroke-width="2"/><text x="112" y="10">dropped</text><rect x="166" y="0" width="12" height="12" fill="#d62728" fill-opacity="0.25"/><text x="181" y="10">crashed</text><rect x="228" y="0" width="12" height="12" fill="#7f7f7f" fill-opacity="0.25"/><text x="243" y="10">paused</text><rect x="166" y="16" width="12" height="12" fill="#f5c542" fill-opacity="0.35"/><text x="181" y="26">partitioned</text><rect x="247" y="19" width="6" height="6" fill="#2ca02c"/><text x="257" y="26">log</text></g>`,
  );
  out.push(
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${escapeXml(options.title ?? "sim-net trace")}</text>`,
  );
  out.push(
    `<text x="${left}" y="34" fill="#555">${escapeXml(`${fmtMs(fromMs)} to ${fmtMs(toMs)}, ${arrows.length} message(s) drawn${omitted > 0 ? `, ${omitted} more not drawn (maxMessages)` : ""}`)}</text>`,
  );

  // Partition bands (across all lanes) and crash / pause bands (per lane).
  const bands: string[] = [];
  let partitionStart: number | null = null;
  let partitionTitle: string[] = [];
  const flushPartition = (endMs: number): void => {
    if (partitionStart === null) return;
    const a = Math.max(partitionStart, fromMs);
    const b = Math.min(endMs, toMs);
    if (b >= a && partitionStart <= toMs) {
      bands.push(
        `<rect class="partition" x="${left}" y="${r(y(a))}" width="${r(nodeIds.length * laneWidth)}" height="${r(Math.max(2, y(b) - y(a)))}" fill="#f5c542" fill-opacity="0.18"><title>${escapeXml(`partition ${fmtMs(partitionStart)} to ${fmtMs(endMs)}: ${partitionTitle.join("; ")}`)}</title></rect>`,
      );
      bands.push(
        `<text x="${r(left + nodeIds.length * laneWidth - 4)}" y="${r(y(a) + 12)}" text-anchor="end" fill="#8a6d00">${escapeXml(truncate(partitionTitle.join("; "), 120))}</text>`,
      );
    }
    partitionStart = null;
    partitionTitle = [];
  };
  const downSince = new Map<NodeId, { atMs: number; kind: "crashed" | "paused" }>();
  const flushDown = (node: NodeId, endMs: number): void => {
    const d = downSince.get(node);
    if (d === undefined) return;
    downSince.delete(node);
    if (!shown.has(node)) return;
    const a = Math.max(d.atMs, fromMs);
    const b = Math.min(endMs, toMs);
    if (b < a || d.atMs > toMs) return;
    const color = d.kind === "crashed" ? "#d62728" : "#7f7f7f";
    bands.push(
      `<rect class="${d.kind === "crashed" ? "crash" : "pause"}" x="${r(x(node) - laneWidth * 0.2)}" y="${r(y(a))}" width="${r(laneWidth * 0.4)}" height="${r(Math.max(2, y(b) - y(a)))}" fill="${color}" fill-opacity="0.25"><title>${escapeXml(`${node} ${d.kind} ${fmtMs(d.atMs)} to ${fmtMs(endMs)}`)}</title></rect>`,
    );
  };
  const marks: string[] = [];
  for (const e of events) {
    switch (e.kind) {
      case "partition":
        if (partitionStart === null) partitionStart = e.atMs;
        partitionTitle.push(e.groups.map((g) => `[${g.join(", ")}]`).join(" | "));
        break;
      case "partition-one-way":
        if (partitionStart === null) partitionStart = e.atMs;
        partitionTitle.push(`[${e.from.join(", ")}] -/-> [${e.to.join(", ")}]`);
        break;
      case "isolate":
        if (partitionStart === null) partitionStart = e.atMs;
        partitionTitle.push(`${e.node} isolated`);
        break;
      case "heal":
        flushPartition(e.atMs);
        break;
      case "crash":
        flushDown(e.node, e.atMs);
        downSince.set(e.node, { atMs: e.atMs, kind: "crashed" });
        break;
      case "pause":
        downSince.set(e.node, { atMs: e.atMs, kind: "paused" });
        break;
      case "restart":
      case "resume":
        flushDown(e.node, e.atMs);
        break;
      case "log":
        if (inWindow(e.atMs) && laneIndex.has(e.node)) {
          const data = e.data === undefined ? "" : ` ${payload(e.data as Message, maxTitle)}`;
          marks.push(
            `<rect class="log" x="${r(x(e.node) - 3)}" y="${r(y(e.atMs) - 3)}" width="6" height="6" fill="#2ca02c"><title>${escapeXml(truncate(`${e.node} @ ${fmtMs(e.atMs)}: ${e.text}${data}`, maxTitle + 80))}</title></rect>`,
          );
        }
        break;
      case "timer":
        if (options.showTimers === true && inWindow(e.atMs) && laneIndex.has(e.node)) {
          marks.push(
            `<circle class="timer" cx="${r(x(e.node))}" cy="${r(y(e.atMs))}" r="2.5" fill="#9467bd"><title>${escapeXml(`${e.node} timer ${e.label ?? e.timerId} @ ${fmtMs(e.atMs)}`)}</title></circle>`,
          );
        }
        break;
      default:
        break;
    }
  }
  flushPartition(toMs);
  for (const node of [...downSince.keys()]) flushDown(node, toMs);

  // Time axis.
  const axis: string[] = [];
  axis.push(
    `<line class="axis" x1="${left - 10}" y1="${top}" x2="${left - 10}" y2="${r(top + height)}" stroke="#333"/>`,
  );
  const step = niceStep(span, Math.max(4, Math.floor(height / 60)));
  const firstTick = Math.ceil(fromMs / step) * step;
  for (let i = 0, t = firstTick; t <= toMs + 1e-9 && i < 1000; i++, t = firstTick + i * step) {
    axis.push(
      `<line x1="${left - 14}" y1="${r(y(t))}" x2="${left - 10}" y2="${r(y(t))}" stroke="#333"/><text x="${left - 16}" y="${r(y(t) + 4)}" text-anchor="end" fill="#333">${escapeXml(fmtMs(t))}</text>`,
    );
  }

  // Lanes.
  const lanes: string[] = [];
  for (const id of nodeIds) {
    lanes.push(
      `<g class="lane" data-node="${escapeXml(id)}"><text x="${r(x(id))}" y="${top - 12}" text-anchor="middle" font-weight="bold">${escapeXml(id)}</text><line x1="${r(x(id))}" y1="${top}" x2="${r(x(id))}" y2="${r(top + height)}" stroke="#999" stroke-dasharray="4 3"/></g>`,
    );
  }

  // Message arrows.
  const msgs: string[] = [];
  for (const a of arrows) {
    const x1 = x(a.from);
    const y1 = y(a.sentAtMs);
    const text = `#${a.msgId} ${a.from} → ${a.to} sent ${fmtMs(a.sentAtMs)}, ${a.dropped === null ? "delivered" : `dropped (${a.dropped})`} ${fmtMs(a.atMs)}: ${payload(sends.get(a.msgId), maxTitle)}`;
    const title = `<title>${escapeXml(text)}</title>`;
    if (a.dropped === null) {
      msgs.push(
        `<g class="msg"><line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x(a.to))}" y2="${r(y(a.atMs))}" stroke="#1f4e9c" stroke-width="1.2" marker-end="url(#arrow)"/>${title}</g>`,
      );
    } else {
      // Dropped at send time: a short stub towards the receiver. Dropped on arrival: the full arrow.
      const atSend = a.atMs === a.sentAtMs;
      const fraction = atSend ? 0.3 : 1;
      const x2 = x1 + (x(a.to) - x1) * fraction;
      const y2 = atSend ? y1 + 8 : y(a.atMs);
      const s = 4;
      msgs.push(
        `<g class="msg dropped"><line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="#d62728" stroke-width="1.2" stroke-dasharray="5 3"/><path d="M${r(x2 - s)},${r(y2 - s)} L${r(x2 + s)},${r(y2 + s)} M${r(x2 - s)},${r(y2 + s)} L${r(x2 + s)},${r(y2 - s)}" stroke="#d62728" stroke-width="2"/>${title}</g>`,
      );
    }
  }

  out.push(`<g class="bands">${bands.join("")}</g>`);
  out.push(`<g class="axis">${axis.join("")}</g>`);
  out.push(`<g class="lanes">${lanes.join("")}</g>`);
  out.push(`<g class="messages">${msgs.join("")}</g>`);
  out.push(`<g class="marks">${marks.join("")}</g>`);
  out.push("</svg>");
  return out.join("\n");
}
