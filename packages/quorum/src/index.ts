/**
 * @distkit/quorum (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/quorum";
 * ``` */
export const VERSION = "0.1.0";
