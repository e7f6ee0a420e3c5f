/**
 * @distkit/hashing (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/hashing";
 * ``` */
export const VERSION = "0.1.0";
