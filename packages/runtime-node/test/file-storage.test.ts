import { closeSync, mkdtempSync, openSync, readdirSync, statSync, ftruncateSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { FileStorage, RuntimeError } from "../src/index.js";

const fresh = () => mkdtempSync(join(tmpdir(), "distkit-fs-test-"));

type Step = { kind: "set"; key: string; value: unknown } | { kind: "delete"; key: string } | { kind: "sync" };
const key = fc.constantFrom("a", "b", "c", "raft/hs", "raft/s/1");
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key, value: fc.jsonValue() }),
  fc.record({ kind: fc.constant("delete" as const), key }),
  fc.constant({ kind: "sync" as const }),
);

function model(steps: readonly Step[]): Map<string, unknown> {
  // The state at the last sync: what must survive a crash.
  const live = new Map<string, unknown>();
  let durable = new Map<string, unknown>();
  for (const s of steps) {
    if (s.kind === "set") live.set(s.key, JSON.parse(JSON.stringify(s.value)));
    else if (s.kind === "delete") live.delete(s.key);
    else durable = new Map(live);
  }
  return durable;
}

describe("FileStorage", () => {
  test.prop([fc.array(step, { maxLength: 60 }), fc.integer({ min: 64, max: 4096 })], { numRuns: 60 })(
    "after a crash (no close, no final sync) reopening gives exactly the state of the last sync, compactions included",
    (steps, compactAfterBytes) => {
      const dir = fresh();
      const s = FileStorage.open({ dir, fsync: false, compactAfterBytes });
      for (const st of steps) {
        if (st.kind === "set") s.set(st.key, st.value);
        else if (st.kind === "delete") s.delete(st.key);
        else s.sync();
      }
      // Crash: the process dies; nothing more is written. (The fd is left to the OS.)
      const reopened = FileStorage.open({ dir, fsync: false });
      const expected = model(steps);
      expect(reopened.keys()).toEqual([...expected.keys()].sort());
      for (const [k, v] of expected) expect(reopened.get(k)).toEqual(v);
      reopened.close();
    },
  );

  it("cuts a torn tail record off and reports it, keeping every whole record", () => {
    const dir = fresh();
    const s = FileStorage.open({ dir });
    s.set("a", 1);
    s.sync();
    s.set("b", "two");
    s.sync();
    s.close();
    const log = join(dir, "log.0");
    const size = statSync(log).size;
    // A torn write: the last record loses its final 3 bytes.
    const fd = openSync(log, "r+");
    ftruncateSync(fd, size - 3);
    closeSync(fd);
    const r = FileStorage.open({ dir });
    expect(r.get("a")).toBe(1);
    expect(r.has("b")).toBe(false);
    expect(r.recovery.recordsReplayed).toBe(1);
    expect(r.recovery.truncatedBytes).toBeGreaterThan(0);
    r.set("c", true);
    r.sync();
    r.close();
    const again = FileStorage.open({ dir });
    expect(again.recovery.truncatedBytes).toBe(0);
    expect(again.keys()).toEqual(["a", "c"]);
    again.close();
  });

  it("detects a flipped byte in the last record by its checksum", () => {
    const dir = fresh();
    const s = FileStorage.open({ dir });
    s.set("a", "x".repeat(50));
    s.sync();
    s.close();
    const log = join(dir, "log.0");
    const fd = openSync(log, "r+");
    writeSync(fd, Buffer.from("y"), 0, 1, statSync(log).size - 5);
    closeSync(fd);
    const r = FileStorage.open({ dir });
    expect(r.has("a")).toBe(false);
    expect(r.recovery.truncatedBytes).toBeGreaterThan(0);
    r.close();
  });

  it("compacts into a snapshot and a new log generation", () => {
    const dir = fresh();
    const s = FileStorage.open({ dir, compactAfterBytes: 200 });
    for (let i = 0; i < 50; i++) {
      s.set("k", i);
      s.sync();
    }
    s.close();
    const files = readdirSync(dir).sort();
    expect(files).toContain("snapshot");
    expect(files.filter((f) => f.startsWith("log.")).length).toBe(1);
    const r = FileStorage.open({ dir });
    expect(r.get("k")).toBe(49);
    expect(r.recovery.generation).toBeGreaterThan(0);
    r.close();
  });

  it("rejects values that are not JSON data and keys that are not strings, changing nothing", () => {
    const s = FileStorage.open({ dir: fresh() });
    expect(() => s.set("f", () => 1)).toThrow(RuntimeError);
    expect(() => s.set("u", undefined)).toThrow(/not JSON data/);
    expect(() => s.set(5 as unknown as string, 1)).toThrow(/keys are strings/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => s.set("c", cyclic)).toThrow(RuntimeError);
    expect(s.keys()).toEqual([]);
    expect(s.unsyncedWrites).toBe(0);
    s.close();
  });
});
