import { describe, expect, it } from "vitest";
import { CheckError, checkLinearizable, HistoryRecorder, registerModel } from "../src/index.js";

/** write 0; cas 0→1 fails; read 0 (one client, so the order is fixed). */
function writeFailedCasRead() {
  const h = new HistoryRecorder();
  h.ok(h.invoke(0, "write", 0, 0), undefined, 1);
  h.fail(h.invoke(0, "cas", [0, 1], 2), undefined, 3);
  h.ok(h.invoke(0, "read", null, 4), 0, 5);
  return h.history();
}

describe("registerModel: the two conventions for a failed cas", () => {
  it("compare-failed (the default, Porcupine's etcd model): the cas saw 0, so its compare cannot have failed", () => {
    const r = checkLinearizable(writeFailedCasRead(), registerModel());
    expect(r.verdict).toBe("not-linearizable");
    if (r.verdict === "not-linearizable") expect(r.failures[0]!.operation.f).toBe("cas");
    expect(
      checkLinearizable(writeFailedCasRead(), registerModel({ failedCas: "compare-failed" })).verdict,
    ).toBe("not-linearizable");
  });

  it("did-not-happen (Knossos, Jepsen's meaning of fail): the cas is a no-op, so read 0 is fine", () => {
    const model = registerModel({ failedCas: "did-not-happen" });
    const r = checkLinearizable(writeFailedCasRead(), model);
    expect(r.verdict).toBe("linearizable");
    // The failed cas still never changes the value: a read of 1 afterwards is a violation.
    const h = new HistoryRecorder();
    h.ok(h.invoke(0, "write", 0, 0), undefined, 1);
    h.fail(h.invoke(0, "cas", [0, 1], 2), undefined, 3);
    h.ok(h.invoke(0, "read", null, 4), 1, 5);
    expect(checkLinearizable(h.history(), model).verdict).toBe("not-linearizable");
    expect(model.describeOperation?.(writeFailedCasRead()[1]!)).toBe(
      "cas(0 -> 1) -> failed (did not happen)",
    );
  });

  it("rejects an unknown convention", () => {
    expect(() => registerModel({ failedCas: "maybe" as never })).toThrow(CheckError);
  });
});
