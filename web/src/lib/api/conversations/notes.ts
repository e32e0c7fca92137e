import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Note } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';
import { useCan } from '@/lib/auth/permissions';

const path = (conversationId: string) => `/api/conversations/${encodeURIComponent(conversationId)}/notes`;

export function listNotes(conversationId: string) {
  return requestJson<{ notes: Note[] }>('GET', path(conversationId));
}

export function addNote(conversationId: string, content: string) {
  return requestJson<Note>('POST', path(conversationId), { body: { content } });
}

/** Internal notes, oldest first: agents, editors and owners see them (not viewers), the customer never does. */
export function useNotes(businessId: string | null, conversationId: string | undefined) {
  const allowed = useCan('conversations.handle').allowed;
  return useQuery({
    queryKey: qk.conversations.notes(businessId, conversationId),
    queryFn: () => listNotes(conversationId as string),
    enabled: allowed && !!businessId && !!conversationId,
  });
}

export function useAddNote(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (content: string) => addNote(conversationId, content),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.notes(businessId, conversationId) }),
  });
}
