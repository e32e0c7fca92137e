/** What the auth plugin may use of API keys (other modules use api-keys.service.ts). */
export { type ApiKeyLookup, findApiKeyByHash, touchApiKey } from './api-keys.repository.js';
