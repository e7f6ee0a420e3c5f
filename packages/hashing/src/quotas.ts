import type { Member, MemberId } from "./member.js";
import { totalWeight } from "./member.js";

/**
 * Weight-proportional integer quotas of `total` units (slots, hash values), summing to `total`: each member
 * gets the floor of its exact share, and the units left go one each by largest remainder (ties by the order
 * of `members`). @internal
 */
export function weightQuotas(members: readonly Member[], total: number): Map<MemberId, number> {
  const weight = totalWeight(members);
  const out = new Map<MemberId, number>();
  const rest: { id: MemberId; frac: number; order: number }[] = [];
  let given = 0;
  members.forEach((m, order) => {
    const exact = (m.weight / weight) * total;
    const q = Math.floor(exact);
    out.set(m.id, q);
    given += q;
    rest.push({ id: m.id, frac: exact - q, order });
  });
  rest.sort((x, y) => y.frac - x.frac || x.order - y.order);
  for (let k = 0; given < total; k++, given++) {
    const r = rest[k % rest.length]!;
    out.set(r.id, out.get(r.id)! + 1);
  }
  return out;
}
