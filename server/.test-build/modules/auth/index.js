/** What other modules (and the auth plugin) may use of accounts and sessions. */
export { resolveSession } from './session-store.js';
//# sourceMappingURL=index.js.map