/**
 * @distkit/sim-net: a deterministic discrete-event simulator of nodes on a network.
 * @module
 */
export type {
  DurableStorage,
  Message,
  NodeContext,
  NodeFactory,
  NodeId,
  Random,
  SimNode,
  TimerId,
} from "./contract.js";
