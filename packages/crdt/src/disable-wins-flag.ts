import type { CrdtType, Crdt } from "./crdt.js";
import { allLive, DotKernel } from "./dot-kernel.js";
import { CrdtError } from "./errors.js";
import { asBool, bytesEqual, checkReplicaId, type ReplicaId } from "./json.js";

const KIND = "dw-flag";
const GROUP = (): string => "";

/**
 * Disable-wins flag: `enable` and `disable` both replace the observed dots with a fresh dot tagged on or off; the flag is on iff it has dots and all are on, so a disable concurrent with an enable wins.
 *
 * @example
 * ```ts
 * import { DisableWinsFlag } from "@distkit/crdt";
 * const a = new DisableWinsFlag("a");
 * const b = new DisableWinsFlag("b");
 * b.merge(a.enable());
 * a.enable(); // concurrently, b disables
 * b.disable();
 * a.merge(b).value(); // false
 * ```
 */
export class DisableWinsFlag implements Crdt<DisableWinsFlag, boolean> {
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
   * import { DisableWinsFlag } from "@distkit/crdt";
   * const f = DisableWinsFlag.type().create("a");
   * ```
   */
  static type(): CrdtType<DisableWinsFlag> {
    return {
      kind: KIND,
      create: (r) => new DisableWinsFlag(r),
      decode: (b, r) => DisableWinsFlag.decode(b, r),
    };
  }

  /** Turns the flag on; returns the delta. */
  enable(): DisableWinsFlag {
    const delta = new DisableWinsFlag(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, true, true);
    return delta;
  }

  /** Turns the flag off; returns the delta. */
  disable(): DisableWinsFlag {
    const delta = new DisableWinsFlag(this.replicaId);
    delta.kernel = this.kernel.replace(this.replicaId, false, true);
    return delta;
  }

  /** Whether the flag is on (disable wins on concurrent enable and disable; initially off). */
  value(): boolean {
    return allLive(this.kernel.entries.values(), (on) => on);
  }

  /** Join, in place. */
  merge(other: DisableWinsFlag): this {
    if (!(other instanceof DisableWinsFlag))
      throw new CrdtError("type-mismatch", "DisableWinsFlag.merge expects a DisableWinsFlag");
    this.kernel.join(other.kernel);
    return this;
  }

  /** Lattice order. */
  leq(other: DisableWinsFlag): boolean {
    return this.kernel.leq(other.kernel);
  }

  /** Lattice equality. */
  equals(other: DisableWinsFlag): boolean {
    return bytesEqual(this.encode(), other.encode());
  }

  /** Deep copy. */
  clone(replicaId: ReplicaId = this.replicaId): DisableWinsFlag {
    const c = new DisableWinsFlag(replicaId);
    c.kernel = this.kernel.clone();
    return c;
  }

  /** UTF-8 JSON `{"t":"dw-flag","v":1,"k":{cc,dots}}`. */
  encode(): Uint8Array {
    return this.kernel.encodeDoc(KIND);
  }

  /**
   * Decodes `encode()` output; throws {@link DecodeError}.
   * @example
   * ```ts
   * import { DisableWinsFlag } from "@distkit/crdt";
   * const f = new DisableWinsFlag("a");
   * f.enable();
   * DisableWinsFlag.decode(f.encode(), "b").value(); // true
   * ```
   */
  static decode(bytes: Uint8Array, replicaId: ReplicaId): DisableWinsFlag {
    const f = new DisableWinsFlag(replicaId);
    f.kernel = DotKernel.decodeDoc<boolean>(bytes, KIND, GROUP, asBool);
    return f;
  }
}
