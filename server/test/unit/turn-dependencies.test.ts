import { describe, expect, it } from 'vitest';
import { tokenGate } from '../../src/modules/pipeline/token-gate.js';
import { DEFAULT_TEMPLATES } from '../../src/modules/templates/default-templates.js';
import { templateUsesFacts } from '../../src/modules/templates/index.js';

const named = { profileHasName: true };
const nameless = { profileHasName: false };

describe('templateUsesFacts', () => {
  it('finds facts in {{extracted_data}}, a path into it, and names that are not built in', () => {
    expect(templateUsesFacts({ content: 'Known: {{extracted_data}}' }, named)).toBe(true);
    expect(templateUsesFacts({ content: 'Order {{extracted_data.order.id}}' }, named)).toBe(true);
    expect(templateUsesFacts({ content: 'Mail {{email}}' }, named)).toBe(true);
    expect(templateUsesFacts({ content: 'Order {{order.id}}' }, named)).toBe(true);
    expect(templateUsesFacts({ content: 'Hi', systemPrompt: 'Known: {{extracted_data}}' }, named)).toBe(true);
  });

  it('reads built-ins (message, history, business, stage, time) as fact-free', () => {
    const content =
      '{{business_info}} {{current_stage}} {{previous_stage}} {{conversation_history}} {{current_time}} ' +
      '"""{{message_content}}""" {message} { "json": 1 }';
    expect(templateUsesFacts({ content, systemPrompt: 'You answer for {{business_name}}.' }, named)).toBe(
      false,
    );
    expect(templateUsesFacts({ content: 'no variables at all' }, nameless)).toBe(false);
  });

  it('counts {{user_name}} as a fact only when the profile has no name (it falls back to a collected one)', () => {
    expect(templateUsesFacts({ content: 'Dear {{user_name}}' }, named)).toBe(false);
    expect(templateUsesFacts({ content: 'Dear {{user_name}}' }, nameless)).toBe(true);
  });

  it('says the default reply waits for facts (it shows what we know about the customer)', () => {
    const reply = DEFAULT_TEMPLATES.response_generation;
    expect(templateUsesFacts({ content: reply.content, systemPrompt: reply.systemPrompt }, named)).toBe(true);
  });
});

describe('tokenGate', () => {
  it('holds tokens until opened, then sends them at once and the rest as they come', () => {
    const sent: string[] = [];
    const gate = tokenGate((text) => sent.push(text));
    gate.push('Hel');
    gate.push('lo');
    expect(sent).toEqual([]);
    gate.open();
    gate.push(' there');
    expect(sent).toEqual(['Hello', ' there']);
  });

  it('drops what it held and everything after', () => {
    const sent: string[] = [];
    const gate = tokenGate((text) => sent.push(text));
    gate.push('stale');
    gate.drop();
    gate.push('more');
    gate.open();
    expect(sent).toEqual([]);
  });
});
