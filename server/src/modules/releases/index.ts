/** What other modules may use of releases. */
export { type ConfigTarget, loadConfigForTarget } from '../config-cache/index.js';
export { releaseRoutes } from './releases.routes.js';
