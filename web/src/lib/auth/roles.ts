import type { MemberRole } from '../api/models';

/** The roles of api.md "Team accounts and roles", most powerful first, with what each may do. */
export const ROLES: { role: MemberRole; label: string; description: string }[] = [
  {
    role: 'owner',
    label: 'Owner',
    description: 'Everything: members, API keys, channels, settings, delete.',
  },
  {
    role: 'editor',
    label: 'Editor',
    description: 'Stages, templates, agents and settings; everything an agent may.',
  },
  {
    role: 'agent',
    label: 'Agent',
    description: 'Reads conversations, replies, stops and resumes the AI, closes.',
  },
  { role: 'viewer', label: 'Viewer', description: 'Reads everything, changes nothing.' },
];

export const roleLabel = (role: MemberRole) => ROLES.find((r) => r.role === role)?.label ?? role;
