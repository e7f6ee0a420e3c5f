import { HashRing } from "@distkit/hashing";
import { type PlacementStrategy, partitionerPlacement } from "../src/index.js";

/** Consistent hashing with 160 virtual nodes per member (@distkit/hashing). */
export function benchPlacement(members: readonly string[]): PlacementStrategy {
  return partitionerPlacement(HashRing.create(members));
}
