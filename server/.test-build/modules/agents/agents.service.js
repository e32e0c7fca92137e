import { invalid, notFound } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { deleteAgent, findAgent, insertAgent, listAgents, updateAgent, } from './agents.repository.js';
export function serializeAgent(row) {
    return {
        agent_id: row.agentId,
        business_id: row.businessId,
        agent_name: row.agentName,
        agent_type: row.agentType,
        created_at: row.createdAt.toISOString(),
        updated_at: row.updatedAt.toISOString(),
    };
}
const cleanName = (name) => {
    const trimmed = name.trim();
    if (!trimmed)
        throw invalid('agent_name must not be blank', { agent_name: 'must not be blank' });
    return trimmed;
};
export async function createAgent(ctx, principal, businessId, input) {
    const agentName = cleanName(input.agent_name);
    const agent = await ctx.db.transaction(async (tx) => {
        const created = await insertAgent(tx, { businessId, agentName, agentType: input.agent_type ?? 'ai' });
        await recordAudit(tx, actorOf(principal), {
            businessId,
            action: 'create',
            entityType: 'agent',
            entityId: created.agentId,
            before: null,
            after: serializeAgent(created),
        });
        return created;
    });
    return serializeAgent(agent);
}
export async function getAgent(ctx, agentId, scope) {
    const agent = await findAgent(ctx.db, agentId, scope);
    if (!agent)
        throw notFound('Agent');
    return serializeAgent(agent);
}
export async function listBusinessAgents(ctx, businessId, page) {
    const { rows, total } = await listAgents(ctx.db, businessId, page);
    return { agents: rows.map(serializeAgent), total, page: page.page, per_page: page.perPage };
}
export async function changeAgent(ctx, principal, agentId, scope, input) {
    const values = {};
    if (input.agent_name !== undefined)
        values.agentName = cleanName(input.agent_name);
    if (input.agent_type !== undefined)
        values.agentType = input.agent_type;
    const agent = await ctx.db.transaction(async (tx) => {
        const current = await findAgent(tx, agentId, scope, { forUpdate: true });
        if (!current)
            throw notFound('Agent');
        const updated = await updateAgent(tx, agentId, scope, values);
        if (!updated)
            throw notFound('Agent');
        await recordAudit(tx, actorOf(principal), {
            businessId: updated.businessId,
            action: 'update',
            entityType: 'agent',
            entityId: agentId,
            before: serializeAgent(current),
            after: serializeAgent(updated),
        });
        return updated;
    });
    ctx.bus.publish('stages', agent.businessId);
    return serializeAgent(agent);
}
/** Stages and conversations of the agent stay; their agent_id becomes null. */
export async function removeAgent(ctx, principal, agentId, scope) {
    const agent = await ctx.db.transaction(async (tx) => {
        const current = await findAgent(tx, agentId, scope);
        if (!current || !(await deleteAgent(tx, agentId, scope)))
            throw notFound('Agent');
        await recordAudit(tx, actorOf(principal), {
            businessId: current.businessId,
            action: 'delete',
            entityType: 'agent',
            entityId: agentId,
            before: serializeAgent(current),
            after: null,
        });
        return current;
    });
    ctx.bus.publish('stages', agent.businessId);
}
//# sourceMappingURL=agents.service.js.map