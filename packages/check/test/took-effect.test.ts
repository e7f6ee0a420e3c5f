import { describe, expect, it } from "vitest";
import { checkLinearizable, HistoryRecorder, kvModel, registerModel } from "../src/index.js";

describe("PartitionCheck.tookEffect marks which operations of the linearization took effect", () => {
  it("ok: yes; fail: no; info: only when it changed the state before a completed operation", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 1, 0), undefined, 1); // op 0
    h.fail(h.invoke(1, "write", 9, 2), undefined, 3); // op 1: did not happen
    h.info(h.invoke(2, "write", 2, 4), 5); // op 2: read below, so it took effect
    h.ok(h.invoke(0, "read", null, 6), 2, 7); // op 3
    h.info(h.invoke(3, "write", 3, 8), 9); // op 4: nothing after it observed it
    h.info(h.invoke(4, "cas", [7, 8], 8), 9); // op 5: its compare cannot match: no change
    const r = checkLinearizable(h.history(), registerModel());
    expect(r.verdict).toBe("linearizable");
    const p = r.partitions[0]!;
    expect(p.tookEffect).toHaveLength(p.linearization.length);
    const effect = new Map(p.linearization.map((id, i) => [id, p.tookEffect[i]]));
    expect(Object.fromEntries(effect)).toEqual({ 0: true, 1: false, 2: true, 3: true, 4: false, 5: false });
  });

  it("covers the longest prefix of a failing partition too", () => {
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "put", { key: "k", value: "a" }, 0), undefined, 1);
    h.fail(h.invoke(1, "put", { key: "k", value: "b" }, 2), undefined, 3);
    h.ok(h.invoke(0, "get", { key: "k" }, 4), "b", 5);
    const r = checkLinearizable(h.history(), kvModel());
    expect(r.verdict).toBe("not-linearizable");
    const p = r.partitions[0]!;
    expect(p.linearization).toEqual([0, 1]);
    expect(p.tookEffect).toEqual([true, false]);
  });
});
