/**
 * A shopping cart edited on two devices that are offline for days (the article's "mobile device that
 * can go offline"), then reconnect.
 *
 * - CRDT cart: an OR-Map from item to a PN-Counter quantity. Both devices' edits survive the merge:
 *   quantities added on each side are summed, and an item removed on one side while the other side
 *   increased it is kept (add-wins), so nothing the user did silently disappears.
 * - LWW cart: the whole cart is one last-writer-wins register. The device that wrote last wins and
 *   the other device's edits are lost.
 *
 * Run: cd /work/main && npx tsx --conditions=source examples/crdt-shopping-cart.ts
 */
import { type LwwTimestamp, LWWRegister, ORMap, PNCounter } from "@distkit/crdt";

type Cart = Record<string, number>;
const DAY_MS = 24 * 60 * 60 * 1000;
const at = (day: number, replicaId: string): LwwTimestamp => ({
  wallMs: day * DAY_MS,
  logical: 0,
  replicaId,
});
const show = (m: ReadonlyMap<string, number>): string =>
  [...m].map(([item, qty]) => `${item} x${qty}`).join(", ") || "(empty)";

// ---- CRDT cart -------------------------------------------------------------------------------
const phone = new ORMap("phone", PNCounter.type());
const laptop = new ORMap("laptop", PNCounter.type());

// Day 0, online: the household starts a cart on the phone; the laptop syncs.
laptop.merge(phone.update("milk", (q) => q.increment(1)));
laptop.merge(phone.update("bread", (q) => q.increment(1)));

// Days 1 to 3, both offline. Deltas are kept in an outbox until the devices reconnect.
const phoneOutbox = [
  phone.update("milk", (q) => q.increment(1)), // one more milk
  phone.remove("bread"), // bread no longer needed...
  phone.update("coffee", (q) => q.increment(1)),
];
const laptopOutbox = [
  laptop.update("bread", (q) => q.increment(1)), // ...but the laptop user wants two loaves now
  laptop.update("eggs", (q) => q.increment(12)),
];
console.log("CRDT cart while offline");
console.log(`  phone : ${show(phone.value())}`);
console.log(`  laptop: ${show(laptop.value())}`);

// Day 4, reconnect: exchange the deltas (order and duplicates do not matter).
for (const d of phoneOutbox) laptop.merge(d);
for (const d of laptopOutbox) phone.merge(d);
for (const d of laptopOutbox) phone.merge(d); // a duplicated delivery is harmless
console.log("CRDT cart after reconnecting");
console.log(`  phone : ${show(phone.value())}`);
console.log(`  laptop: ${show(laptop.value())}`);
console.log(
  `  converged: ${phone.equals(laptop)}; every edit kept (milk x2, bread kept by add-wins, coffee, eggs)`,
);

// ---- LWW cart --------------------------------------------------------------------------------
const phoneLww = new LWWRegister<Cart>("phone");
const laptopLww = new LWWRegister<Cart>("laptop");
laptopLww.merge(phoneLww.set({ milk: 1, bread: 1 }, at(0, "phone")));
phoneLww.set({ milk: 2, coffee: 1 }, at(1, "phone")); // the phone edits on day 1
laptopLww.set({ milk: 1, bread: 2, eggs: 12 }, at(3, "laptop")); // the laptop edits on day 3
phoneLww.merge(laptopLww);
laptopLww.merge(phoneLww);
const lwwCart = new Map(Object.entries(phoneLww.value() ?? {}));
console.log("\nLWW cart after reconnecting (whole cart in one last-writer-wins register)");
console.log(`  phone : ${show(lwwCart)}`);
console.log(`  laptop: ${show(new Map(Object.entries(laptopLww.value() ?? {})))}`);
console.log("  converged too, but the phone's edits (second milk, coffee) are lost: the laptop wrote last");

const crdtCart = phone.value();
if (
  crdtCart.get("milk") !== 2 ||
  crdtCart.get("eggs") !== 12 ||
  !crdtCart.has("coffee") ||
  lwwCart.has("coffee")
) {
  throw new Error("unexpected outcome");
}
