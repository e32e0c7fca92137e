import { parseStorableJson } from '../lib/storable-text.js';

export interface StageRef {
  stageId: string;
  stageName: string;
}

const normalise = (value: string) =>
  value
    .trim()
    .replace(/^["'`*\s]+|["'`*.\s]+$/g, '')
    .toLowerCase();

/**
 * The stage a model named, as one of *this business's* stages. Accepts a bare name or id, a quoted
 * one, or JSON such as `{"stage": "Booking"}`; anything else is `null` (the conversation stays).
 */
export function parseStageAnswer(raw: string, stages: readonly StageRef[]): string | null {
  const candidates: string[] = [];
  let prose = false;
  const trimmed = raw.trim();
  if (!trimmed) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'string') candidates.push(parsed);
    else if (parsed && typeof parsed === 'object') {
      for (const value of Object.values(parsed)) if (typeof value === 'string') candidates.push(value);
    }
  } catch {
    prose = true;
    candidates.push(trimmed, trimmed.split('\n')[0] ?? '');
  }
  for (const candidate of candidates) {
    const wanted = normalise(candidate);
    const match = stages.find((s) => s.stageId.toLowerCase() === wanted || normalise(s.stageName) === wanted);
    if (match) return match.stageId;
  }
  return prose ? mentionedStage(trimmed, stages) : null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Plain prose from a model without structured output ("The customer wants Billing."): the one stage
 * whose name appears as a whole word. Two different stages named, or none: null (stay).
 */
function mentionedStage(text: string, stages: readonly StageRef[]): string | null {
  const lowered = text.toLowerCase();
  const named = stages.filter((stage) => {
    const name = stage.stageName.trim().toLowerCase();
    return (
      name !== '' &&
      new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(name)}($|[^\\p{L}\\p{N}_])`, 'u').test(lowered)
    );
  });
  // "Billing" inside "Billing disputes": prefer the longest name when one contains the others.
  const longest = named.sort((a, b) => b.stageName.length - a.stageName.length)[0];
  if (!longest) return null;
  const longName = longest.stageName.toLowerCase();
  return named.every((stage) => longName.includes(stage.stageName.toLowerCase())) ? longest.stageId : null;
}

/** A JSON object from the model (also inside a ```json fence); anything else means nothing extracted. */
export function parseExtractionAnswer(raw: string): Record<string, unknown> {
  const fenced = raw.match(/```(?:json)?\s*([\s\S]*?)```/i)?.[1] ?? raw;
  const start = fenced.indexOf('{');
  const end = fenced.lastIndexOf('}');
  if (start === -1 || end <= start) return {};
  try {
    const parsed = parseStorableJson(fenced.slice(start, end + 1));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return cleanFacts(parsed as Record<string, unknown>);
  } catch {
    return {};
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Keeps facts with usable keys and values; drops nulls, empty strings and "unknown"-like placeholders. */
export function cleanFacts(facts: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (!KEY.test(key) || value === null || value === undefined) continue;
    if (typeof value === 'string') {
      const text = value.trim();
      if (!text || /^(n\/a|null|none|unknown|not provided)$/i.test(text)) continue;
      result[key] = text.slice(0, 2000);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      result[key] = value;
    } else if (typeof value === 'object') {
      const json = JSON.stringify(value);
      if (json !== '{}' && json !== '[]' && json.length <= 5000) result[key] = value;
    }
  }
  return result;
}
