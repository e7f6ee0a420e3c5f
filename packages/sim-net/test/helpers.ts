import type { Message, NodeContext, NodeId, SimNode } from "../src/index.js";

/** A node that records what it receives and can be told to send. */
export class Recorder implements SimNode<Message> {
  readonly received: { from: NodeId; message: Message; localMs: number }[] = [];
  constructor(readonly ctx: NodeContext<Message>) {}
  onMessage(from: NodeId, message: Message): void {
    this.received.push({ from, message, localMs: this.ctx.now() });
  }
}

export type Seq = { readonly type: "seq"; readonly i: number };

/** Mean of numbers. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Minimal XML well-formedness check: balanced tags, properly quoted attributes, no stray `<` or `&`. */
export function checkWellFormedXml(xml: string): string | null {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) return `bad entity in text near ${i}`;
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (m === null) return `malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`;
    const [, close, name, , selfClose] = m;
    if (close === "/") {
      const open = stack.pop();
      if (open !== name) return `closing </${name}> does not match <${open ?? "(none)"}> at ${lt}`;
    } else if (selfClose !== "/") stack.push(name as string);
    i = tag.lastIndex;
  }
  return stack.length === 0 ? null : `unclosed tags: ${stack.join(", ")}`;
}
