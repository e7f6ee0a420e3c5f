/**
 * The built-in workloads by name (for the CLI and result files).
 *
 * @module
 */
import { WorkbenchError } from "../errors.js";
import type { Workload } from "../workload.js";
import { broadcast } from "./broadcast.js";
import { gCounter, pnCounter } from "./counter.js";
import { echo } from "./echo.js";
import { linKv } from "./lin-kv.js";
import { uniqueIds } from "./unique-ids.js";

/**
 * The name of a built-in workload.
 *
 * @example
 * ```ts
 * const name: WorkloadName = "broadcast";
 * ```
 */
export type WorkloadName = "echo" | "unique-ids" | "broadcast" | "g-counter" | "pn-counter" | "lin-kv";

/**
 * The built-in workloads with default options, by name.
 *
 * @example
 * ```ts
 * const w = WORKLOADS["lin-kv"]();
 * ```
 */
export const WORKLOADS: Readonly<Record<WorkloadName, () => Workload>> = Object.freeze({
  echo,
  "unique-ids": uniqueIds,
  broadcast: () => broadcast(),
  "g-counter": gCounter,
  "pn-counter": pnCounter,
  "lin-kv": () => linKv(),
});

/**
 * A built-in workload by name; throws `unknown-workload` otherwise.
 *
 * @example
 * ```ts
 * const w = workloadByName("g-counter");
 * ```
 */
export function workloadByName(name: string): Workload {
  const make = (WORKLOADS as Record<string, (() => Workload) | undefined>)[name];
  if (make === undefined || !Object.hasOwn(WORKLOADS, name))
    throw new WorkbenchError(
      "unknown-workload",
      `unknown workload "${name}"; accepted: ${Object.keys(WORKLOADS).join(", ")}`,
    );
  return make();
}
