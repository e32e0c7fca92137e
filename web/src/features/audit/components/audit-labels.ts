import type { AuditActor, AuditEntityType, AuditEntry } from '@/lib/api/models';
import { shortId } from '@/lib/format';

export const ENTITY_LABELS: Record<AuditEntityType, string> = {
  business: 'Business',
  template: 'Template',
  stage: 'Stage',
  agent: 'Agent',
  channel: 'Channel',
  api_key: 'API key',
  conversation: 'Conversation',
  member: 'Member',
  invitation: 'Invitation',
  canned_reply: 'Canned reply',
  release: 'Release',
  configuration: 'Configuration',
  field: 'Field',
};

export const ACTOR_TYPE_LABELS: Record<AuditActor['type'], string> = {
  master: 'Master key',
  api_key: 'API key',
  account: 'Account',
};

const ACTION_LABELS: Record<string, string> = {
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
  restore: 'Restored a version',
  revoke: 'Revoked',
  rotate_key: 'Rotated the key',
  ai_stop: 'Stopped the AI',
  ai_resume: 'Resumed the AI',
  publish: 'Published',
  import: 'Imported',
};

const CHANNEL_NAMES: Record<string, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  web: 'Website widget',
};

export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action.replace(/_/g, ' ');

export const entityTypeLabel = (type: string) =>
  ENTITY_LABELS[type as AuditEntityType] ?? type.replace(/_/g, ' ');

/** The entity's name as the entry's snapshots give it (the later one first), else its id. */
export function entityName(entry: AuditEntry): string {
  const snapshot = entry.after ?? entry.before ?? {};
  for (const key of ['template_name', 'stage_name', 'agent_name', 'business_name']) {
    const value = snapshot[key];
    if (typeof value === 'string' && value) return value;
  }
  if (entry.entity_type === 'channel' && entry.entity_id)
    return CHANNEL_NAMES[entry.entity_id] ?? entry.entity_id;
  if (entry.entity_type === 'api_key' && typeof entry.details?.key === 'string') return entry.details.key;
  return entry.entity_id ? shortId(entry.entity_id) : '—';
}
