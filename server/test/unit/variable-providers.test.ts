import { describe, expect, it } from 'vitest';
import { normaliseTemplateType } from '../../src/modules/templates/template-types.js';
import { unknownVariableWarnings } from '../../src/modules/templates/templates.service.js';
import { BUILT_IN_VARIABLE_NAMES } from '../../src/modules/templates/variable-catalogue.js';
import { VARIABLE_PROVIDERS } from '../../src/modules/templates/variables/compute-variables.js';

describe('variable providers', () => {
  it('cover exactly the built-in catalogue', () => {
    expect(Object.keys(VARIABLE_PROVIDERS).sort()).toEqual([...BUILT_IN_VARIABLE_NAMES].sort());
  });
});

describe('template types', () => {
  it('normalise the short forms and refuse unknown types', () => {
    expect(normaliseTemplateType('selection')).toBe('stage_selection');
    expect(normaliseTemplateType('Extraction')).toBe('data_extraction');
    expect(normaliseTemplateType('generation')).toBe('response_generation');
    expect(normaliseTemplateType('default_stage_selection')).toBe('default_stage_selection');
    expect(() => normaliseTemplateType('nonsense')).toThrow(/template_type/);
  });
});

describe('unknown variable warnings', () => {
  it('name each unknown variable once, across content and system prompt', () => {
    const warnings = unknownVariableWarnings(
      '{{email}} {{business_name}} {{email}} {"json": true}',
      '{{order.id}} {message}',
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('{{email}}');
    expect(warnings[1]).toContain('{{order.id}}');
  });
});
