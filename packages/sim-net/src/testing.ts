/**
 * Testing helpers for @distkit/sim-net (fast-check arbitraries). Work in progress.
 * @module
 */
/** Placeholder. @example ```ts
 * import { TESTING } from "@distkit/sim-net/testing";
 * ``` */
export const TESTING = true;
