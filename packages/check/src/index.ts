/**
 * @distkit/check (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/check";
 * ``` */
export const VERSION = "0.1.0";
