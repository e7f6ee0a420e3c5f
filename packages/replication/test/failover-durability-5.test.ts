/** Issue 12 durability tests over 5 replicas (see failover-suite.ts). */
import { failoverDurabilitySuite } from "./failover-suite.js";

failoverDurabilitySuite(5);
