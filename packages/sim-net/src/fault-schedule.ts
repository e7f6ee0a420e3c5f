/**
 * Fault schedules: faults as plain data, so runs can be generated, shrunk, printed and replayed.
 *
 * @module
 */
import type { NodeId } from "./contract.js";
import type { ClockConfig } from "./clock.js";
import { SimNetError, assertProbability } from "./errors.js";
import { type LinkConfig, validateLinkConfig } from "./link-config.js";
import { validateClockConfig } from "./clock.js";

/**
 * One fault at true time `atMs` (absolute, ms). Applied by {@link Simulation.applySchedule}; each kind
 * does what the simulation method of the same name does (lifecycle faults on a node in the wrong state
 * do nothing, so generated schedules need not be coherent).
 *
 * @example
 * ```ts
 * const schedule: FaultSchedule = [
 *   { atMs: 100, kind: "partition", groups: [["n1", "n2"], ["n3"]] },
 *   { atMs: 150, kind: "crash", node: "n2", tornWrites: true },
 *   { atMs: 300, kind: "restart", node: "n2" },
 *   { atMs: 400, kind: "heal" },
 * ];
 * sim.applySchedule(schedule);
 * ```
 */
export type FaultEvent =
  | { readonly atMs: number; readonly kind: "partition"; readonly groups: readonly (readonly NodeId[])[] }
  | {
      readonly atMs: number;
      readonly kind: "partition-one-way";
      readonly from: readonly NodeId[];
      readonly to: readonly NodeId[];
    }
  | { readonly atMs: number; readonly kind: "isolate"; readonly node: NodeId }
  | { readonly atMs: number; readonly kind: "heal" }
  | { readonly atMs: number; readonly kind: "crash"; readonly node: NodeId; readonly tornWrites?: boolean }
  | { readonly atMs: number; readonly kind: "restart"; readonly node: NodeId }
  | { readonly atMs: number; readonly kind: "pause"; readonly node: NodeId }
  | { readonly atMs: number; readonly kind: "resume"; readonly node: NodeId }
  | {
      readonly atMs: number;
      readonly kind: "clock";
      readonly node: NodeId;
      readonly offsetMs?: number;
      readonly driftPpm?: number;
    }
  | { readonly atMs: number; readonly kind: "storage"; readonly node: NodeId; readonly lostSyncRate: number }
  | { readonly atMs: number; readonly kind: "network"; readonly config: Partial<LinkConfig> }
  | {
      readonly atMs: number;
      readonly kind: "link";
      readonly from: NodeId;
      readonly to: NodeId;
      readonly config: Partial<LinkConfig>;
    }
  | { readonly atMs: number; readonly kind: "clog"; readonly from: NodeId; readonly to: NodeId }
  | { readonly atMs: number; readonly kind: "unclog"; readonly from: NodeId; readonly to: NodeId };

/**
 * A list of faults (any order; applied in `atMs` order, ties in list order).
 *
 * @example
 * ```ts
 * const schedule: FaultSchedule = [{ atMs: 50, kind: "isolate", node: "n1" }, { atMs: 90, kind: "heal" }];
 * ```
 */
export type FaultSchedule = readonly FaultEvent[];

/**
 * The `kind` of a {@link FaultEvent}.
 *
 * @example
 * ```ts
 * const kinds: FaultKind[] = ["crash", "restart"];
 * ```
 */
export type FaultKind = FaultEvent["kind"];

/**
 * Every fault kind, in a fixed order.
 *
 * @example
 * ```ts
 * console.log(FAULT_KINDS.join(", "));
 * ```
 */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  "partition",
  "partition-one-way",
  "isolate",
  "heal",
  "crash",
  "restart",
  "pause",
  "resume",
  "clock",
  "storage",
  "network",
  "link",
  "clog",
  "unclog",
]);

/**
 * Checks one fault event's shape and values; `isNode` says whether an id is known.
 * Throws {@link SimNetError} with code `invalid-schedule`, `unknown-node` or a parameter code.
 * @internal
 */
export function validateFaultEvent(event: FaultEvent, index: number, isNode: (id: NodeId) => boolean): void {
  const where = `fault schedule entry ${index}`;
  if (typeof event !== "object" || event === null) {
    throw new SimNetError(
      "invalid-schedule",
      `${where} must be an object { atMs, kind, ... }, got ${String(event)}`,
    );
  }
  if (typeof event.atMs !== "number" || !Number.isFinite(event.atMs) || event.atMs < 0) {
    throw new SimNetError(
      "invalid-schedule",
      `${where}: atMs must be a finite number >= 0, got ${String(event.atMs)}`,
    );
  }
  const node = (id: unknown, field: string): void => {
    if (typeof id !== "string" || !isNode(id)) {
      throw new SimNetError(
        "unknown-node",
        `${where}: ${field} ${JSON.stringify(id)} is not a node of this simulation`,
      );
    }
  };
  const nodeList = (ids: unknown, field: string): void => {
    if (!Array.isArray(ids))
      throw new SimNetError("invalid-schedule", `${where}: ${field} must be an array of node ids`);
    for (const id of ids) node(id, field);
  };
  switch (event.kind) {
    case "partition":
      if (!Array.isArray(event.groups)) {
        throw new SimNetError("invalid-schedule", `${where}: groups must be an array of node-id arrays`);
      }
      for (const g of event.groups) nodeList(g, "groups[]");
      return;
    case "partition-one-way":
      nodeList(event.from, "from");
      nodeList(event.to, "to");
      return;
    case "isolate":
    case "restart":
    case "pause":
    case "resume":
      node(event.node, "node");
      return;
    case "crash":
      node(event.node, "node");
      if (event.tornWrites !== undefined && typeof event.tornWrites !== "boolean") {
        throw new SimNetError("invalid-schedule", `${where}: tornWrites must be a boolean`);
      }
      return;
    case "heal":
      return;
    case "clock": {
      node(event.node, "node");
      const patch: Partial<ClockConfig> = {
        ...(event.offsetMs !== undefined ? { offsetMs: event.offsetMs } : {}),
        ...(event.driftPpm !== undefined ? { driftPpm: event.driftPpm } : {}),
      };
      validateClockConfig(patch);
      return;
    }
    case "storage":
      node(event.node, "node");
      assertProbability(event.lostSyncRate, `${where}: lostSyncRate`);
      return;
    case "network":
      validateLinkConfig(event.config);
      return;
    case "link":
      node(event.from, "from");
      node(event.to, "to");
      validateLinkConfig(event.config);
      return;
    case "clog":
    case "unclog":
      node(event.from, "from");
      node(event.to, "to");
      return;
    default:
      throw new SimNetError(
        "invalid-schedule",
        `${where}: unknown kind ${JSON.stringify((event as { kind?: unknown }).kind)}; accepted: ${FAULT_KINDS.join(", ")}`,
      );
  }
}
