// fast-check arbitraries from the OpenAPI document's JSON schemas: values that follow a schema (so
// requests get past validation into the services) and values that deliberately do not.
import fc from 'fast-check';

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas are walked structurally
export type Schema = Record<string, any>;
export type Components = Record<string, Schema>;

/** Strings that have broken parsers, SQL, templates, logs and terminals before. */
export const nastyString = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFFFF',
  '\uD800', // a lone surrogate
  '\u202Eevil\u202C', // right-to-left override
  '\u200B\u200D\uFEFF',
  'Ω≈ç√∫˜µ≤≥÷',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  "'; DROP TABLE businesses; --",
  '" OR 1=1 --',
  '{{business_info}}',
  '{{#each x}}{{/each}}',
  '$\u007Bprocess.env}',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '%00',
  '%',
  '\r\nSet-Cookie: x=1',
  '<script>alert(1)</script>',
  '1e309',
  '-0',
  'NaN',
  '9'.repeat(400),
  'x'.repeat(70_000),
);

export const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: nastyString },
);

function resolve(schema: Schema, components: Components): Schema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    const name = String(current.$ref).split('/').pop() as string;
    current = components[name] ?? {};
  }
  return current;
}

function stringFor(schema: Schema, ids: string[]): fc.Arbitrary<string> {
  const max = Math.min(schema.maxLength ?? 60, 200);
  const min = Math.min(schema.minLength ?? 0, max);
  switch (schema.format) {
    case 'uuid':
      return ids.length > 0 ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern === '^https?://' || /url/i.test(String(schema.description ?? ''))) return fc.webUrl();
  return fc.string({ minLength: min, maxLength: max });
}

/** A value following the schema (as far as this walker understands it: refs, objects, arrays, enums…). */
export function valueFor(
  raw: Schema | undefined,
  components: Components,
  ids: string[],
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!raw || depth > 6) return fc.constant(null);
  const schema = resolve(raw, components);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants && variants.length > 0)
    return fc.oneof(...variants.map((v) => valueFor(v, components, ids, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return valueFor(schema.allOf[0], components, ids, depth + 1);
  const type = Array.isArray(schema.type)
    ? (schema.type as string[]).find((t) => t !== 'null')
    : (schema.type as string | undefined);
  const nullable = Array.isArray(schema.type) && schema.type.includes('null');
  const base = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string':
        return stringFor(schema, ids);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
      case 'number':
        return fc.double({
          min: schema.minimum ?? -1e6,
          max: schema.maximum ?? 1e6,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valueFor(schema.items, components, ids, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      case 'object':
      case undefined: {
        const properties = (schema.properties ?? {}) as Record<string, Schema>;
        if (Object.keys(properties).length === 0) {
          return type === 'object'
            ? fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })
            : fc.jsonValue({ maxDepth: 2 });
        }
        const required = new Set((schema.required ?? []) as string[]);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [key, value] of Object.entries(properties))
          record[key] = valueFor(value, components, ids, depth + 1);
        return fc.record(record, {
          requiredKeys: Object.keys(properties).filter((key) => required.has(key)),
        });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  })();
  return nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}

/** Off-schema variations of a valid body: a field of the wrong type, an unknown key, a missing one. */
export function offSchema(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    anyString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant([]),
    fc.constant({}),
    fc.jsonValue({ maxDepth: 3 }),
  );
  return fc.oneof(
    wrong,
    fc.tuple(valid, fc.string({ maxLength: 30 }), wrong).map(([value, key, bad]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return bad;
      const keys = Object.keys(value);
      const target =
        keys.length > 0 && key.length % 2 === 0 ? (keys[key.length % keys.length] as string) : key;
      return { ...value, [target]: bad };
    }),
    fc.tuple(valid, fc.nat()).map(([value, n]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
      const keys = Object.keys(value);
      if (keys.length === 0) return value;
      const copy = { ...(value as Record<string, unknown>) };
      delete copy[keys[n % keys.length] as string];
      return copy;
    }),
  );
}
