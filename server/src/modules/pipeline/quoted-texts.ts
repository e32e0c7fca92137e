import type { ProcessingStep } from './message.schemas.js';

/**
 * A step's rendered prompts as JSON string literals, quoted once per turn. Each prompt goes out three
 * times as JSON: in the model's request body, in the call log's row and in the answer's
 * `processing_steps`. Quoting a prompt costs about 1 µs per KB (they hold the conversation's
 * history, quotes and newlines), so the three quotings of a turn's ~7 KB of prompts were ~3 % of
 * its CPU at c=32 (issue 14, thirty-second pass).
 */
export interface QuotedTexts {
  /** The texts quoted, so that a copy of the step with another prompt is not given these. */
  prompt: string;
  system: string;
  promptJson: string;
  systemJson: string;
}

/**
 * Kept on the step under a symbol: object spread (a step copied with a `transition_reason`) keeps it,
 * and neither JSON.stringify nor the response schema's serializer writes it.
 */
const QUOTED = Symbol('quotedTexts');

type WithQuoted = { [QUOTED]?: QuotedTexts };

export function quoteTexts(prompt: string, system: string): QuotedTexts {
  return { prompt, system, promptJson: JSON.stringify(prompt), systemJson: JSON.stringify(system) };
}

export function keepQuotedTexts(step: ProcessingStep, quoted: QuotedTexts) {
  (step as WithQuoted)[QUOTED] = quoted;
}

/** `step.prompt` as a JSON string literal, quoted once when the step kept it. */
export function promptJsonOf(step: ProcessingStep): string {
  const quoted = (step as WithQuoted)[QUOTED];
  return quoted && quoted.prompt === step.prompt ? quoted.promptJson : JSON.stringify(step.prompt);
}

/** `step.system_prompt` as a JSON string literal, quoted once when the step kept it. */
export function systemJsonOf(step: ProcessingStep): string {
  const quoted = (step as WithQuoted)[QUOTED];
  return quoted && quoted.system === step.system_prompt
    ? quoted.systemJson
    : JSON.stringify(step.system_prompt);
}

/**
 * A JSON array of JSON texts, concatenated rather than joined: `join` copies its parts into a new flat
 * string, and `pg` or the socket copies it once more to encode it, where a concatenation is copied
 * only then (a turn's call log and answer, ~15 KB, twice that when a prompt holds a character beyond
 * Latin-1 and every string it is quoted into is two bytes wide).
 */
export function jsonArrayOf(items: readonly string[]): string {
  let json = '[';
  for (let i = 0; i < items.length; i++) json += i === 0 ? items[i] : `,${items[i]}`;
  return `${json}]`;
}
