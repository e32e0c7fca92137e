import { RE2JS } from 're2js';
import type { Check, DiffPart, TestExpectations } from './golden-tests.schemas.js';

/** What one turn produced, as the checks see it. */
export interface TurnOutcome {
  startStageId: string;
  stageId: string;
  stageName: (id: string) => string;
  selectionError: string | null;
  extracted: Record<string, unknown>;
  extractionError: string | null;
  reply: string;
  fallback: boolean;
}

const quote = (value: unknown) => JSON.stringify(value) ?? 'undefined';

/** Structural equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * Patterns are written by editors and run on model output, so they run on RE2 (re2js, pure JS):
 * matching is linear in the text, whatever the pattern (`(a+)+$` cannot backtrack). The syntax is
 * JavaScript's for the common parts (classes, `\d \w \s \b`, quantifiers, groups, `(?i)`); what
 * needs backtracking (lookaround, backreferences) is refused when the case is saved.
 */
const compiled = new Map<string, RE2JS>();
const MAX_COMPILED = 500;
function regex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** The text a pattern looks at: model output is long at most by its token limit, this bounds it anyway. */
export const MAX_MATCHED_CHARS = 100_000;
export const patternMatches = (pattern: string, text: string) =>
  regex(pattern)
    .matcher(text.length > MAX_MATCHED_CHARS ? text.slice(0, MAX_MATCHED_CHARS) : text)
    .find();

/** Per field, why its pattern cannot be used (RE2 cannot compile it). */
export function invalidPatterns(expectations: TestExpectations): Record<string, string> {
  const errors: Record<string, string> = {};
  const tryCompile = (field: string, pattern: string | undefined) => {
    if (pattern === undefined) return;
    try {
      regex(pattern);
    } catch (error) {
      errors[field] =
        `is not a pattern RE2 accepts (${(error as Error).message}); lookaround and backreferences are not supported`;
    }
  };
  expectations.fields?.forEach((f, i) => {
    if (f.op === 'matches') {
      if (f.pattern === undefined) errors[`expectations.fields.${i}.pattern`] = 'is required for matches';
      tryCompile(`expectations.fields.${i}.pattern`, f.pattern);
    }
    if (f.op === 'equals' && f.value === undefined)
      errors[`expectations.fields.${i}.value`] = 'is required for equals';
  });
  tryCompile('expectations.reply.matches', expectations.reply?.matches);
  if (expectations.stage?.mode === 'exactly' && !expectations.stage.stage_id) {
    errors['expectations.stage.stage_id'] = 'is required when mode is exactly';
  }
  return errors;
}

/** Whether the expectations check anything at all (a case that checks nothing cannot fail). */
export function hasExpectations(e: TestExpectations): boolean {
  const r = e.reply ?? {};
  return Boolean(
    e.stage ||
      (e.fields && e.fields.length > 0) ||
      r.contains?.length ||
      r.not_contains?.length ||
      r.matches ||
      r.max_length ||
      r.rubric,
  );
}

export function stageChecks(e: TestExpectations, o: TurnOutcome): Check[] {
  if (!e.stage) return [];
  if (o.selectionError) {
    return [
      {
        check: `stage ${e.stage.mode}`,
        passed: false,
        reason: `stage selection failed: ${o.selectionError}`,
      },
    ];
  }
  const want = e.stage.mode === 'stays' ? o.startStageId : (e.stage.stage_id as string);
  const passed = o.stageId === want;
  const label = e.stage.mode === 'stays' ? 'stage stays' : `stage is ${o.stageName(want)}`;
  return [
    {
      check: label,
      passed,
      reason: passed
        ? `selected ${o.stageName(o.stageId)}`
        : `expected ${o.stageName(want)}${e.stage.mode === 'stays' ? ' (stay)' : ''}, selected ${o.stageName(o.stageId)}`,
    },
  ];
}

export function fieldChecks(e: TestExpectations, o: TurnOutcome): Check[] {
  return (e.fields ?? []).map((f) => {
    const present = Object.hasOwn(o.extracted, f.key);
    const value = o.extracted[f.key];
    const check = `field ${f.key} ${f.op}`;
    if (o.extractionError && f.op !== 'absent') {
      return { check, passed: false, reason: `extraction failed: ${o.extractionError}` };
    }
    if (f.op === 'absent') {
      return present
        ? { check, passed: false, reason: `extracted ${quote(value)}` }
        : { check, passed: true, reason: 'not extracted' };
    }
    if (!present) return { check, passed: false, reason: 'not extracted' };
    if (f.op === 'equals') {
      const passed = jsonEqual(value, f.value);
      return {
        check,
        passed,
        reason: passed
          ? `extracted ${quote(value)}`
          : `expected ${quote(f.value)}, extracted ${quote(value)}`,
      };
    }
    const text = typeof value === 'string' ? value : quote(value);
    const passed = patternMatches(f.pattern as string, text);
    return {
      check: `${check} /${f.pattern}/`,
      passed,
      reason: passed ? `extracted ${quote(value)}` : `extracted ${quote(value)}, which does not match`,
    };
  });
}

/** The reply checks that need no model (the rubric is judged separately). */
export function replyChecks(e: TestExpectations, o: TurnOutcome): Check[] {
  const r = e.reply;
  if (!r) return [];
  const checks: Check[] = [];
  const lower = o.reply.toLowerCase();
  const note = o.fallback ? ' (the fallback reply: the model did not answer)' : '';
  for (const text of r.contains ?? []) {
    const passed = lower.includes(text.toLowerCase());
    checks.push({
      check: `reply contains ${quote(text)}`,
      passed,
      reason: passed ? 'found' : `not found in the reply${note}`,
    });
  }
  for (const text of r.not_contains ?? []) {
    const passed = !lower.includes(text.toLowerCase());
    checks.push({
      check: `reply does not contain ${quote(text)}`,
      passed,
      reason: passed ? 'not found' : `found in the reply${note}`,
    });
  }
  if (r.matches) {
    const passed = patternMatches(r.matches, o.reply);
    checks.push({
      check: `reply matches /${r.matches}/`,
      passed,
      reason: passed ? 'matches' : `does not match${note}`,
    });
  }
  if (r.max_length) {
    const passed = o.reply.length <= r.max_length;
    checks.push({
      check: `reply at most ${r.max_length} characters`,
      passed,
      reason: `${o.reply.length} characters`,
    });
  }
  return checks;
}

const MAX_DIFF_WORDS = 400;

/** Word diff (longest common subsequence) from `a` to `b`; past 400 words the rest is one replacement. */
export function wordDiff(a: string, b: string): DiffPart[] {
  const split = (s: string) => s.split(/(\s+)/).filter((w) => w !== '');
  const wa = split(a);
  const wb = split(b);
  const ha = wa.slice(0, MAX_DIFF_WORDS);
  const hb = wb.slice(0, MAX_DIFF_WORDS);
  const n = ha.length;
  const m = hb.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as Uint16Array;
      row[j] =
        ha[i] === hb[j]
          ? ((lcs[i + 1] as Uint16Array)[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as Uint16Array)[j] as number, row[j + 1] as number);
    }
  }
  const parts: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else parts.push({ op, text });
  };
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ha[i] === hb[j]) {
      push('same', ha[i] as string);
      i++;
      j++;
    } else if (((lcs[i + 1] as Uint16Array)[j] as number) >= ((lcs[i] as Uint16Array)[j + 1] as number)) {
      push('removed', ha[i++] as string);
    } else {
      push('added', hb[j++] as string);
    }
  }
  while (i < n) push('removed', ha[i++] as string);
  while (j < m) push('added', hb[j++] as string);
  if (wa.length > n) push('removed', wa.slice(n).join(''));
  if (wb.length > m) push('added', wb.slice(m).join(''));
  return parts;
}
