import { describe, expect, it } from 'vitest';
import type { FieldDefinition, TransitionRule } from '../../src/db/schema.js';
import type { BusinessConfig, StageRow } from '../../src/modules/config-cache/index.js';
import { selectableStages } from '../../src/modules/config-cache/index.js';
import {
  firedRule,
  hasFactRules,
  hasHumanRule,
  ruleHolds,
  ruleReason,
} from '../../src/modules/pipeline/transition-rules.js';

const FIELDS: FieldDefinition[] = [
  { name: 'full_name', label: 'Name', type: 'text', description: '', pii: false },
  { name: 'email', label: 'E-mail', type: 'email', description: '', pii: true },
  { name: 'guests', label: 'Guests', type: 'number', description: '', pii: false },
  { name: 'vip', label: 'VIP', type: 'boolean', description: '', pii: false },
  { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Double'], description: '', pii: false },
];

function stage(id: string, extra: Partial<StageRow> = {}): StageRow {
  return {
    stageId: id,
    businessId: 'b',
    agentId: null,
    stageName: id,
    stageDescription: '',
    stageType: 'conversation',
    stageSelectionTemplateId: 't1',
    dataExtractionTemplateId: 't2',
    responseGenerationTemplateId: 't3',
    fallbackReply: null,
    handoff: false,
    requiredFields: [],
    optionalFields: [],
    allowedNextStageIds: null,
    transitionRules: [],
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...extra,
  };
}

function config(stages: StageRow[]): BusinessConfig {
  return {
    business: { fields: FIELDS } as BusinessConfig['business'],
    stages,
    stagesById: new Map(stages.map((s) => [s.stageId, s])),
    templatesById: new Map(),
    entryStageId: stages[0]?.stageId ?? null,
  } as BusinessConfig;
}

const none = { collectedData: {}, asksForHuman: false };

describe('transition rules', () => {
  const booking = stage('booking');
  const human = stage('human');

  it('complete holds when every required field is collected, never on a stage without a goal', () => {
    const rule: TransitionRule = { kind: 'complete', target_stage_id: 'booking' };
    const collect = stage('collect', { requiredFields: ['full_name', 'email'], transitionRules: [rule] });
    const c = config([collect, booking]);
    expect(ruleHolds(c, collect, rule, { ...none, collectedData: { full_name: 'Ana' } })).toBe(false);
    expect(ruleHolds(c, collect, rule, { ...none, collectedData: { full_name: 'Ana', email: '' } })).toBe(
      false,
    );
    const done = { ...none, collectedData: { full_name: 'Ana', email: 'a@b.example' } };
    expect(firedRule(c, collect, done)).toMatchObject({ target: booking, reason: 'rule:complete' });
    const goalless = stage('open', { transitionRules: [rule] });
    expect(firedRule(config([goalless, booking]), goalless, done)).toBeNull();
  });

  it('field_equals compares normalised values of the field type', () => {
    const rules: TransitionRule[] = [
      { kind: 'field_equals', field: 'room', value: 'Double', target_stage_id: 'booking', label: 'double' },
    ];
    const s = stage('s', { transitionRules: rules });
    const c = config([s, booking]);
    expect(firedRule(c, s, { ...none, collectedData: { room: 'double' } })?.reason).toBe('rule:double');
    expect(firedRule(c, s, { ...none, collectedData: { room: 'Single' } })).toBeNull();
    expect(firedRule(c, s, none)).toBeNull();
    const num = stage('n', {
      transitionRules: [{ kind: 'field_equals', field: 'guests', value: 2, target_stage_id: 'booking' }],
    });
    expect(firedRule(config([num, booking]), num, { ...none, collectedData: { guests: 2 } })).not.toBeNull();
    expect(firedRule(config([num, booking]), num, { ...none, collectedData: { guests: 3 } })).toBeNull();
    expect(firedRule(config([num, booking]), num, { ...none, collectedData: { guests: '2' } })).toBeNull();
    const bool = stage('v', {
      transitionRules: [{ kind: 'field_equals', field: 'vip', value: true, target_stage_id: 'booking' }],
    });
    expect(
      firedRule(config([bool, booking]), bool, { ...none, collectedData: { vip: true } }),
    ).not.toBeNull();
    expect(firedRule(config([bool, booking]), bool, { ...none, collectedData: { vip: false } })).toBeNull();
    const mail = stage('m', {
      transitionRules: [
        { kind: 'field_equals', field: 'email', value: 'a@b.example', target_stage_id: 'booking' },
      ],
    });
    expect(
      firedRule(config([mail, booking]), mail, { ...none, collectedData: { email: 'A@B.example' } }),
    ).not.toBeNull();
    // A field no longer defined never matches.
    const gone = stage('g', {
      transitionRules: [{ kind: 'field_equals', field: 'nope', value: 'x', target_stage_id: 'booking' }],
    });
    expect(firedRule(config([gone, booking]), gone, { ...none, collectedData: { nope: 'x' } })).toBeNull();
  });

  it('rules go in order; a customer asking for a person is answered by asks_for_human first', () => {
    const s = stage('s', {
      requiredFields: ['full_name'],
      transitionRules: [
        { kind: 'complete', target_stage_id: 'booking' },
        { kind: 'asks_for_human', target_stage_id: 'human', label: 'person' },
      ],
    });
    const c = config([s, booking, human]);
    const facts = { collectedData: { full_name: 'Ana' }, asksForHuman: false };
    expect(firedRule(c, s, facts)?.target).toBe(booking);
    expect(firedRule(c, s, { ...facts, asksForHuman: true })?.target).toBe(human);
    expect(firedRule(c, s, { collectedData: {}, asksForHuman: true })?.reason).toBe('rule:person');
    expect(hasHumanRule(c, s)).toBe(true);
    expect(hasFactRules(c, s)).toBe(true);
  });

  it('a rule whose target is missing (deleted since a release) or the stage itself is ignored', () => {
    const s = stage('s', {
      transitionRules: [
        { kind: 'asks_for_human', target_stage_id: 'gone' },
        { kind: 'asks_for_human', target_stage_id: 's' },
      ],
    });
    const c = config([s, booking]);
    expect(firedRule(c, s, { collectedData: {}, asksForHuman: true })).toBeNull();
    expect(hasHumanRule(c, s)).toBe(false);
    expect(hasFactRules(c, s)).toBe(false);
  });

  it('reason is the label, else the kind', () => {
    expect(ruleReason({ kind: 'complete', target_stage_id: 'x', label: ' done ' })).toBe('rule:done');
    expect(ruleReason({ kind: 'asks_for_human', target_stage_id: 'x' })).toBe('rule:asks_for_human');
  });
});

describe('selectable stages', () => {
  it('null allows every stage; a list allows those and the current one, in the business order', () => {
    const a = stage('a');
    const b = stage('b');
    const c = stage('c');
    expect(selectableStages(config([a, b, c]), a)).toEqual([a, b, c]);
    const limited = stage('b', { allowedNextStageIds: ['c', 'gone'] });
    expect(selectableStages(config([a, limited, c]), limited)).toEqual([limited, c]);
    const closed = stage('a', { allowedNextStageIds: [] });
    expect(selectableStages(config([closed, b]), closed)).toEqual([closed]);
    expect(selectableStages(config([a, b]), undefined)).toEqual([a, b]);
  });
});
