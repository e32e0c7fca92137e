import { describe, expect, it } from 'vitest';
import { roundOrder } from '../../bench/round-order.js';

/** How often each server runs first, and right after each other server, over `rounds` rounds. */
function tally(servers: string[], rounds: number) {
  const first = new Map<string, number>();
  const after = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    const order = roundOrder(servers, round);
    first.set(order[0] as string, (first.get(order[0] as string) ?? 0) + 1);
    for (let i = 1; i < order.length; i++) {
      const pair = `${order[i - 1]}→${order[i]}`;
      after.set(pair, (after.get(pair) ?? 0) + 1);
    }
  }
  return { first, after };
}

describe("the interleaved bench's round order", () => {
  it('runs three servers in their six orders over six rounds', () => {
    const orders = Array.from({ length: 6 }, (_, round) =>
      roundOrder(['floor', 'product', 'schema'], round).join(','),
    );
    expect(new Set(orders).size).toBe(6);
    expect(orders[0]).toBe('floor,product,schema');
  });

  it.each([[['floor', 'product']], [['floor', 'product', 'schema']]])(
    'puts each of %j first, and right after each other one, equally often',
    (servers) => {
      const { first, after } = tally(servers, 2 * servers.length);
      expect(new Set(first.values())).toEqual(new Set([2]));
      expect(first.size).toBe(servers.length);
      expect(after.size).toBe(servers.length * (servers.length - 1));
      expect(new Set(after.values()).size).toBe(1);
    },
  );

  it('puts each of four servers first twice in eight rounds', () => {
    const { first } = tally(['floor', 'product', 'variant', 'schema'], 8);
    expect([...first.values()]).toEqual([2, 2, 2, 2]);
  });

  it('leaves the servers it is given as they are', () => {
    const servers = ['a', 'b', 'c'];
    roundOrder(servers, 3);
    expect(servers).toEqual(['a', 'b', 'c']);
  });
});
