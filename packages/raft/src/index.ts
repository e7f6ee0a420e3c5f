/**
 * @distkit/raft (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/raft";
 * ``` */
export const VERSION = "0.1.0";
