/**
 * A JSON value: what keys map to and what travels in messages.
 *
 * @example
 * ```ts
 * import type { Json } from "@distkit/quorum";
 * const cart: Json = { items: ["apple", "pear"], total: 2 };
 * ```
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
