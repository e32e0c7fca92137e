import { type Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.js';

const dialect = new PgDialect();

interface PreparedForm {
  execute(values: Record<string, unknown>): Promise<unknown>;
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
  const forms = new WeakMap<DbOrTx, Map<Variant, PreparedForm>>();
  const p = (name: keyof Values & string) => sql.placeholder(name);
  return (db: DbOrTx, values: Values, variant = '' as Variant): Promise<unknown> => {
    let variants = forms.get(db);
    if (!variants) {
      variants = new Map();
      forms.set(db, variants);
    }
    let form = variants.get(variant);
    if (!form) {
      form = db._.session.prepareQuery(dialect.sqlToQuery(build(p, variant)), undefined, undefined, false);
      variants.set(variant, form);
    }
    return form.execute(values as Record<string, unknown>);
  };
}
