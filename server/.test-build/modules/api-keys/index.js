/** What the auth plugin may use of API keys (other modules use api-keys.service.ts). */
export { findApiKeyByHash, touchApiKey } from './api-keys.repository.js';
//# sourceMappingURL=index.js.map