import { DrizzleQueryError, fillPlaceholders, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.js';

const dialect = new PgDialect();

interface PreparedForm {
  execute(values: Record<string, unknown>): Promise<unknown>;
}

type Execute = (values: Record<string, unknown>) => Promise<unknown>;

/** The parts of drizzle's node-postgres prepared query that its `execute` sends to `pg`. */
interface NodePgForm {
  client: { query(config: object, values: unknown[]): Promise<unknown> };
  rawQueryConfig: { text: string };
  params: unknown[];
  fields?: unknown;
  customResultMapper?: unknown;
}

/**
 * A node-postgres form whose result is the driver's own (no fields to map): its query is sent as
 * drizzle's `execute` would send it, the same config (text, name, type parsers) and parameters,
 * without the four async layers around it (two tracing hooks and a cache check, all off here, and
 * the driver call: a promise and a microtask each, per statement). PGlite's forms, and anything else,
 * go through `execute`.
 */
function nodePgForm(form: PreparedForm): NodePgForm | undefined {
  const candidate = form as Partial<NodePgForm>;
  return typeof candidate.rawQueryConfig?.text === 'string' &&
    typeof candidate.client?.query === 'function' &&
    Array.isArray(candidate.params) &&
    candidate.fields === undefined &&
    candidate.customResultMapper === undefined
    ? (candidate as NodePgForm)
    : undefined;
}

function executeDirectly(form: NodePgForm, values: Record<string, unknown>): Promise<unknown> {
  const params = fillPlaceholders(form.params, values);
  // Failures are wrapped as drizzle's own are, so callers and the error handler see one kind.
  return form.client.query(form.rawQueryConfig, params).catch((error: unknown) => {
    throw new DrizzleQueryError(form.rawQueryConfig.text, params, error as Error);
  });
}

/**
 * A statement of the message hot path whose SQL text is built once, not per call: `build` writes it
 * with `p(name)` placeholders where values go, and each call only fills the values in. Built per call,
 * a large `sql` template cost drizzle's chunks, text and parameter list every time (~10 µs for the
 * turn's write, and ~10 % of what a turn allocated), and the new string had to be hashed and compared
 * in full by the prepared-statement naming in `client.ts`; a prebuilt text is the same string each call.
 *
 * `variant` names a variation of the text (an optional CTE, another predicate); each variant is built
 * on first use, once per database handle (a transaction's handle builds its own). Every placeholder
 * the variant's text uses must be given a value (null included); values it does not use are ignored.
 */
export function prebuiltStatement<Values extends object, Variant extends string = ''>(
  build: (p: (name: keyof Values & string) => Placeholder, variant: Variant) => SQL,
) {
  const forms = new WeakMap<DbOrTx, Map<Variant, Execute>>();
  const p = (name: keyof Values & string) => sql.placeholder(name);
  return (db: DbOrTx, values: Values, variant = '' as Variant): Promise<unknown> => {
    let variants = forms.get(db);
    if (!variants) {
      variants = new Map();
      forms.set(db, variants);
    }
    let execute = variants.get(variant);
    if (!execute) {
      const form: PreparedForm = db._.session.prepareQuery(
        dialect.sqlToQuery(build(p, variant)),
        undefined,
        undefined,
        false,
      );
      const direct = nodePgForm(form);
      execute = direct ? (given) => executeDirectly(direct, given) : (given) => form.execute(given);
      variants.set(variant, execute);
    }
    return execute(values as Record<string, unknown>);
  };
}
