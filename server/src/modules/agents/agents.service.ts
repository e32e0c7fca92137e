import type { AppContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import type { Page } from '../../lib/schemas.js';
import {
  type AgentRow,
  deleteAgent,
  findAgent,
  insertAgent,
  listAgents,
  updateAgent,
} from './agents.repository.js';
import type { Agent } from './agents.schemas.js';

export function serializeAgent(row: AgentRow): Agent {
  return {
    agent_id: row.agentId,
    business_id: row.businessId,
    agent_name: row.agentName,
    agent_type: row.agentType as Agent['agent_type'],
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const cleanName = (name: string) => {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('agent_name must not be blank', { agent_name: 'must not be blank' });
  return trimmed;
};

export async function createAgent(
  ctx: AppContext,
  businessId: string,
  input: { agent_name: string; agent_type?: 'ai' | 'human' },
) {
  const agent = await insertAgent(ctx.db, {
    businessId,
    agentName: cleanName(input.agent_name),
    agentType: input.agent_type ?? 'ai',
  });
  return serializeAgent(agent);
}

export async function getAgent(ctx: AppContext, agentId: string, scope: string | undefined) {
  const agent = await findAgent(ctx.db, agentId, scope);
  if (!agent) throw notFound('Agent');
  return serializeAgent(agent);
}

export async function listBusinessAgents(ctx: AppContext, businessId: string, page: Page) {
  const { rows, total } = await listAgents(ctx.db, businessId, page);
  return { agents: rows.map(serializeAgent), total, page: page.page, per_page: page.perPage };
}

export async function changeAgent(
  ctx: AppContext,
  agentId: string,
  scope: string | undefined,
  input: { agent_name?: string; agent_type?: 'ai' | 'human' },
) {
  const values: Partial<AgentRow> = {};
  if (input.agent_name !== undefined) values.agentName = cleanName(input.agent_name);
  if (input.agent_type !== undefined) values.agentType = input.agent_type;
  const agent = await updateAgent(ctx.db, agentId, scope, values);
  if (!agent) throw notFound('Agent');
  ctx.bus.publish('stages', agent.businessId);
  return serializeAgent(agent);
}

/** Stages and conversations of the agent stay; their agent_id becomes null. */
export async function removeAgent(ctx: AppContext, agentId: string, scope: string | undefined) {
  const agent = await findAgent(ctx.db, agentId, scope);
  if (!agent || !(await deleteAgent(ctx.db, agentId, scope))) throw notFound('Agent');
  ctx.bus.publish('stages', agent.businessId);
}
