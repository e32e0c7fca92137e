/** USD per million tokens (input, output) for common models; unknown models cost 0 (shown as such). */
const PRICES = [
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
export function estimateCostUsd(model, tokensIn, tokensOut) {
    const entry = PRICES.find(([pattern]) => pattern.test(model));
    if (!entry)
        return 0;
    return (tokensIn * entry[1] + tokensOut * entry[2]) / 1_000_000;
}
//# sourceMappingURL=model-pricing.js.map