/**
 * The order of the servers in round `round` of an interleaved scenario: their order rotated by one
 * every second round, and reversed in the odd rounds. In twice as many rounds as servers each one is
 * first twice, and with two or three servers each runs right after each of the others equally often
 * (three servers' six rounds are their six orders), so that whatever one server leaves to the next
 * (PostgreSQL's caches, the machine's state) falls on each alike: a plain rotation of three put the
 * server started last right after the product in most rounds.
 */
export function roundOrder<T>(servers: readonly T[], round: number): T[] {
  const shift = Math.floor(round / 2) % servers.length;
  const rotated = [...servers.slice(shift), ...servers.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}
