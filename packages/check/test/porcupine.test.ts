import { describe, expect, it } from "vitest";
import {
  checkLinearizable,
  type History,
  kvModel,
  type LinearizabilityResult,
  parseHistory,
  registerModel,
} from "../src/index.js";
import { validateLinearization } from "./helpers.js";
import { listDir, readData, readVerdicts } from "./porcupine-data.js";

// Porcupine's etcd model reads a failed cas as "the compare failed" (also registerModel's default).
const modelFor = (file: string) =>
  file.startsWith("kv/") ? kvModel() : registerModel({ failedCas: "compare-failed" });

function expectConsistentResult(file: string, history: History, result: LinearizabilityResult): void {
  const model = modelFor(file);
  for (const p of result.partitions) {
    const ops = p.operationIds.map((id) => history[id]!);
    const local = ops.map((o, i) => ({ ...o, id: i }));
    const idx = new Map(p.operationIds.map((id, i) => [id, i]));
    const order = p.linearization.map((id) => idx.get(id)!);
    if (p.verdict === "linearizable") expect(order.length).toBe(ops.length);
    // Whatever was claimed linearizable (the whole partition or the longest prefix) must be valid.
    expect(validateLinearization(local, model, order)).toBeUndefined();
  }
}

describe("Porcupine verdicts (test/data/porcupine)", () => {
  const verdicts = readVerdicts();

  it("VERDICTS.md lists 108 asserted verdicts and every data file but the empty etcd_095", () => {
    expect(verdicts.length).toBe(108);
    const files = new Set(verdicts.map((v) => v.file));
    const onDisk = [...listDir("jepsen").map((f) => `jepsen/${f}`), ...listDir("kv").map((f) => `kv/${f}`)];
    expect(onDisk.filter((f) => !files.has(f))).toEqual(["jepsen/etcd_095.log"]);
    expect(parseHistory(readData("jepsen/etcd_095.log"), { allowEmpty: true })).toEqual([]);
    expect(() => parseHistory(readData("jepsen/etcd_095.log"))).toThrow(
      expect.objectContaining({ code: "empty-history" }),
    );
  });

  it.each(
    verdicts.map((v) => [v.file, v.linearizable] as const),
  )("%s -> linearizable: %s", (file, expected) => {
    const history = parseHistory(readData(file));
    const result = checkLinearizable(history, modelFor(file));
    expect(result.verdict).toBe(expected ? "linearizable" : "not-linearizable");
    expectConsistentResult(file, history, result);
    if (result.verdict === "not-linearizable") {
      const f = result.failures[0]!;
      expect(result.explanation).toContain(`op ${f.operation.id} `);
      expect(f.candidates.some((c) => c.operation.id === f.operation.id)).toBe(true);
    }
  });

  it("the invocation counts match the table in VERDICTS.md", () => {
    const text = readData("VERDICTS.md");
    for (const m of text.matchAll(/^\| ((?:jepsen|kv)\/\S+) \| [^|]+ \| [^|]+ \| (\d+) \| (\d+) \|$/gm)) {
      const h = parseHistory(readData(m[1]!), { allowEmpty: true });
      expect(h.length, m[1]).toBe(Number(m[2]));
      expect(new Set(h.map((o) => o.process)).size, m[1]).toBe(Number(m[3]));
    }
  });

  it.each(["kv/c01-ok.txt", "kv/c01-bad.txt"])("%s gives the same verdict without partitioning", (file) => {
    const history = parseHistory(readData(file));
    const a = checkLinearizable(history, kvModel());
    const b = checkLinearizable(history, kvModel({ partitioned: false }));
    expect(b.verdict).toBe(a.verdict);
  });
});
