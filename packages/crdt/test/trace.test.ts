import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { TextDoc, type TextUpdate } from "../src/index.js";

const TRACE = fileURLToPath(new URL("./data/automerge-paper.json.gz", import.meta.url));

interface Trace {
  startContent: string;
  endContent: string;
  txns: { patches: [number, number, string][] }[];
}

// The trace is part of the repository (test/data, CC BY 4.0, see test/data/SOURCE.md): a missing file fails.
describe("automerge-paper editing trace (259,778 edits)", () => {
  const trace = JSON.parse(gunzipSync(readFileSync(TRACE)).toString("utf8")) as Trace;

  it("replays to exactly endContent, and a remote replica fed the deltas converges", () => {
    const doc = new TextDoc("kleppmann");
    if (trace.startContent.length > 0) doc.insert(0, trace.startContent);
    const updates: TextUpdate[] = [];
    let edits = 0;
    for (const txn of trace.txns) {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) updates.push(doc.delete(pos, del));
        if (ins.length > 0) updates.push(doc.insert(pos, ins));
        edits++;
      }
    }
    expect(edits).toBe(259_778);
    expect(doc.length).toBe(trace.endContent.length);
    expect(doc.toString()).toBe(trace.endContent);

    const bytes = doc.encode();
    const decoded = TextDoc.decode(bytes, "reader");
    expect(decoded.toString()).toBe(trace.endContent);
    expect(decoded.equals(doc)).toBe(true);

    const remote = new TextDoc("remote");
    for (const u of updates) remote.merge(u);
    expect(remote.pendingCount).toBe(0);
    expect(remote.toString()).toBe(trace.endContent);
    expect(remote.equals(doc)).toBe(true);
  });
});
