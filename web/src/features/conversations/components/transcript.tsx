import { Box, Chip, Paper, Stack, Typography } from '@mui/material';
import type { LlmCall, Message } from '@/lib/api/models';
import { formatTime } from '@/lib/format';
import { DeliveryChip } from './delivery-chip';
import { Facts } from './facts';
import { LlmCallList } from './llm-call-list';

const SENDER_LABEL: Record<string, string> = {
  user: 'Customer',
  assistant: 'Assistant',
  agent: 'Human agent',
  system: 'System',
};

/**
 * Messages in order. Under each message: the stage it was handled in, the facts extracted from it,
 * and the LLM calls it caused (expandable).
 */
export function Transcript({
  messages,
  llmCalls,
  stageName,
}: {
  messages: Message[];
  llmCalls: LlmCall[];
  stageName: (id: string | null | undefined) => string | null;
}) {
  const byMessage = new Map<string, LlmCall[]>();
  for (const c of llmCalls)
    if (c.message_id) byMessage.set(c.message_id, [...(byMessage.get(c.message_id) ?? []), c]);
  for (const list of byMessage.values()) list.sort((a, b) => a.created_at.localeCompare(b.created_at));
  const ids = new Set(messages.map((m) => m.message_id));
  const orphans = llmCalls.filter((c) => !c.message_id || !ids.has(c.message_id));
  const sorted = [...messages].sort((a, b) => a.sequence_number - b.sequence_number);

  if (sorted.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ p: 2 }}>
        No messages in this conversation yet.
      </Typography>
    );
  }
  return (
    <Stack spacing={1.5} component="ol" aria-label="Transcript" sx={{ listStyle: 'none', p: 0, m: 0 }}>
      {sorted.map((m, index) => {
        const mine = m.sender_type !== 'user';
        const stage = stageName(m.stage_id);
        const calls = byMessage.get(m.message_id) ?? [];
        return (
          <Box
            component="li"
            key={m.message_id}
            aria-label={`${SENDER_LABEL[m.sender_type] ?? m.sender_type} message`}
            sx={{ display: 'flex', flexDirection: 'column', alignItems: mine ? 'flex-end' : 'flex-start' }}
          >
            <Paper
              sx={{
                p: 1.25,
                maxWidth: { xs: '95%', sm: '80%' },
                bgcolor:
                  m.sender_type === 'user'
                    ? 'background.paper'
                    : m.sender_type === 'agent'
                      ? 'rgba(0,137,123,0.12)'
                      : m.sender_type === 'system'
                        ? 'action.hover'
                        : 'rgba(57,73,171,0.10)',
              }}
            >
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5, flexWrap: 'wrap' }}>
                <Typography variant="caption" sx={{ fontWeight: 700 }}>
                  {SENDER_LABEL[m.sender_type] ?? m.sender_type}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {/* Position, not sequence number: a message the AI did not answer leaves its reply slot unused. */}
                  #{index + 1} · {formatTime(m.created_at)}
                </Typography>
                {stage && <Chip size="small" label={`Stage: ${stage}`} variant="outlined" />}
                <DeliveryChip message={m} />
              </Stack>
              <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {m.message_content}
              </Typography>
              <Facts data={m.extracted_data} />
            </Paper>
            {calls.length > 0 && (
              <Box
                sx={{ width: { xs: '95%', sm: '80%' } }}
                aria-label={`LLM calls for message ${index + 1}`}
                role="group"
              >
                <LlmCallList calls={calls} />
              </Box>
            )}
          </Box>
        );
      })}
      {orphans.length > 0 && (
        <Box component="li">
          <Typography variant="subtitle2">Other LLM calls</Typography>
          <LlmCallList calls={orphans} />
        </Box>
      )}
    </Stack>
  );
}
