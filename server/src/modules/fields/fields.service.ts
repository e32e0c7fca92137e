import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import type { FieldDefinition } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { authoredValue } from './field-values.js';
import {
  lockBusinessFields,
  readBusinessFields,
  stagesUsingField,
  stagesWithRuleOnField,
  writeBusinessFields,
} from './fields.repository.js';
import type { CreateFieldBody, Field, UpdateFieldBody } from './fields.schemas.js';

/** A business holds at most this many fields (each one grows every extraction prompt's schema). */
export const MAX_FIELDS = 100;

const toField = (f: FieldDefinition): Field => ({
  name: f.name,
  label: f.label,
  type: f.type,
  description: f.description,
  ...(f.type === 'enum' && f.values ? { values: f.values } : {}),
  pii: f.pii,
});

/** An enum needs distinct values; other types take none. */
function checked(field: FieldDefinition): FieldDefinition {
  const label = field.label.trim();
  if (!label) throw invalid('label must not be blank', { label: 'must not be blank' });
  if (field.type === 'enum') {
    const values = (field.values ?? []).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0)
      throw invalid('An enum field needs its values', { values: 'must list at least one value' });
    if (new Set(values).size !== values.length)
      throw invalid('An enum value is repeated', { values: 'must be distinct' });
    return { ...field, label, values };
  }
  if (field.values !== undefined)
    throw invalid('Only an enum field takes values', { values: `is not allowed for a ${field.type} field` });
  return { ...field, label };
}

export async function listFields(ctx: AppContext, businessId: string) {
  const fields = await readBusinessFields(ctx.db, businessId);
  if (!fields) throw notFound('Business');
  return { fields: fields.map(toField) };
}

export async function getField(ctx: AppContext, businessId: string, name: string) {
  const fields = await readBusinessFields(ctx.db, businessId);
  if (!fields) throw notFound('Business');
  const field = fields.find((f) => f.name === name);
  if (!field) throw notFound('Field');
  return toField(field);
}

export async function createField(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: Static<typeof CreateFieldBody>,
) {
  const field = checked({
    name: input.name,
    label: input.label,
    type: input.type,
    description: input.description ?? '',
    ...(input.values !== undefined ? { values: input.values } : {}),
    pii: input.pii ?? false,
  });
  await ctx.db.transaction(async (tx) => {
    const fields = await lockBusinessFields(tx, businessId);
    if (!fields) throw notFound('Business');
    if (fields.some((f) => f.name === field.name))
      throw conflict(`A field named "${field.name}" already exists`, { field_errors: { name: 'is taken' } });
    if (fields.length >= MAX_FIELDS)
      throw conflict(`A business holds at most ${MAX_FIELDS} fields`, { field_errors: { name: 'too many' } });
    await writeBusinessFields(tx, businessId, [...fields, field]);
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'create',
      entityType: 'field',
      entityId: field.name,
      before: null,
      after: toField(field),
    });
  });
  ctx.bus.publish('business', businessId);
  return toField(field);
}

export async function updateField(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  name: string,
  input: Static<typeof UpdateFieldBody>,
) {
  const updated = await ctx.db.transaction(async (tx) => {
    const fields = await lockBusinessFields(tx, businessId);
    if (!fields) throw notFound('Business');
    const index = fields.findIndex((f) => f.name === name);
    const current = fields[index];
    if (!current) throw notFound('Field');
    const type = input.type ?? current.type;
    // Changing away from enum drops the values; changing to enum needs them.
    const values = input.values ?? (type === 'enum' ? current.values : undefined);
    const field = checked({
      name,
      label: input.label ?? current.label,
      type,
      description: input.description ?? current.description,
      ...(values !== undefined ? { values } : {}),
      pii: input.pii ?? current.pii,
    });
    // A transition rule comparing the field with a value keeps a value of the field's (new) type.
    for (const stage of await stagesWithRuleOnField(tx, businessId, name)) {
      for (const rule of stage.rules) {
        if (rule.kind !== 'field_equals' || rule.field !== name) continue;
        const checkedValue = authoredValue(field, rule.value);
        if ('reason' in checkedValue)
          throw conflict(
            `A transition rule of stage "${stage.name}" compares "${name}" with ${JSON.stringify(rule.value)}, which ${checkedValue.reason} for the changed field; change the rule first`,
            { stages: [stage.name] },
          );
      }
    }
    const next = [...fields];
    next[index] = field;
    await writeBusinessFields(tx, businessId, next);
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'update',
      entityType: 'field',
      entityId: name,
      before: toField(current),
      after: toField(field),
    });
    return field;
  });
  ctx.bus.publish('business', businessId);
  return toField(updated);
}

/** 409 while a stage's goals name the field: remove it from those stages first. */
export async function deleteField(ctx: AppContext, principal: Principal, businessId: string, name: string) {
  await ctx.db.transaction(async (tx) => {
    const fields = await lockBusinessFields(tx, businessId);
    if (!fields) throw notFound('Business');
    const current = fields.find((f) => f.name === name);
    if (!current) throw notFound('Field');
    const users = await stagesUsingField(tx, businessId, name);
    if (users.length)
      throw conflict(`The field "${name}" is a goal of stage(s) ${users.map((u) => `"${u}"`).join(', ')}`);
    const ruled = (await stagesWithRuleOnField(tx, businessId, name)).map((s) => s.name);
    if (ruled.length)
      throw conflict(
        `The field "${name}" is used by a transition rule of stage(s) ${ruled.map((u) => `"${u}"`).join(', ')}`,
        { stages: ruled },
      );
    await writeBusinessFields(
      tx,
      businessId,
      fields.filter((f) => f.name !== name),
    );
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'delete',
      entityType: 'field',
      entityId: name,
      before: toField(current),
      after: null,
    });
  });
  ctx.bus.publish('business', businessId);
}
