import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  CheckError,
  Keyword,
  ParseError,
  parseEdn,
  parseHistory,
  parseJepsenEdn,
  parseJepsenLog,
} from "../src/index.js";

describe("parseEdn", () => {
  it("reads the EDN subset Jepsen uses", () => {
    expect(parseEdn("nil")).toBeNull();
    expect(parseEdn("[3 0]")).toEqual([3, 0]);
    expect(parseEdn('"a \\"b\\"\\n"')).toBe('a "b"\n');
    expect(parseEdn(":timed-out")).toBe(Keyword.of("timed-out"));
    expect(parseEdn("(1, -2.5 true false)")).toEqual([1, -2.5, true, false]);
    expect(parseEdn("#{1 2}")).toEqual(new Set([1, 2]));
    const m = parseEdn('{:a 1, "b" [nil]}') as Map<unknown, unknown>;
    expect(m.get(Keyword.of("a"))).toBe(1);
    expect(m.get("b")).toEqual([null]);
    expect(parseEdn("#inst 5")).toBe(5);
  });
  it("rejects malformed text with a CheckError", () => {
    for (const bad of ["[1 2", '"abc', "{:a}", "]", "1 2", ""]) {
      expect(() => parseEdn(bad), bad).toThrow(CheckError);
    }
  });
});

describe("parseJepsenLog", () => {
  it("reads tab- and space-separated lines and skips other log lines", () => {
    const text = [
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]",
      "some other output",
      "INFO  jepsen.util - 0   :fail   :cas    [1 2]",
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil",
      "INFO  jepsen.util - 1\t:info\t:read\t:timed-out",
    ].join("\n");
    const events = parseJepsenLog(text);
    expect(events.map((e) => [e.process, e.type, e.f, e.line])).toEqual([
      [0, "invoke", "cas", 1],
      [0, "fail", "cas", 3],
      [1, "invoke", "read", 4],
      [1, "info", "read", 5],
    ]);
    expect(events[0]!.value).toEqual([1, 2]);
  });
  it("throws a ParseError naming the line", () => {
    const text = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:bogus\t:read\tnil\n";
    try {
      parseJepsenLog(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      const p = e as ParseError;
      expect(p.code).toBe("parse-error");
      expect(p.lineNumber).toBe(2);
      expect(p.lineText).toContain(":bogus");
      expect(p.message).toMatch(/line 2: bad type :bogus/);
    }
    expect(() => parseJepsenLog("INFO jepsen.util - 0 :ok :write [1")).toThrow(/line 1: bad value/);
    expect(() => parseJepsenLog("INFO jepsen.util - x")).toThrow(ParseError);
  });
});

describe("parseJepsenEdn", () => {
  it("reads maps with keys and times", () => {
    const events = parseJepsenEdn(
      '{:process 3, :type :invoke, :f :append, :key "k", :value "x", :time 2000000}\n\n{:process :nemesis, :type :info, :f :start, :value nil}\n',
    );
    expect(events[0]).toMatchObject({
      process: 3,
      type: "invoke",
      f: "append",
      key: "k",
      value: "x",
      timeMs: 2,
    });
    expect(events[1]).toMatchObject({ process: "nemesis", type: "info", line: 3 });
  });
  it("throws ParseError for malformed lines and missing fields", () => {
    expect(() => parseJepsenEdn("{:process 0, :type :invoke, :f :read")).toThrow(/line 1: malformed EDN/);
    expect(() => parseJepsenEdn("[1 2]")).toThrow(/expected an EDN map/);
    expect(() => parseJepsenEdn("{:type :invoke, :f :read}")).toThrow(/:process/);
    expect(() => parseJepsenEdn("{:process 0, :type :done, :f :read}")).toThrow(/:type/);
    expect(() => parseJepsenEdn("{:process 0, :type :ok}")).toThrow(/:f/);
  });
  it("parseHistory detects the format and reports unmatched completions with the line", () => {
    expect(parseHistory("\n{:process 0, :type :invoke, :f :read, :value nil}\n")[0]?.status).toBe("info");
    expect(() => parseHistory("INFO jepsen.util - 0\t:ok\t:read\t1\n")).toThrow(
      expect.objectContaining({ code: "unmatched-completion", message: expect.stringContaining("line 1") }),
    );
  });
});

describe("EDN round trip", () => {
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.string({ maxLength: 8 }),
    fc.constantFrom("read", "write", "timed-out").map((k) => Keyword.of(k)),
  );
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
  const show = (v: unknown): string =>
    v === null
      ? "nil"
      : Array.isArray(v)
        ? `[${v.map(show).join(" ")}]`
        : typeof v === "string"
          ? JSON.stringify(v)
          : String(v);
  test.prop([
    fc.array(
      fc.record({
        process: fc.nat({ max: 20 }),
        type: fc.constantFrom("invoke", "ok", "fail", "info"),
        f: fc.constantFrom("read", "write", "cas"),
        value,
      }),
      { maxLength: 20 },
    ),
  ])("printed EDN event lines parse back to the same events", (events) => {
    const text = events
      .map((e) => `{:process ${e.process}, :type :${e.type}, :f :${e.f}, :value ${show(e.value)}}`)
      .join("\n");
    const parsed = parseJepsenEdn(text);
    expect(parsed.map((e) => [e.process, e.type, e.f, e.value])).toEqual(
      events.map((e) => [e.process, e.type, e.f, e.value]),
    );
  });
});
