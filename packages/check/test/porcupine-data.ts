import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The Porcupine histories, copied into the repository (MIT; see data/porcupine/SOURCE.md). */
export const PORCUPINE_DIR = fileURLToPath(new URL("./data/porcupine/", import.meta.url));

export interface ExpectedVerdict {
  readonly file: string; // relative, e.g. "jepsen/etcd_000.log"
  readonly linearizable: boolean;
}

/** Reads the expected verdicts from VERDICTS.md (the table rows). */
export function readVerdicts(): ExpectedVerdict[] {
  const text = readFileSync(`${PORCUPINE_DIR}VERDICTS.md`, "utf8");
  const out: ExpectedVerdict[] = [];
  for (const line of text.split("\n")) {
    const m = /^\| ((?:jepsen|kv)\/[^ ]+) \| (linearizable|NOT linearizable) \|/.exec(line);
    if (m !== null) out.push({ file: m[1]!, linearizable: m[2] === "linearizable" });
  }
  return out;
}

export function readData(file: string): string {
  return readFileSync(`${PORCUPINE_DIR}${file}`, "utf8");
}

export function listDir(dir: string): string[] {
  return readdirSync(`${PORCUPINE_DIR}${dir}`);
}
