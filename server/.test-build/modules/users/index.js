/** What other modules may use of users. */
export { findUser } from './users.repository.js';
//# sourceMappingURL=index.js.map