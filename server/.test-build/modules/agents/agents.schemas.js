import { Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from '../../lib/schemas.js';
const AgentType = Type.Union([Type.Literal('ai'), Type.Literal('human')]);
const AgentName = Type.String({ minLength: 1, maxLength: 200 });
export const Agent = Type.Object({
    agent_id: Uuid,
    business_id: Uuid,
    agent_name: Type.String(),
    agent_type: AgentType,
    created_at: Timestamp,
    updated_at: Timestamp,
}, { $id: 'Agent' });
export const CreateAgentBody = Type.Object({ business_id: Type.Optional(Uuid), agent_name: AgentName, agent_type: Type.Optional(AgentType) }, { $id: 'CreateAgentBody', additionalProperties: false });
export const UpdateAgentBody = Type.Object({ agent_name: Type.Optional(AgentName), agent_type: Type.Optional(AgentType) }, { $id: 'UpdateAgentBody', additionalProperties: false, minProperties: 1 });
//# sourceMappingURL=agents.schemas.js.map