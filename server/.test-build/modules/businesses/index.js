/** What other modules (and the auth plugin) may use of businesses. */
export { findBusiness } from './businesses.repository.js';
//# sourceMappingURL=index.js.map