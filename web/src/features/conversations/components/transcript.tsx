import StickyNote2Icon from '@mui/icons-material/StickyNote2';
import { Box, Divider, Paper, Stack, Typography } from '@mui/material';
import type { Message } from '@/lib/api/models';
import { formatDateTime, formatTime } from '@/lib/format';
import { relativeTime } from '@/lib/relative-time';
import { DeliveryChip } from './delivery-chip';
import type { TimelineItem } from './timeline';
import { TurnLine } from './turn-line';

const SENDER_LABEL: Record<string, string> = {
  user: 'Customer',
  assistant: 'Assistant',
  agent: 'Human agent',
  system: 'System',
};

const BUBBLE: Record<string, string> = {
  user: 'background.paper',
  assistant: 'rgba(57,73,171,0.10)',
  agent: 'rgba(0,137,123,0.14)',
  system: 'action.hover',
};

export const NOTE_BG = '#fff8c5';

/**
 * The conversation as a chat: the customer on the left, the assistant and the team on the right,
 * internal notes inline (yellow), stage changes and hand-offs as dividers, and what the assistant did
 * folded into one line under each customer message. A live region: new messages are announced.
 */
export function Transcript({
  items,
  waitingSince,
  typing,
  now,
  businessId,
}: {
  /** Given: a turn offers "Add as test" (to whoever may edit the business's tests). */
  businessId?: string;
  items: TimelineItem[];
  waitingSince: string | null;
  typing: boolean;
  now: number;
}) {
  let position = 0;
  return (
    <Box role="log" aria-live="polite" aria-label="Transcript" aria-relevant="additions">
      {items.length === 0 ? (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          No messages in this conversation yet.
        </Typography>
      ) : (
        <Stack component="ol" spacing={1} sx={{ listStyle: 'none', p: 0, m: 0 }}>
          {items.map((item) => {
            if (item.kind === 'divider')
              return <DividerRow key={item.key} label={item.label} tone={item.tone} />;
            if (item.kind === 'note')
              return (
                <Box
                  component="li"
                  key={item.key}
                  aria-label="Internal note"
                  sx={{ display: 'flex', justifyContent: 'flex-end' }}
                >
                  <Paper
                    variant="outlined"
                    sx={{
                      p: 1.25,
                      maxWidth: { xs: '92%', sm: '75%' },
                      bgcolor: NOTE_BG,
                      borderColor: '#e3c800',
                      color: '#3b3200',
                    }}
                  >
                    <Stack direction="row" spacing={0.75} sx={{ alignItems: 'center', mb: 0.25 }}>
                      <StickyNote2Icon fontSize="inherit" aria-hidden />
                      <Typography variant="caption" sx={{ fontWeight: 700 }}>
                        Internal note{item.note.author_name ? ` · ${item.note.author_name}` : ''}
                      </Typography>
                      <Typography variant="caption" title={formatDateTime(item.note.created_at)}>
                        {formatTime(item.note.created_at)}
                      </Typography>
                    </Stack>
                    <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      {item.note.content}
                    </Typography>
                  </Paper>
                </Box>
              );
            position += 1;
            return (
              <MessageRow
                key={item.key}
                message={item.message}
                position={position}
                item={item}
                businessId={businessId}
              />
            );
          })}
        </Stack>
      )}
      {typing && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1, textAlign: 'right' }}>
          The assistant is writing…
        </Typography>
      )}
      {waitingSince && (
        <Box sx={{ mt: 1.5 }}>
          <DividerRow
            label={`Waiting for a reply since ${formatTime(waitingSince)} (${relativeTime(waitingSince, now)})`}
            tone="handoff"
            as="div"
          />
        </Box>
      )}
    </Box>
  );
}

function DividerRow({
  label,
  tone,
  as = 'li',
}: {
  label: string;
  tone: 'stage' | 'handoff';
  as?: 'li' | 'div';
}) {
  return (
    // A div is generic and may not be named: the waiting cue is a note.
    <Box component={as} role={as === 'div' ? 'note' : undefined} aria-label={label}>
      <Divider
        sx={{
          '&::before, &::after': { borderColor: tone === 'handoff' ? 'warning.main' : 'divider' },
        }}
      >
        <Typography
          variant="caption"
          color={tone === 'handoff' ? 'warning.dark' : 'text.secondary'}
          aria-hidden
        >
          {label}
        </Typography>
      </Divider>
    </Box>
  );
}

function MessageRow({
  message: m,
  position,
  item,
  businessId,
}: {
  businessId?: string | undefined;
  message: Message;
  position: number;
  item: Extract<TimelineItem, { kind: 'message' }>;
}) {
  const right = m.sender_type !== 'user';
  const skipped = m.status === 'skipped';
  return (
    <Box
      component="li"
      aria-label={`${SENDER_LABEL[m.sender_type] ?? m.sender_type} message`}
      sx={{
        display: 'flex',
        flexDirection: 'column',
        alignItems: right ? 'flex-end' : 'flex-start',
        gap: 0.25,
      }}
    >
      <Paper
        variant={m.sender_type === 'user' ? 'outlined' : 'elevation'}
        elevation={0}
        sx={{
          p: 1.25,
          maxWidth: { xs: '92%', sm: '75%' },
          bgcolor: BUBBLE[m.sender_type] ?? 'background.paper',
        }}
      >
        <Stack
          direction="row"
          spacing={1}
          sx={{ alignItems: 'center', mb: 0.25, flexWrap: 'wrap', rowGap: 0.5 }}
        >
          <Typography variant="caption" sx={{ fontWeight: 700 }}>
            {SENDER_LABEL[m.sender_type] ?? m.sender_type}
          </Typography>
          <Typography variant="caption" color="text.secondary" title={formatDateTime(m.created_at)}>
            {formatTime(m.created_at)}
          </Typography>
          <DeliveryChip message={m} />
        </Stack>
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {m.message_content}
        </Typography>
        {skipped && (
          <Typography variant="caption" color="warning.dark" component="p" sx={{ mt: 0.5 }}>
            The AI was paused: not answered automatically.
          </Typography>
        )}
      </Paper>
      {item.turn && <TurnLine turn={item.turn} position={position} businessId={businessId} />}
    </Box>
  );
}
