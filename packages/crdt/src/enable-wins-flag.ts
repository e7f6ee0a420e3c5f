import type { CrdtType, Crdt } from "./crdt.js";
import { DotKernel } from "./dot-kernel.js";
import { CrdtError } from "./errors.js";
import { asBool, bytesEqual, checkReplicaId, type ReplicaId } from "./json.js";

const KIND = "ew-flag";
const GROUP = (): string => "";

/**
 * Enable-wins flag: `enable` adds a fresh dot, `disable` forgets the observed dots; the flag is on iff a dot is live, so an enable concurrent with a disable wins.
 *
 * @example
 * ```ts
 * import { EnableWinsFlag } from "@distkit/crdt";
 * const a = new EnableWinsFlag("a");
 * const b = new EnableWinsFlag("b");
 * b.merge(a.enable());
 * a.disable(); // concurrently, b enables again
 * b.enable();
 * a.merge(b).value(); // true
 * ```
 */
export class EnableWinsFlag implements Crdt<EnableWinsFlag, boolean> {
  /** Kind tag. */
  readonly kind = KIND;
  /** The replica this instance acts as. */
  readonly replicaId: ReplicaId;
  private kernel: DotKernel<boolean>;

  /** @param replicaId - the replica this instance acts as */
  constructor(replicaId: ReplicaId) {
    checkReplicaId(replicaId);
    this.replicaId = replicaId;
    this.kernel = new DotKernel<boolean>(GROUP);
  }

  /**
   * A {@link CrdtType} descriptor.
   * @example
   * ```ts
   * import { EnableWinsFlag } from "@distkit/crdt";
   * const f = EnableWinsFlag.type().create("a");
   * ```
   */
  static type(): CrdtType<EnableWinsFlag> {
    return {
      kind: KIND,
      create: (r) => new EnableWinsFlag(r),
      decode: (b, r) => EnableWinsFlag.decode(b, r),
    };
  }

  /** Turns the flag on; returns the delta. */
  enable(): EnableWinsFlag {
    const delta = new EnableWinsFlag(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, true, true);
    return delta;
  }

  /** Turns the flag off; returns the delta. */
  disable(): EnableWinsFlag {
    const delta = new EnableWinsFlag(this.replicaId);
    delta.kernel = this.kernel.remove(null);
    return delta;
  }

  /** Whether the flag is on (enable wins on concurrent enable and disable; initially off). */
  value(): boolean {
    return this.kernel.entries.size > 0;
  }

  /** Join, in place. */
  merge(other: EnableWinsFlag): this {
    if (!(other instanceof EnableWinsFlag))
      throw new CrdtError("type-mismatch", "EnableWinsFlag.merge expects a EnableWinsFlag");
    this.kernel.join(other.kernel);
    return this;
  }

  /** Lattice order. */
  leq(other: EnableWinsFlag): boolean {
    return this.kernel.leq(other.kernel);
  }

  /** Lattice equality. */
  equals(other: EnableWinsFlag): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): EnableWinsFlag {
    const c = new EnableWinsFlag(replicaId);
    c.kernel = this.kernel.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"ew-flag","v":1,"k":{cc,dots}}`. */
  encode(): Uint8Array {
    return this.kernel.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { EnableWinsFlag } from "@distkit/crdt";
   * const f = new EnableWinsFlag("a");
   * f.enable();
   * EnableWinsFlag.decode(f.encode(), "b").value(); // true
   * ```
   */
  static decode(bytes: Uint8Array, replicaId: ReplicaId): EnableWinsFlag {
    const f = new EnableWinsFlag(replicaId);
    f.kernel = DotKernel.decodeDoc<boolean>(bytes, KIND, GROUP, asBool);
    return f;
  }
}
