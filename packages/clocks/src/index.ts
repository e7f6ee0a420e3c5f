/**
 * @distkit/clocks (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/clocks";
 * ``` */
export const VERSION = "0.1.0";
