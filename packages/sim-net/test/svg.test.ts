import { describe, expect, it } from "vitest";
import { type Message, Simulation, escapeXml } from "../src/index.js";
import { Recorder, checkWellFormedXml } from "./helpers.js";

function run(): Simulation {
  const sim = new Simulation({
    seed: 4,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 4 }, lossRate: 0.1 },
  });
  for (const id of ["alpha", "beta", "gamma"]) {
    sim.addNode(id, (ctx) => {
      const r = new Recorder(ctx);
      return Object.assign(r, {
        onStart: () => {
          const tick = (): void => {
            ctx.send(ctx.random.pick(ctx.peers), { type: "note", text: `<b>&"quoted"'${id}'` } as Message);
            ctx.setTimer(5, tick, "tick");
          };
          tick();
          ctx.log("started <here>", { id });
        },
      });
    });
  }
  sim.schedule(30, () => sim.partition(["alpha"], ["beta", "gamma"]));
  sim.schedule(40, () => sim.crash("gamma"));
  sim.schedule(60, () => sim.heal());
  sim.schedule(70, () => sim.restart("gamma"));
  sim.runFor(100);
  return sim;
}

describe("SVG space-time diagram", () => {
  it("is well-formed XML with a lane per node, arrows, drops, bands and escaped titles", () => {
    const sim = run();
    const svg = sim.trace.toSVG({ showTimers: true, title: "a <test> & more" });
    expect(checkWellFormedXml(svg)).toBeNull();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<g class="lane"/g)?.length).toBe(3);
    expect(svg).toContain('data-node="beta"');
    const delivered = sim.trace.events.filter((e) => e.kind === "deliver").length;
    const dropped = sim.trace.events.filter((e) => e.kind === "drop").length;
    expect(delivered).toBeGreaterThan(20);
    expect(dropped).toBeGreaterThan(3);
    expect(svg.match(/<g class="msg">/g)?.length).toBe(delivered);
    expect(svg.match(/<g class="msg dropped">/g)?.length).toBe(dropped);
    expect(svg).toContain('class="crash"');
    expect(svg).toContain('class="partition"');
    expect(svg).toContain('class="timer"');
    expect(svg).toContain('class="log"');
    // Payload JSON appears escaped in the hover titles.
    expect(svg).toContain("&lt;b&gt;&amp;\\&quot;quoted\\&quot;&apos;alpha&apos;");
    expect(svg).toContain("a &lt;test&gt; &amp; more");
    expect(svg).not.toContain("<b>");
  });

  it("respects maxMessages and the time window", () => {
    const sim = run();
    const svg = sim.trace.toSVG({ maxMessages: 10 });
    expect(svg.match(/<g class="msg/g)?.length).toBe(10);
    expect(svg).toMatch(/more not drawn/);
    const window = sim.trace.toSVG({ fromMs: 80, toMs: 90 });
    expect(checkWellFormedXml(window)).toBeNull();
    const inWindow = sim.trace.events.filter(
      (e) => (e.kind === "deliver" || e.kind === "drop") && e.atMs >= 80 && e.sentAtMs <= 90,
    ).length;
    expect(window.match(/<g class="msg/g)?.length).toBe(inWindow);
    expect(() => sim.trace.toSVG({ fromMs: 10, toMs: 5 })).toThrow(/window is empty/);
  });

  it("draws only the selected lanes, in the given order", () => {
    const sim = run();
    const svg = sim.trace.toSVG({ nodes: ["gamma", "alpha"] });
    expect(checkWellFormedXml(svg)).toBeNull();
    expect([...svg.matchAll(/data-node="(\w+)"/g)].map((m) => m[1])).toEqual(["gamma", "alpha"]);
    const between = sim.trace.events.filter(
      (e) =>
        (e.kind === "deliver" || e.kind === "drop") &&
        ["gamma", "alpha"].includes(e.from) &&
        ["gamma", "alpha"].includes(e.to),
    ).length;
    expect(svg.match(/<g class="msg/g)?.length).toBe(between);
    expect(svg).toContain('class="crash"'); // gamma crashed
    expect(() => sim.trace.toSVG({ nodes: ["nope"] })).toThrow(/not a node/);
  });

  it("sizes follow laneWidthPx and heightPx", () => {
    const svg = run().trace.toSVG({ laneWidthPx: 200, heightPx: 1000 });
    const [, width, height] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg) ?? [];
    expect(Number(width)).toBe(90 + 3 * 200 + 20);
    expect(Number(height)).toBe(70 + 1000 + 40);
    expect(() => run().trace.toSVG({ maxMessages: -1 })).toThrow(/maxMessages/);
  });

  it("escapeXml handles all special characters and control characters", () => {
    expect(escapeXml(`<a b="c" d='e'>&</a>`)).toBe(
      "&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;&lt;/a&gt;",
    );
    expect(escapeXml("x\u0001y\u0009z")).toBe("x y\u0009z");
    expect(escapeXml("\ud800x")).toBe("\ufffdx");
    expect(escapeXml("😀")).toBe("😀");
  });

  it("the checker used here rejects malformed XML", () => {
    expect(checkWellFormedXml("<svg><g></svg>")).not.toBeNull();
    expect(checkWellFormedXml("<svg>a & b</svg>")).not.toBeNull();
    expect(checkWellFormedXml('<svg><rect x="1"/></svg>')).toBeNull();
  });
});
