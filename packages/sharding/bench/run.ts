// Benchmark not written yet (see README "Not done yet"); this prints that instead of figures.
console.log("@distkit/sharding bench: not implemented yet; no figures measured.");
