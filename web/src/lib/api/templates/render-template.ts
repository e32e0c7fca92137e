import { apiClient, compact, unwrap } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';

export interface RenderInput {
  variables: Record<string, string>;
  conversation_id?: string;
  message_content?: string;
  /** Unsaved draft, rendered instead of the stored text; sent only when it differs (extension of api.md). */
  content?: string;
  system_prompt?: string;
}

/** The server refused the draft fields (it renders stored templates only): the caller retries without them. */
export function rejectedDraft(e: unknown): boolean {
  return (
    e instanceof ApiError &&
    e.status === 400 &&
    (e.fieldErrors.content !== undefined || e.fieldErrors.system_prompt !== undefined)
  );
}

function post(templateId: string, input: RenderInput, signal?: AbortSignal) {
  return unwrap(
    apiClient.POST('/api/templates/{template_id}/render', {
      params: { path: { template_id: templateId } },
      body: compact({ ...input }),
      signal,
    }),
  );
}

export async function renderTemplate(
  _businessId: string,
  templateId: string,
  input: RenderInput,
  signal?: AbortSignal,
) {
  try {
    return { ...(await post(templateId, input, signal)), draftIgnored: false };
  } catch (e) {
    if (!(input.content !== undefined || input.system_prompt !== undefined) || !rejectedDraft(e)) throw e;
    const { content: _c, system_prompt: _s, ...rest } = input;
    return { ...(await post(templateId, rest, signal)), draftIgnored: true };
  }
}
