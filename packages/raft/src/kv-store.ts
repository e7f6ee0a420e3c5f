/**
 * The built-in key-value {@link StateMachine}: the default state machine of a {@link RaftNode},
 * served to {@link KvClient}s over the KV protocol. Sessions are the node's, not the store's.
 * @module
 */
import { RaftError } from "./errors.js";
import type { JsonValue } from "./json.js";
import {
  type KvOperation,
  type KvOutcome,
  type KvWriteOperation,
  validateKvOperation,
} from "./kv-state-machine.js";
import type { StateMachine } from "./state-machine.js";

/**
 * A read of the key-value store.
 *
 * @example
 * ```ts
 * const q: KvQuery = { kind: "get", key: "x" };
 * ```
 */
export type KvQuery = Extract<KvOperation, { readonly kind: "get" }>;

/**
 * An in-memory key-value map as a deterministic {@link StateMachine}: writes (`put`, `append`,
 * `cas`, `delete`) go through the log, `get` is a query.
 *
 * @example
 * ```ts
 * const kv = new KvStore();
 * kv.apply({ kind: "put", key: "x", value: "1" }, 1);
 * console.log(kv.query({ kind: "get", key: "x" })); // { ok: true, value: "1" }
 * ```
 */
export class KvStore implements StateMachine<KvWriteOperation, KvOutcome, KvQuery, KvOutcome> {
  private readonly data = new Map<string, string>();

  /** Applies a write; `ok` is false only when a cas comparison failed. */
  apply(op: KvWriteOperation, _index = 0): KvOutcome {
    const current = this.data.get(op.key) ?? null;
    switch (op.kind) {
      case "put":
        this.data.set(op.key, op.value);
        return { ok: true, value: op.value };
      case "append": {
        const value = (current ?? "") + op.value;
        this.data.set(op.key, value);
        return { ok: true, value };
      }
      case "cas":
        if (current !== op.expected) return { ok: false, value: current };
        this.data.set(op.key, op.value);
        return { ok: true, value: op.value };
      case "delete":
        this.data.delete(op.key);
        return { ok: true, value: current };
    }
  }

  /** Answers a get. */
  query(q: KvQuery): KvOutcome {
    return { ok: true, value: this.get(q.key) };
  }

  /** Current value of `key`, or null. */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Number of keys. */
  get size(): number {
    return this.data.size;
  }

  /** Keys in ascending order. */
  keys(): string[] {
    return [...this.data.keys()].sort();
  }

  /** `{ entries: [key, value][] }`, sorted by key. */
  snapshot(): JsonValue {
    const entries = [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { entries };
  }

  /** Replaces the content by a {@link KvStore.snapshot}. */
  restore(snapshot: JsonValue): void {
    const d = snapshot as { entries?: unknown } | null;
    if (typeof d !== "object" || d === null || !Array.isArray(d.entries)) {
      throw new RaftError("corrupt-storage", "kv snapshot must be {entries: [key, value][]}");
    }
    this.data.clear();
    for (const e of d.entries as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== "string" || typeof e[1] !== "string") {
        throw new RaftError("corrupt-storage", "kv snapshot entries must be [string, string] pairs");
      }
      this.data.set(e[0], e[1]);
    }
  }

  /** Accepts `put`, `append`, `cas` and `delete` operations. */
  validateCommand(command: JsonValue): KvWriteOperation {
    const op = validateKvOperation(command);
    if (op.kind === "get") {
      throw new RaftError(
        "invalid-argument",
        "a get is a query, not a command; accepted commands: put, append, cas, delete",
      );
    }
    return op;
  }

  /** Accepts `{ kind: "get", key }`. */
  validateQuery(query: JsonValue): KvQuery {
    const op = validateKvOperation(query);
    if (op.kind !== "get") {
      throw new RaftError(
        "invalid-argument",
        `a ${op.kind} is a command, not a query; accepted query: {kind:"get",key}`,
      );
    }
    return op;
  }
}
