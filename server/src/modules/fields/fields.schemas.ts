import { type Static, Type } from '@sinclair/typebox';

/*
 * A business's typed fields (issue 16): the facts extraction asks the model for, validated and
 * normalised by type. Part of the draft configuration (businesses.fields), frozen by a release.
 */

export const FIELD_TYPES = ['text', 'email', 'phone', 'number', 'date', 'enum', 'boolean'] as const;

export const FieldName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z][a-z0-9_]*$',
  description: 'Identifier: the key of the value in collected data (lowercase letters, digits, _)',
});
const FieldTypeSchema = Type.Union(
  [
    Type.Literal('text'),
    Type.Literal('email'),
    Type.Literal('phone'),
    Type.Literal('number'),
    Type.Literal('date'),
    Type.Literal('enum'),
    Type.Literal('boolean'),
  ],
  { description: 'enum needs `values`' },
);
const Label = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 1000, description: 'What the model should extract' });
const EnumValues = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: 100,
  description: 'The allowed values of an enum field',
});

export const Field = Type.Object(
  {
    name: FieldName,
    label: Label,
    type: FieldTypeSchema,
    description: Description,
    values: Type.Optional(EnumValues),
    pii: Type.Boolean({ description: 'Personal data' }),
  },
  { $id: 'Field', additionalProperties: false },
);
export type Field = Static<typeof Field>;

export const FieldList = Type.Object({ fields: Type.Array(Field) }, { $id: 'FieldList' });

export const CreateFieldBody = Type.Object(
  {
    name: FieldName,
    label: Label,
    type: FieldTypeSchema,
    description: Type.Optional(Description),
    values: Type.Optional(EnumValues),
    pii: Type.Optional(Type.Boolean()),
  },
  { $id: 'CreateFieldBody', additionalProperties: false },
);

export const UpdateFieldBody = Type.Object(
  {
    label: Type.Optional(Label),
    type: Type.Optional(FieldTypeSchema),
    description: Type.Optional(Description),
    values: Type.Optional(EnumValues),
    pii: Type.Optional(Type.Boolean()),
  },
  { $id: 'UpdateFieldBody', additionalProperties: false, minProperties: 1 },
);
