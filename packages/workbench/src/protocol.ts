/**
 * The client <-> node protocol, modelled on Maelstrom's: every client request carries a `msg_id`
 * unique per client; a node answers with a message whose `in_reply_to` is that id and whose `type` is
 * the request type with `_ok` appended (`echo` -> `echo_ok`), or with an `error` message carrying a
 * numeric `code` (see {@link ERROR_CODES}). Node-to-node messages are free-form, except that they too
 * must be JSON data with a string `type`.
 *
 * @module
 */
import type { Message, NodeId } from "@distkit/sim-net";

/**
 * A JSON value: what messages are made of.
 *
 * @example
 * ```ts
 * const v: Json = { type: "broadcast", message: 3, tags: ["a"] };
 * ```
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * A request from a workbench client to a node: `type` names the operation, `msg_id` correlates the
 * reply; the other fields are the operation's arguments (see each workload's documentation).
 *
 * @example
 * ```ts
 * const request: ClientRequest = { type: "echo", msg_id: 1, echo: "hello" };
 * ```
 */
export interface ClientRequest extends Message {
  readonly type: string;
  readonly msg_id: number;
  readonly [field: string]: Json;
}

/**
 * A node's successful reply: `type` is the request's type plus `_ok`, `in_reply_to` the request's
 * `msg_id`, plus the fields the workload defines.
 *
 * @example
 * ```ts
 * const reply: ClientReply = { type: "echo_ok", in_reply_to: 1, echo: "hello" };
 * ```
 */
export interface ClientReply extends Message {
  readonly type: string;
  readonly in_reply_to: number;
  readonly [field: string]: Json;
}

/**
 * A node's error reply. `code` is one of {@link ERROR_CODES} (other codes are treated as
 * indefinite), `text` a human-readable explanation.
 *
 * @example
 * ```ts
 * const e: ErrorReply = { type: "error", in_reply_to: 4, code: 20, text: "key x does not exist" };
 * ```
 */
export interface ErrorReply extends Message {
  readonly type: "error";
  readonly in_reply_to: number;
  readonly code: number;
  readonly text?: string;
}

/**
 * Maelstrom's error codes. A *definite* error means the operation certainly did not happen (the
 * client records it as `fail`); an indefinite one (`timeout`, `crash`, and any unknown code) means it
 * may have happened (recorded as `info`).
 *
 * @example
 * ```ts
 * ctx.send(from, { type: "error", in_reply_to: req.msg_id, code: ERROR_CODES["key-does-not-exist"].code });
 * ```
 */
export const ERROR_CODES = Object.freeze({
  timeout: { code: 0, definite: false },
  "node-not-found": { code: 1, definite: true },
  "not-supported": { code: 10, definite: true },
  "temporarily-unavailable": { code: 11, definite: true },
  "malformed-request": { code: 12, definite: true },
  crash: { code: 13, definite: false },
  abort: { code: 14, definite: true },
  "key-does-not-exist": { code: 20, definite: true },
  "key-already-exists": { code: 21, definite: true },
  "precondition-failed": { code: 22, definite: true },
  "txn-conflict": { code: 30, definite: true },
} as const);

/**
 * The name of a Maelstrom error code.
 *
 * @example
 * ```ts
 * const name: ErrorName = "precondition-failed";
 * ```
 */
export type ErrorName = keyof typeof ERROR_CODES;

/**
 * Whether an error code is definite (the operation certainly did not happen).
 *
 * @example
 * ```ts
 * isDefiniteError(22); // true: precondition failed
 * isDefiniteError(0); // false: timeout
 * ```
 */
export function isDefiniteError(code: number): boolean {
  for (const entry of Object.values(ERROR_CODES)) if (entry.code === code) return entry.definite;
  return false;
}

/**
 * The name of an error code (or `"unknown"`).
 *
 * @example
 * ```ts
 * errorName(20); // "key-does-not-exist"
 * ```
 */
export function errorName(code: number): ErrorName | "unknown" {
  for (const [name, entry] of Object.entries(ERROR_CODES)) if (entry.code === code) return name as ErrorName;
  return "unknown";
}

/**
 * Builds the reply to a client request: `{ type: request.type + "_ok", in_reply_to: request.msg_id,
 * ...fields }`. A convenience for node authors.
 *
 * @example
 * ```ts
 * onMessage(from, m) {
 *   if (m.type === "echo") ctx.send(from, replyTo(m as ClientRequest, { echo: m.echo }));
 * }
 * ```
 */
export function replyTo(request: ClientRequest, fields: { readonly [key: string]: Json } = {}): ClientReply {
  return { ...fields, type: `${request.type}_ok`, in_reply_to: request.msg_id };
}

/**
 * Builds an error reply to a client request.
 *
 * @example
 * ```ts
 * ctx.send(from, errorTo(request, "key-does-not-exist", "no such key"));
 * ```
 */
export function errorTo(request: ClientRequest, error: ErrorName, text?: string): ErrorReply {
  return {
    type: "error",
    in_reply_to: request.msg_id,
    code: ERROR_CODES[error].code,
    ...(text !== undefined ? { text } : {}),
  };
}

/**
 * Whether a message is a client request (a string `type` and a numeric `msg_id`), and which client
 * sent it is up to the node (`from`). Nodes use this to tell client traffic from their own.
 *
 * @example
 * ```ts
 * if (isClientRequest(m)) handle(from, m);
 * ```
 */
export function isClientRequest(message: unknown): message is ClientRequest {
  return (
    typeof message === "object" &&
    message !== null &&
    typeof (message as { type?: unknown }).type === "string" &&
    typeof (message as { msg_id?: unknown }).msg_id === "number"
  );
}

/**
 * Why a value is not JSON data, or `null` when it is: plain objects, arrays, strings, finite numbers,
 * booleans and `null` only (no `undefined`, functions, class instances, `NaN`, cycles), within
 * `maxNodes` visited values.
 *
 * @example
 * ```ts
 * jsonProblem({ type: "x", at: new Date() }); // "at: a Date is not JSON data"
 * jsonProblem({ type: "x", n: 1 }); // null
 * ```
 */
export function jsonProblem(value: unknown, maxNodes = 100_000): string | null {
  let visited = 0;
  const stack = new Set<object>();
  const walk = (v: unknown, path: string): string | null => {
    if (++visited > maxNodes) return `${path || "message"}: more than ${maxNodes} values`;
    if (v === null || typeof v === "string" || typeof v === "boolean") return null;
    if (typeof v === "number") return Number.isFinite(v) ? null : `${path || "value"}: ${v} is not JSON data`;
    if (typeof v !== "object") return `${path || "value"}: a ${typeof v} is not JSON data`;
    if (stack.has(v)) return `${path || "value"}: a cycle is not JSON data`;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (Array.isArray(v)) {
      stack.add(v);
      for (let i = 0; i < v.length; i++) {
        const p = walk(v[i], `${path}[${i}]`);
        if (p !== null) return p;
      }
      stack.delete(v);
      return null;
    }
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? "class instance";
      return `${path || "value"}: a ${name} is not JSON data`;
    }
    stack.add(v);
    for (const key of Object.keys(v)) {
      const p = walk((v as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`);
      if (p !== null) return p;
    }
    stack.delete(v);
    return null;
  };
  return walk(value, "");
}

/** @internal Node ids of a run: servers `n1..nN`, clients `c1..cK`. */
export function serverIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** @internal */
export function clientIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `c${i + 1}`);
}
