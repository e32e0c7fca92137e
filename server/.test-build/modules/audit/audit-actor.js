export const MASTER_ACTOR = { type: 'master', id: null, name: 'master key' };
export { actorOf } from '../../lib/principal.js';
//# sourceMappingURL=audit-actor.js.map