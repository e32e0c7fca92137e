/**
 * Tracing as the rest of the code sees it. Off (the default) it is a handful of no-op functions and no
 * OpenTelemetry module is loaded; `startTracing` swaps in the OpenTelemetry implementation
 * (`otel-tracing.ts`, imported lazily) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 *
 * Span attributes carry ids, stage and step names, models, token counts and outcomes — never a prompt,
 * a reply, SQL parameters or anything else a customer wrote.
 */
const noSpan = { set() { }, fail() { } };
export const noTracing = {
    enabled: false,
    span: (_name, _attributes, run) => run(noSpan),
    sql: (_statement, run) => run(),
    serve: (_request, _response, handle) => handle(),
    nameRequest() { },
    shutdown: async () => { },
};
let current = noTracing;
/** The process's tracing (OpenTelemetry's context is process-wide too). */
export function tracing() {
    return current;
}
/**
 * Starts OpenTelemetry tracing for this process when `settings` is given (idempotent: a second app in
 * the same process shares it). Returns a stop function that flushes and switches tracing off again.
 */
export async function startTracing(settings) {
    if (!settings)
        return async () => { };
    if (current.enabled)
        return async () => { };
    const { createOtelTracing } = await import('./otel-tracing.js');
    const started = createOtelTracing(settings);
    current = started;
    return async () => {
        if (current === started)
            current = noTracing;
        await started.shutdown();
    };
}
//# sourceMappingURL=tracing.js.map