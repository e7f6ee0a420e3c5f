import { describe, expect, it } from "vitest";
import {
  checkLinearizable,
  HistoryRecorder,
  kvModel,
  registerModel,
  renderHistoryHtml,
  renderHistorySvg,
} from "../src/index.js";

describe("renderHistorySvg / renderHistoryHtml", () => {
  it("draws a row per process and numbers the linearization", () => {
    const h = new HistoryRecorder();
    const w = h.invoke("p<1>", "write", 1, 0);
    h.ok(h.invoke(2, "read", null, 5), 1, 8);
    h.ok(w, undefined, 10);
    h.info(h.invoke(3, "write", 2, 12), 20);
    const model = registerModel();
    const result = checkLinearizable(h.history(), model);
    expect(result.verdict).toBe("linearizable");
    const svg = renderHistorySvg(h.history(), { result, model, title: "t & u" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("process p&#60;1&#62;"); // escaped
    expect(svg).toContain("t &#38; u");
    expect(svg.match(/<rect [^>]*rx="3"/g)).toHaveLength(3);
    expect(svg).toContain(">1 write 1<");
    expect(svg).toContain(">2 read→1<");
    expect(svg).toContain('stroke-dasharray="4 3"'); // the info op
  });

  it("highlights the operation that cannot be linearized", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "put", { key: "k", value: "a" }, 0), undefined, 1);
    h.ok(h.invoke(1, "get", { key: "k" }, 2), "", 3);
    const model = kvModel();
    const result = checkLinearizable(h.history(), model);
    const html = renderHistoryHtml(h.history(), { result, model });
    expect(html).toContain("<!doctype html>");
    expect(html).toContain("not-linearizable");
    expect(html).toContain("; cannot be linearized");
    expect(html).toContain('stroke="#cf222e"');
    expect(html).toContain(">1 put k &#34;a&#34;<");
    expect(html).toContain(">get k→&#34;&#34;<");
  });

  it("renders an empty history", () => {
    expect(renderHistorySvg([])).toContain("</svg>");
  });
});
