import type { Message, NodeContext, NodeFactory } from "@distkit/sim-net";
import { describe, expect, it } from "vitest";
import { echo, isClientRequest, replyTo, runWorkload } from "../src/index.js";
import type { WorkbenchNodeFactory } from "../src/index.js";

const short = { durationMs: 500, recoveryMs: 300, seeds: 2 } as const;

/** An echo node that misbehaves on n2 in the given way and answers correctly elsewhere. */
function echoExcept(
  onN2: (ctx: NodeContext, from: string, m: Message & Record<string, unknown>) => void,
): NodeFactory {
  return (ctx) => ({
    onMessage(from, m: Message & Record<string, unknown>) {
      if (ctx.id === "n2") onN2(ctx, from, m);
      else if (isClientRequest(m)) ctx.send(from, replyTo(m, { echo: m.echo ?? null }));
    },
  });
}

function run(nodes: WorkbenchNodeFactory, extra: object = {}) {
  return runWorkload({ workload: echo(), nodes, nodeCount: 3, ...short, ...extra });
}

function problemsOf(r: ReturnType<typeof run>, node: string): string[] {
  return (r.failure?.run.nodes.find((n) => n.id === node)?.problems ?? []).map(
    (p) => `${p.kind}: ${p.detail}`,
  );
}

describe("misbehaving nodes are reported per node, and the runner goes on", () => {
  it("a node that throws in onMessage", () => {
    const r = run(
      echoExcept(() => {
        throw new TypeError("cannot read properties of undefined (reading 'x')");
      }),
    );
    expect(r.valid).toBe(false);
    expect(problemsOf(r, "n2")[0]).toMatch(
      /^threw: TypeError: cannot read properties .* \(in onMessage of echo\)/,
    );
    expect(problemsOf(r, "n1")).toEqual([]);
    expect(r.nodeProblems.n2?.threw).toBe(r.seedsRun);
  });

  it("a node whose factory throws, or returns no onMessage", () => {
    const throwing: NodeFactory = (ctx) => {
      if (ctx.id === "n3") throw new Error("boom in constructor");
      return {
        onMessage: (from, m) => isClientRequest(m) && ctx.send(from, replyTo(m, { echo: m.echo ?? null })),
      };
    };
    expect(problemsOf(run(throwing), "n3")[0]).toMatch(
      /^threw: Error: boom in constructor \(in the node factory\)/,
    );
    const empty = ((ctx: NodeContext) =>
      ctx.id === "n1" ? 42 : { onMessage() {} }) as unknown as NodeFactory;
    expect(problemsOf(run(empty), "n1").join("\n")).toMatch(/invalid-factory: the factory returned 42/);
  });

  it("a node that throws in a timer callback", () => {
    const timerThrows: NodeFactory = (ctx) => ({
      onStart: () =>
        ctx.setTimer(
          5,
          () => {
            throw new RangeError("tick failed");
          },
          "tick",
        ),
      onMessage: (from, m) => isClientRequest(m) && ctx.send(from, replyTo(m, { echo: m.echo ?? null })),
    });
    expect(problemsOf(run(timerThrows), "n1")[0]).toMatch(/threw: RangeError: tick failed \(in timer tick\)/);
  });

  it("a node that sends to an unknown node", () => {
    const r = run(
      echoExcept((ctx, from, m) => {
        ctx.send("n9", { type: "gossip" });
        if (isClientRequest(m)) ctx.send(from, replyTo(m, { echo: m.echo ?? null }));
      }),
    );
    expect(problemsOf(r, "n2")[0]).toMatch(
      /^unknown-destination: send to "n9" \(known: n1, n2, n3 and the clients\)/,
    );
  });

  it("a node that sends something that is not JSON", () => {
    const cases: [unknown, RegExp][] = [
      [{ type: "state", seen: new Set([1]) }, /seen: a Set is not JSON data/],
      [{ type: "state", at: Number.NaN }, /at: NaN is not JSON data/],
      [{ type: "state", f: () => 1 }, /f: a function is not JSON data/],
      [{ kind: "no type" }, /must be an object with a string "type"/],
      ["just a string", /must be an object with a string "type"/],
    ];
    for (const [bad, pattern] of cases) {
      const r = run(
        echoExcept((ctx, from, m) => {
          ctx.send("n1", bad as Message);
          if (isClientRequest(m)) ctx.send(from, replyTo(m, { echo: m.echo ?? null }));
        }),
      );
      expect(problemsOf(r, "n2")[0]).toMatch(/^invalid-message: /);
      expect(problemsOf(r, "n2")[0]).toMatch(pattern);
    }
  });

  it("a node that never answers: a never-answers warning, and echo fails because n2 echoed nothing", () => {
    const r = run(echoExcept(() => {}));
    expect(r.valid).toBe(false);
    expect(problemsOf(r, "n2")[0]).toMatch(/^never-answers: answered none of \d+ client requests/);
    expect(r.failure?.problems.join("\n")).toMatch(/n2 echoed nothing/);
    expect(r.stats.operations.info).toBeGreaterThan(0);
  });

  it("a node that answers with the wrong type or a made-up in_reply_to", () => {
    const wrongType = run(
      echoExcept((ctx, from, m) => {
        if (isClientRequest(m)) ctx.send(from, { type: "echo_okay", in_reply_to: m.msg_id } as Message);
      }),
    );
    expect(problemsOf(wrongType, "n2")[0]).toMatch(
      /malformed-reply: answered echo with type "echo_okay"; expected echo_ok or error/,
    );
    const madeUp = run(
      echoExcept((ctx, from, m) => {
        if (isClientRequest(m))
          ctx.send(from, { type: "echo_ok", in_reply_to: 999_999, echo: m.echo ?? null } as Message);
      }),
    );
    expect(problemsOf(madeUp, "n2")[0]).toMatch(/malformed-reply: in_reply_to 999999 matches no request/);
  });

  it("a message storm is stopped by the event bound and reported as an error verdict", () => {
    const storm: NodeFactory = (ctx) => ({
      onStart: () => ctx.send(ctx.peers[0] as string, { type: "ping" }),
      onMessage: (from, m) => {
        if (m.type === "ping") for (let i = 0; i < 2; i++) ctx.send(from, { type: "ping" });
        else if (isClientRequest(m)) ctx.send(from, replyTo(m, { echo: m.echo ?? null }));
      },
    });
    const r = run(storm, { maxEventsPerRun: 20_000, shrink: false, pictures: false });
    expect(r.valid).toBe(false);
    expect(r.failure?.run.verdict).toBe("error");
    expect(r.failure?.problems[0]).toMatch(/more than 20000 simulated events/);
  });
});
