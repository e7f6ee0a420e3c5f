/**
 * @distkit/crdt (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/crdt";
 * ``` */
export const VERSION = "0.1.0";
