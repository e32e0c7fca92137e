import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useAiControl } from '@/lib/api/conversations/ai-control';
import { useDeleteConversation } from '@/lib/api/conversations/delete-conversation';
import { useUpdateConversationStatus } from '@/lib/api/conversations/update-conversation';
import type { Conversation } from '@/lib/api/models';
import { paths } from '@/lib/paths';

/** Stop/resume the AI (optionally for some hours), close/reopen, delete: the side panel's actions. */
export function useConversationControls(businessId: string, c: Conversation) {
  const navigate = useNavigate();
  const ai = useAiControl(businessId, c.conversation_id);
  const status = useUpdateConversationStatus(businessId, c.conversation_id);
  const del = useDeleteConversation(businessId);
  const [hours, setHours] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  return {
    ai,
    status,
    del,
    stopped: c.ai_control.is_stopped,
    hours,
    setHours,
    confirmDelete,
    setConfirmDelete,
    resume: () => ai.mutate({ action: 'resume' }),
    stop: () => ai.mutate({ action: 'stop', durationHours: hours ? Number(hours) : undefined }),
    toggleStatus: () => status.mutate(c.status === 'closed' ? 'active' : 'closed'),
    remove: () =>
      del.mutate(c.conversation_id, {
        onSuccess: () => navigate(paths.conversations(), { replace: true }),
      }),
  };
}
