/** USD per million tokens (input, output) for common models; unknown models cost 0 (shown as such). */
const PRICES: Array<[RegExp, number, number]> = [
  [/^gpt-4o-mini/, 0.15, 0.6],
  [/^gpt-4o/, 2.5, 10],
  [/^gpt-4\.1-nano/, 0.1, 0.4],
  [/^gpt-4\.1-mini/, 0.4, 1.6],
  [/^gpt-4\.1/, 2, 8],
  [/^gpt-5-nano/, 0.05, 0.4],
  [/^gpt-5-mini/, 0.25, 2],
  [/^gpt-5/, 1.25, 10],
  [/^o4-mini/, 1.1, 4.4],
  [/^claude-.*haiku/, 0.8, 4],
  [/^claude-.*sonnet/, 3, 15],
  [/^claude-.*opus/, 15, 75],
];

// Each model's price, looked up once: a call's model is one of a deployment's few (allowedModels).
const priceByModel = new Map<string, [number, number] | null>();

export function estimateCostUsd(model: string, tokensIn: number, tokensOut: number): number {
  let price = priceByModel.get(model);
  if (price === undefined) {
    const entry = PRICES.find(([pattern]) => pattern.test(model));
    price = entry ? [entry[1], entry[2]] : null;
    priceByModel.set(model, price);
  }
  if (!price) return 0;
  return (tokensIn * price[0] + tokensOut * price[1]) / 1_000_000;
}
