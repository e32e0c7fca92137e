// UTC, so a prompt reads the same whichever server process renders it.
const now = (env) => env.vc.now ?? new Date();
export const timeVariables = {
    current_time: (env) => now(env).toISOString().slice(11, 16),
    current_date: (env) => now(env).toISOString().slice(0, 10),
    timestamp: (env) => now(env).toISOString(),
};
//# sourceMappingURL=time.js.map