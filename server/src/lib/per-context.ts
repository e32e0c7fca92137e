/**
 * A value per app context (in practice one per process; each test app has its own), created on first
 * use: the in-memory caches that must not leak between apps sharing a process.
 */
export function perContext<Context extends object, Value>(create: (ctx: Context) => Value) {
  const values = new WeakMap<Context, Value>();
  return (ctx: Context): Value => {
    let value = values.get(ctx);
    if (value === undefined) {
      value = create(ctx);
      values.set(ctx, value);
    }
    return value;
  };
}
