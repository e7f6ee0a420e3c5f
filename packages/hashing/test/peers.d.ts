// Minimal declarations for the benchmark and test peers, which ship no types.
declare module "consistent-hash" {
  class ConsistentHash {
    constructor(options?: { range?: number; weight?: number; distribution?: "random" | "uniform" });
    add(node: string, weight?: number): this;
    remove(node: string): this;
    get(name: string): string | null;
    get(name: string, count: number): string[] | null;
  }
  export = ConsistentHash;
}

declare module "hashring" {
  class HashRing {
    constructor(
      servers: string[] | Record<string, number | { weight?: number; vnodes?: number }>,
      algorithm?: string,
      options?: Record<string, unknown>,
    );
    get(key: string): string;
    range(key: string, size?: number, unique?: boolean): string[];
    add(server: string): this;
    remove(server: string): this;
  }
  export = HashRing;
}
