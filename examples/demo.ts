/**
 * The README's demo: the article's single-instance configuration under growing load, then gossip
 * under a partition, with the space-time diagram of the gossip run written to out/demo-gossip.svg.
 *
 * Run: pnpm start
 */
import { printGossip } from "./gossip.js";
import { runSingleInstance } from "./single-instance.js";

runSingleInstance(2_000);
console.log();
printGossip("out/demo-gossip.svg");
