import { describe, expect, it } from 'vitest';
import {
  fieldChecks,
  invalidPatterns,
  patternMatches,
  replyChecks,
  type TurnOutcome,
} from '../../src/modules/golden-tests/checks.js';

const outcome = (over: Partial<TurnOutcome>): TurnOutcome => ({
  startStageId: 's1',
  stageId: 's1',
  stageName: (id) => id,
  selectionError: null,
  extracted: {},
  extractionError: null,
  reply: '',
  fallback: false,
  ...over,
});

describe('golden test patterns (RE2)', () => {
  it('answers a catastrophic pattern on a long model output instead of backtracking', () => {
    // With a backtracking engine `(a+)+$` on 'aaa…ab' takes exponential time; RE2 is linear.
    const reply = `${'a'.repeat(30_000)}b`;
    const [check] = replyChecks({ reply: { matches: '(a+)+$' } }, outcome({ reply }));
    expect(check).toMatchObject({ passed: false, reason: 'does not match' });
    const [field] = fieldChecks(
      { fields: [{ key: 'code', op: 'matches', pattern: '^(a|aa)+$' }] },
      outcome({ extracted: { code: `${'a'.repeat(20_000)}!` } }),
    );
    expect(field?.passed).toBe(false);
    expect(patternMatches('(a+)+$', 'a'.repeat(30_000))).toBe(true);
  });

  it('keeps the JavaScript syntax of common patterns', () => {
    expect(patternMatches('^\\d{3}-\\d{4}$', '555-1234')).toBe(true);
    expect(patternMatches('^\\d{3}-\\d{4}$', '555-12345')).toBe(false);
    expect(patternMatches('[\\w.]+@[\\w.]+\\.\\w+', 'write to a.b@example.com')).toBe(true);
    expect(patternMatches('\\bcar\\b', 'a car here')).toBe(true);
    expect(patternMatches('\\bcar\\b', 'scary')).toBe(false);
    expect(patternMatches('(?i)thank(s| you)', 'THANK YOU')).toBe(true);
    expect(patternMatches('(?i)thank(s| you)', 'thanked')).toBe(false);
    expect(patternMatches('colou?r', 'the color')).toBe(true);
    expect(patternMatches('^€\\d+', '€40')).toBe(true);
  });

  it('refuses, naming the field, what RE2 cannot compile', () => {
    const errors = invalidPatterns({
      fields: [
        { key: 'a', op: 'matches', pattern: '^ok$' },
        { key: 'b', op: 'matches', pattern: '(?<=x)y' },
      ],
      reply: { matches: '(a)\\1' },
    });
    expect(Object.keys(errors).sort()).toEqual([
      'expectations.fields.1.pattern',
      'expectations.reply.matches',
    ]);
    expect(errors['expectations.reply.matches']).toMatch(/RE2/);
    expect(invalidPatterns({ reply: { matches: '(unclosed' } })).toHaveProperty([
      'expectations.reply.matches',
    ]);
  });
});
