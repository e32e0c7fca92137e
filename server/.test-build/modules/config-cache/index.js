/** What other modules may use of the business configuration cache. */
export { getBusinessConfig, } from './business-config-cache.js';
//# sourceMappingURL=index.js.map