// fast-check's seed for every property that does not set its own: fixed in CI (so a red run is
// reproducible by anyone with the same commit), random locally (so every local run explores new
// cases). Either way fast-check prints the seed and path of a failure; FC_SEED=<n> replays a run.
import fc from "fast-check";

const fromEnv = process.env["FC_SEED"];
const seed = fromEnv !== undefined ? Number(fromEnv) : process.env["CI"] === "true" ? 20261125 : undefined;
if (seed !== undefined) {
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${fromEnv}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
