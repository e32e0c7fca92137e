import type { FieldDefinition, TransitionRule } from '../../db/schema.js';
import type { BusinessConfig, StageRow } from '../config-cache/index.js';
import { authoredValue, missingRequired } from '../fields/index.js';

/*
 * Stage transitions (issue 16): a stage's rules, evaluated before the selection model on the facts
 * known so far, and the stages the selection model may choose from. Pure functions: the pipeline (the
 * model path and the offline engine) decides with them, nothing here calls a model or the database.
 */

/** What a rule can look at. */
export interface RuleFacts {
  /** Collected data so far (before this message's extraction, or merged with it afterwards). */
  collectedData: Record<string, unknown>;
  /** The customer's message asks for a person (pipeline/asks-for-human.ts). */
  asksForHuman: boolean;
}

export interface FiredRule {
  rule: TransitionRule;
  target: StageRow;
  /** What stage_transitions.reason records: `rule:<label>`, or `rule:<kind>` without a label. */
  reason: string;
}

/** The transition reason of a move the selection model chose. */
export const SELECTION_REASON = 'selection';

export const ruleReason = (rule: TransitionRule) => `rule:${rule.label?.trim() || rule.kind}`;

const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';

/** The collected value equals the rule's, both normalised for the field (text and enums ignore case). */
function fieldEquals(field: FieldDefinition, collected: unknown, wanted: unknown): boolean {
  if (!isSet(collected)) return false;
  const a = authoredValue(field, collected);
  const b = authoredValue(field, wanted);
  if ('reason' in a || 'reason' in b) return false;
  if (typeof a.value === 'string' && typeof b.value === 'string')
    return a.value.toLowerCase() === b.value.toLowerCase();
  return a.value === b.value;
}

/**
 * Whether a rule holds. `complete` needs a stage that has a goal (at least one required field) and
 * all of it collected — a stage without required fields never completes by rule, so a rule on it
 * cannot turn it into a pass-through by accident.
 */
export function ruleHolds(
  config: BusinessConfig,
  stage: StageRow,
  rule: TransitionRule,
  facts: RuleFacts,
): boolean {
  switch (rule.kind) {
    case 'complete':
      return (
        stage.requiredFields.length > 0 &&
        missingRequired(config.business.fields, stage, facts.collectedData).length === 0
      );
    case 'field_equals': {
      const field = config.business.fields.find((f) => f.name === rule.field);
      return field !== undefined && fieldEquals(field, facts.collectedData[rule.field], rule.value);
    }
    case 'asks_for_human':
      return facts.asksForHuman;
  }
}

/** A rule's target when it is another stage of this configuration (a release may lack a stage since deleted). */
const targetOf = (config: BusinessConfig, stage: StageRow, rule: TransitionRule) => {
  const target = config.stagesById.get(rule.target_stage_id);
  return target && target.stageId !== stage.stageId ? target : undefined;
};

/**
 * The first of the stage's rules that holds, in order — except that a customer asking for a person is
 * answered by the stage's first `asks_for_human` rule ahead of any other rule.
 */
export function firedRule(config: BusinessConfig, stage: StageRow, facts: RuleFacts): FiredRule | null {
  const rules = facts.asksForHuman
    ? [
        ...stage.transitionRules.filter((r) => r.kind === 'asks_for_human'),
        ...stage.transitionRules.filter((r) => r.kind !== 'asks_for_human'),
      ]
    : stage.transitionRules;
  for (const rule of rules) {
    const target = targetOf(config, stage, rule);
    if (target && ruleHolds(config, stage, rule, facts)) return { rule, target, reason: ruleReason(rule) };
  }
  return null;
}

/** The stage has a usable rule for a customer asking for a person (then no plain hand-off reply). */
export function hasHumanRule(config: BusinessConfig, stage: StageRow): boolean {
  return stage.transitionRules.some((r) => r.kind === 'asks_for_human' && targetOf(config, stage, r));
}

/** The stage has rules that new facts can make hold (worth checking again after extraction). */
export function hasFactRules(config: BusinessConfig, stage: StageRow): boolean {
  return stage.transitionRules.some((r) => r.kind !== 'asks_for_human' && targetOf(config, stage, r));
}
