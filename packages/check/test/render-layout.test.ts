import { describe, expect, it } from "vitest";
import { bigHistory, smallHistory } from "../bench/render-examples.js";
import { checkLinearizable, type History, registerModel, renderHistorySvg } from "../src/index.js";
import { type Box, CHAR_PX, layoutHistory } from "../src/render-layout.js";

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function laidOut(history: History) {
  const model = registerModel();
  const result = checkLinearizable(history, model);
  return { layout: layoutHistory(history, { result, model, title: true, legend: true }), result, model };
}

describe("history pictures a person can read", () => {
  for (const [name, history] of [
    ["small", smallHistory()],
    ["20 processes, 500 operations", bigHistory(20, 500, 7)],
  ] as const) {
    it(`${name}: no two texts overlap, and every label stays inside its bar`, () => {
      const { layout } = laidOut(history);
      const texts: Box[] = [
        ...layout.bars.flatMap((b) => (b.label === undefined ? [] : [b.label.box])),
        ...layout.ticks.map((t) => t.label.box),
        ...layout.rows.map((r) => r.label.box),
        ...layout.legend.map((l) => l.box),
      ];
      texts.sort((a, b) => a.x - b.x);
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length && texts[j]!.x < texts[i]!.x + texts[i]!.width; j++) {
          expect(
            overlaps(texts[i]!, texts[j]!),
            `${JSON.stringify(texts[i])} / ${JSON.stringify(texts[j])}`,
          ).toBe(false);
        }
      }
      for (const b of layout.bars) {
        if (b.label === undefined) continue;
        expect(b.label.box.width).toBeCloseTo([...b.label.text].length * CHAR_PX);
        expect(b.label.box.x).toBeGreaterThanOrEqual(b.box.x);
        expect(b.label.box.x + b.label.box.width).toBeLessThanOrEqual(b.box.x + b.box.width);
      }
      for (const r of layout.rows)
        expect(r.label.box.x + r.label.box.width).toBeLessThanOrEqual(layout.gutterWidth);
      // Most bars carry a readable label (not a smear of unlabeled slivers).
      const labelled = layout.bars.filter((b) => b.label !== undefined && b.label.text.length >= 3).length;
      expect(labelled / layout.bars.length).toBeGreaterThan(0.8);
    });

    it(`${name}: times are relative and printed with the chosen precision only`, () => {
      const { layout, result, model } = laidOut(history);
      expect(layout.ticks[0]!.label.text).toBe((0).toFixed(layout.axisDecimals));
      const svg = renderHistorySvg(history, { result, model, title: name });
      const texts = [...svg.matchAll(/<(text|title)[^>]*>([^<]*)</g)].map((m) => m[2]!);
      for (const t of texts) {
        for (const num of t.matchAll(/\d+\.(\d+)/g)) {
          expect(num[1]!.length, `"${num[0]}" in "${t}"`).toBeLessThanOrEqual(layout.detailDecimals);
        }
      }
      for (const t of layout.ticks) {
        const d = t.label.text.split(".")[1]?.length ?? 0;
        expect(d).toBe(layout.axisDecimals);
      }
    });
  }
});
