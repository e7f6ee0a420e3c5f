/**
 * @distkit/replication (work in progress).
 * @module
 */

/** Package version. @example ```ts
 * import { VERSION } from "@distkit/replication";
 * ``` */
export const VERSION = "0.1.0";
