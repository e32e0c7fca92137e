import { Box, MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { memo, useMemo } from 'react';
import { useConversations } from '@/lib/api/conversations/list-conversations';
import type { TemplateVariable } from '@/lib/api/models';
import { formatDateTime } from '@/lib/format';

export interface PreviewContext {
  source: 'sample' | 'conversation';
  conversationId: string;
  messageContent: string;
  values: Record<string, string>;
}

export function initialPreviewContext(): PreviewContext {
  return { source: 'sample', conversationId: '', messageContent: '', values: {} };
}

/** Turns the chosen context into the body of /render and /test. */
export function previewBody(ctx: PreviewContext, used: string[], catalogue: readonly TemplateVariable[]) {
  if (ctx.source === 'conversation' && ctx.conversationId) {
    return {
      conversation_id: ctx.conversationId,
      message_content: ctx.messageContent || undefined,
      variables: Object.fromEntries(Object.entries(ctx.values).filter(([, v]) => v !== '')),
    };
  }
  const examples = new Map(catalogue.map((v) => [v.name, v.example]));
  const variables: Record<string, string> = {};
  for (const name of used) {
    const value = ctx.values[name] ?? examples.get(name) ?? '';
    // Left empty: the server fills what it knows itself (business, stages, time) or reports it missing.
    if (value !== '') variables[name] = value;
  }
  if (ctx.messageContent) variables.message_content = ctx.messageContent;
  return { variables, message_content: ctx.messageContent || undefined };
}

/** Chooses what a preview or test run renders against: sample values, or a real conversation. Memoised: give it stable props. */
export const PreviewContextForm = memo(function PreviewContextForm({
  businessId,
  ctx,
  onChange,
  used,
  catalogue,
}: {
  businessId: string;
  ctx: PreviewContext;
  onChange: (ctx: PreviewContext) => void;
  used: string[];
  catalogue: readonly TemplateVariable[];
}) {
  const conversations = useConversations(businessId, { per_page: 50 });
  const examples = useMemo(() => new Map(catalogue.map((v) => [v.name, v.example])), [catalogue]);
  return (
    <Stack spacing={1.5}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={ctx.source}
        onChange={(_, v) => v && onChange({ ...ctx, source: v })}
        aria-label="Preview context"
      >
        <ToggleButton value="sample">Sample values</ToggleButton>
        <ToggleButton value="conversation">Conversation</ToggleButton>
      </ToggleButtonGroup>
      {ctx.source === 'conversation' && (
        <TextField
          select
          label="Conversation"
          value={ctx.conversationId}
          onChange={(e) => onChange({ ...ctx, conversationId: e.target.value })}
          helperText={
            conversations.data?.conversations.length === 0
              ? 'No conversations yet: chat in the Simulator to create one.'
              : 'Variables not set below are computed from this conversation.'
          }
        >
          {(conversations.data?.conversations ?? []).map((c) => (
            <MenuItem key={c.conversation_id} value={c.conversation_id}>
              {c.user_name || c.user_id.slice(0, 8)} · {formatDateTime(c.last_updated ?? c.start_time)}
            </MenuItem>
          ))}
        </TextField>
      )}
      <TextField
        label="Customer message"
        value={ctx.messageContent}
        onChange={(e) => onChange({ ...ctx, messageContent: e.target.value })}
        placeholder={examples.get('message_content') ?? 'Where is my order?'}
        helperText="The new message the template reacts to."
      />
      {ctx.source === 'sample' &&
        used.filter((n) => !/^(message_content|message|user_message)$/.test(n)).length > 0 && (
          <Box>
            <Typography variant="caption" color="text.secondary">
              Sample values (defaults are the catalogue examples)
            </Typography>
            <Stack spacing={1} sx={{ mt: 1 }}>
              {used
                .filter((n) => !/^(message_content|message|user_message)$/.test(n))
                .map((name) => (
                  <TextField
                    key={name}
                    label={name}
                    value={ctx.values[name] ?? examples.get(name) ?? ''}
                    multiline
                    maxRows={4}
                    onChange={(e) => onChange({ ...ctx, values: { ...ctx.values, [name]: e.target.value } })}
                  />
                ))}
            </Stack>
          </Box>
        )}
    </Stack>
  );
});
