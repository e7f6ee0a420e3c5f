import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as lib from "../src/index.js";

/** Every `@example` block in src/ runs against the sources without throwing. */
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function examples(): { name: string; code: string }[] {
  const out: { name: string; code: string }[] = [];
  for (const file of readdirSync(SRC).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(`${SRC}${file}`, "utf8");
    const re = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g;
    let i = 0;
    for (const m of text.matchAll(re)) {
      const code = m[1]!
        .split("\n")
        .map((l) => l.replace(/^\s*\* ?/, ""))
        .join("\n");
      out.push({ name: `${file} #${++i}`, code });
    }
  }
  return out;
}

/** `expr; // "literal"` and `console.log(expr); // literal` lines become assertions. */
function withAssertions(code: string): string {
  return code
    .split("\n")
    .map((line) => {
      const m = /^(\s*)(?:console\.log\((.*)\)|(.*?));\s*\/\/\s*(.+?)\s*$/.exec(line);
      if (m === null) return line;
      const expr = m[2] ?? m[3]!;
      const lit = m[4]!;
      let value: unknown;
      if (/^'.*'$/.test(lit)) value = lit.slice(1, -1);
      else {
        try {
          value = JSON.parse(lit);
        } catch {
          return line;
        }
      }
      if (expr.trim().startsWith("const ") || expr.includes("=>")) return line;
      return `${m[1]}__check(${expr}, ${JSON.stringify(value)}, ${JSON.stringify(line.trim())});`;
    })
    .join("\n");
}

function toRunnable(code: string): string {
  const replaced = withAssertions(code).replace(
    /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"@distkit\/check";/g,
    (_, isType, names) => {
      if (isType !== undefined) return "";
      const values = (names as string)
        .split(",")
        .map((n) => n.trim())
        .filter((n) => n !== "" && !n.startsWith("type "));
      return `const { ${values.join(", ")} } = __lib;`;
    },
  );
  return ts.transpileModule(replaced, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
}

describe("TSDoc examples", () => {
  const all = examples();
  it("there is an example for most exports, and many state their results", () => {
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter((e) => withAssertions(e.code).includes("__check(")).length).toBeGreaterThan(25);
  });
  it.each(all.map((e) => [e.name, e.code] as const))("%s runs", (_name, code) => {
    const quiet = { log: () => {} };
    const checks: [unknown, unknown, string][] = [];
    const check = (actual: unknown, expected: unknown, line: string) => checks.push([actual, expected, line]);
    const run = new Function("__lib", "console", "__check", toRunnable(code));
    expect(() => run(lib, quiet, check)).not.toThrow();
    for (const [actual, expected, line] of checks) expect(actual, line).toEqual(expected);
  });
});
