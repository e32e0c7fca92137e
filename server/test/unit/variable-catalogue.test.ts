import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_VARIABLE_NAMES,
  BUILT_IN_VARIABLES,
} from '../../src/modules/templates/variable-catalogue.js';

const DOCUMENTED = [
  'message_content',
  'message',
  'user_message',
  'business_id',
  'user_id',
  'conversation_id',
  'stage_id',
  'business_name',
  'business_description',
  'business_info',
  'user_name',
  'current_stage',
  'current_stage_description',
  'previous_stage',
  'stage_list',
  'available_stages',
  'agent_stages',
  'conversation_history',
  'last_10_messages',
  'user_messages',
  'all_conversation_history',
  'extracted_data',
  'missing_fields',
  'current_time',
  'current_date',
  'timestamp',
];

describe('built-in variable catalogue', () => {
  it('lists every documented variable exactly once', () => {
    const names = BUILT_IN_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...DOCUMENTED].sort());
  });

  it('exposes the same names as a set', () => {
    expect([...BUILT_IN_VARIABLE_NAMES].sort()).toEqual([...DOCUMENTED].sort());
  });

  it('gives each variable a description, a known category and an example', () => {
    const categories = new Set([
      'message',
      'business',
      'user',
      'conversation',
      'stages',
      'history',
      'data',
      'time',
    ]);
    for (const variable of BUILT_IN_VARIABLES) {
      expect(variable.description.length, variable.name).toBeGreaterThan(5);
      expect(variable.example.length, variable.name).toBeGreaterThan(0);
      expect(categories.has(variable.category), variable.name).toBe(true);
      expect(variable.name).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    }
  });

  it('cannot be mutated at run time', () => {
    expect(Object.isFrozen(BUILT_IN_VARIABLES)).toBe(true);
  });
});
