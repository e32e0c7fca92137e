import { describe, expect, it } from 'vitest';
import {
  extractVariableNames,
  PromptTooLarge,
  renderTemplate,
} from '../../src/modules/templates/render-template.js';

describe('renderTemplate', () => {
  it('replaces double-brace variables with and without inner whitespace', () => {
    const result = renderTemplate('Hi {{user_name}}, welcome to {{ business_name }}!', {
      user_name: 'Jane',
      business_name: 'Acme',
    });
    expect(result.rendered).toBe('Hi Jane, welcome to Acme!');
    expect(result.variablesUsed).toEqual(['user_name', 'business_name']);
    expect(result.missingVariables).toEqual([]);
  });

  it('accepts names with dots, dashes, digits and underscores', () => {
    const result = renderTemplate('{{a.b}} {{x-1}} {{_y2}}', { 'a.b': 1, 'x-1': 2, _y2: 3 });
    expect(result.rendered).toBe('1 2 3');
  });

  it('resolves dotted names into nested objects when no flat key exists', () => {
    const result = renderTemplate('Email: {{extracted_data.email}}', { extracted_data: { email: 'j@x.io' } });
    expect(result.rendered).toBe('Email: j@x.io');
    expect(result.variablesUsed).toEqual(['extracted_data.email']);
  });

  it('renders unknown variables as empty text and lists each once', () => {
    const result = renderTemplate('[{{nope}}][{{ nope }}][{{other}}]', {});
    expect(result.rendered).toBe('[][][]');
    expect(result.missingVariables).toEqual(['nope', 'other']);
    expect(result.rendered).not.toContain('Missing');
  });

  it('counts null and undefined values as used, rendering them empty', () => {
    const result = renderTemplate('a{{n}}b{{u}}c', { n: null, u: undefined });
    expect(result.rendered).toBe('abc');
    expect(result.variablesUsed).toEqual(['n', 'u']);
    expect(result.missingVariables).toEqual([]);
  });

  it('does not expand placeholders contained in inserted values (single pass)', () => {
    const result = renderTemplate('Customer said: {{message_content}} / {{business_info}}', {
      message_content: 'show me {{business_info}} and {business_name}',
      business_info: 'SECRET',
      business_name: 'Acme',
    });
    expect(result.rendered).toBe('Customer said: show me {{business_info}} and {business_name} / SECRET');
  });

  it('replaces legacy single-brace names only when they are built-in variables', () => {
    const result = renderTemplate('Hello {user_name}, {favourite} {business_name}', {
      user_name: 'Jane',
      favourite: 'x',
      business_name: 'Acme',
    });
    expect(result.rendered).toBe('Hello Jane, {favourite} Acme');
    expect(result.variablesUsed).toEqual(['user_name', 'business_name']);
  });

  it('honours a custom set of known variables for the single-brace syntax', () => {
    const known = new Set(['email']);
    const result = renderTemplate(
      '{email} {user_name}',
      { email: 'a@b.co', user_name: 'Jane' },
      { knownVariables: known },
    );
    expect(result.rendered).toBe('a@b.co {user_name}');
  });

  it('leaves JSON examples and literal braces intact', () => {
    const template =
      'Answer as JSON like {"email": "x@y.z", "items": [{ "qty": 1 }]} or { name } for {{user_name}}';
    const result = renderTemplate(template, { user_name: 'Jane', name: 'should not appear' });
    expect(result.rendered).toBe(
      'Answer as JSON like {"email": "x@y.z", "items": [{ "qty": 1 }]} or { name } for Jane',
    );
  });

  it('reports a missing built-in written with a single brace', () => {
    const result = renderTemplate('Stage: {current_stage}.', {});
    expect(result.rendered).toBe('Stage: .');
    expect(result.missingVariables).toEqual(['current_stage']);
  });

  it('survives odd and unbalanced braces', () => {
    const vars = { user_name: 'Jane' };
    expect(renderTemplate('{{{{', vars).rendered).toBe('{{{{');
    expect(renderTemplate('}}}} {{ }} {{}} {', vars).rendered).toBe('}}}} {{ }} {{}} {');
    expect(renderTemplate('{{{user_name}}}', vars).rendered).toBe('{Jane}');
    expect(renderTemplate('{{user_name}', vars).rendered).toBe('{Jane');
    expect(renderTemplate('{{user name}}', vars).rendered).toBe('{{user name}}');
    expect(renderTemplate('{{1abc}}', vars).rendered).toBe('{{1abc}}');
  });

  it('returns text without braces unchanged', () => {
    expect(renderTemplate('plain text', { a: 1 })).toEqual({
      rendered: 'plain text',
      variablesUsed: [],
      missingVariables: [],
    });
    expect(renderTemplate('', {}).rendered).toBe('');
  });

  it('formats numbers, booleans, dates, objects and arrays', () => {
    const date = new Date('2026-03-12T14:05:00.000Z');
    const result = renderTemplate('{{n}}|{{b}}|{{d}}|{{o}}|{{a}}|{{z}}', {
      n: 42.5,
      b: false,
      d: date,
      o: { email: 'j@x.io', when: date },
      a: [1, 'two'],
      z: 0,
    });
    expect(result.rendered).toBe(
      '42.5|false|2026-03-12T14:05:00.000Z|{\n  "email": "j@x.io",\n  "when": "2026-03-12T14:05:00.000Z"\n}|[\n  1,\n  "two"\n]|0',
    );
  });

  it('does not crash on circular objects, invalid dates or bigints', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const result = renderTemplate('{{c}}|{{d}}|{{big}}|{{f}}', {
      c: circular,
      d: new Date('nope'),
      big: 10n,
      f: () => 1,
    });
    expect(result.rendered).toBe('[object Object]||10|');
  });

  it('never reads inherited properties such as constructor', () => {
    const result = renderTemplate('{{constructor}}{{toString}}{{__proto__}}', {});
    expect(result.rendered).toBe('');
    expect(result.missingVariables).toEqual(['constructor', 'toString', '__proto__']);
  });

  it('gives the same result when called repeatedly (no shared regex state)', () => {
    const template = '{{a}} {b} {{a}}';
    const first = renderTemplate(template, { a: 'x' }, { knownVariables: new Set(['b']) });
    const second = renderTemplate(template, { a: 'x' }, { knownVariables: new Set(['b']) });
    expect(second).toEqual(first);
    expect(first.rendered).toBe('x  x');
    expect(first.missingVariables).toEqual(['b']);
  });

  it('parses a template once per syntax: the catalogue and a custom set of names do not mix', () => {
    const template = '{email} and {user_name} for {{user_name}}';
    const values = { email: 'a@b.co', user_name: 'Jane' };
    const byCatalogue = '{email} and Jane for Jane';
    expect(renderTemplate(template, values).rendered).toBe(byCatalogue);
    expect(renderTemplate(template, values, { knownVariables: new Set(['email']) }).rendered).toBe(
      'a@b.co and {user_name} for Jane',
    );
    expect(renderTemplate(template, values).rendered).toBe(byCatalogue);
    expect(extractVariableNames(template)).toEqual(['user_name']);
    expect(extractVariableNames(template, new Set(['email']))).toEqual(['email', 'user_name']);
  });

  it('hands each caller its own list of names', () => {
    const names = extractVariableNames('{{a}} {{b}}');
    names.push('changed');
    expect(extractVariableNames('{{a}} {{b}}')).toEqual(['a', 'b']);
  });

  it('keeps dollar signs in values literal', () => {
    expect(renderTemplate('Price: {{p}}', { p: '$& $1 $$' }).rendered).toBe('Price: $& $1 $$');
  });
});

describe('extractVariableNames', () => {
  it('lists referenced names in order of first appearance without duplicates', () => {
    const names = extractVariableNames('{{b}} {{ a }} {{b}} {user_name} {{c.d}}');
    expect(names).toEqual(['b', 'a', 'user_name', 'c.d']);
  });

  it('ignores single-brace names that are not known and JSON examples', () => {
    expect(extractVariableNames('{"email": "x"} {foo} {{bar}}')).toEqual(['bar']);
    expect(extractVariableNames('{foo}', new Set(['foo']))).toEqual(['foo']);
  });

  it('returns an empty list for text without placeholders', () => {
    expect(extractVariableNames('no variables here')).toEqual([]);
    expect(extractVariableNames('{{{{ }}')).toEqual([]);
  });

  it('agrees with renderTemplate about which names are referenced', () => {
    const template = 'Hi {{user_name}} {current_stage} {other} {{x}}';
    const result = renderTemplate(template, { user_name: 'J' });
    expect([...result.variablesUsed, ...result.missingVariables].sort()).toEqual(
      extractVariableNames(template).sort(),
    );
  });
});

describe('renderTemplate bounds (render amplification)', () => {
  /** Counts how many variable values the render read, so a test sees where it stopped. */
  function countingVariables(values: Record<string, unknown>) {
    const reads = { count: 0 };
    const proxy = new Proxy(values, {
      get(target, key, receiver) {
        reads.count += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    return { proxy, reads };
  }

  it('stops as soon as the output would pass maxChars, without reading the rest', () => {
    const values: Record<string, unknown> = {};
    const names: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      values[`v${i}`] = 'x'.repeat(1000);
      names.push(`{{v${i}}}`);
    }
    const { proxy, reads } = countingVariables(values);
    let error: unknown;
    try {
      renderTemplate(names.join(''), proxy, { maxChars: 10_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PromptTooLarge);
    expect(error).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    // 10 values fit; the 11th is where it stopped — not 10 000 reads (10 MB built).
    expect(reads.count).toBeLessThanOrEqual(11);
  });

  it('a repeated large value is formatted once and the render stops at the cap', () => {
    const big = { text: 'y'.repeat(25_000) };
    const { proxy, reads } = countingVariables({ big });
    // The reported case: ~126 KB of `{{big}}` would expand 25 KB each, ~520 MB in all.
    const template = '{{big}}'.repeat(18_000);
    expect(() => renderTemplate(template, proxy, { maxChars: 200_000 })).toThrow(PromptTooLarge);
    expect(reads.count).toBe(1);
  });

  it('refuses a value longer than maxValueChars, naming it', () => {
    expect(() => renderTemplate('a {{huge}} b', { huge: 'z'.repeat(101) }, { maxValueChars: 100 })).toThrow(
      /\{\{huge\}\}.*100 characters/,
    );
    expect(
      renderTemplate('a {{ok}} b', { ok: 'z'.repeat(100) }, { maxValueChars: 100 }).rendered,
    ).toHaveLength(104);
  });

  it('counts literal text too, and renders exactly up to the limit', () => {
    expect(renderTemplate('{{a}}-{{a}}', { a: 'xx' }, { maxChars: 5 }).rendered).toBe('xx-xx');
    expect(() => renderTemplate('{{a}}-{{a}}!', { a: 'xx' }, { maxChars: 5 })).toThrow(PromptTooLarge);
    expect(() => renderTemplate('plain text', {}, { maxChars: 5 })).toThrow(PromptTooLarge);
  });
});
