/** What other modules (and the auth plugin) may use of businesses. */
export { type BusinessRow, findBusiness } from './businesses.repository.js';
