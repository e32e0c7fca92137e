import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import PsychologyIcon from '@mui/icons-material/Psychology';
import { Box, Button, ButtonBase, Stack, Typography } from '@mui/material';
import { useId, useState } from 'react';
import { AddAsTestButton } from '@/components/test-case-dialog';
import { useCan } from '@/lib/auth/permissions';
import { callLabel, formatMs } from '@/lib/format';
import { Facts } from './facts';
import { LlmCallList } from './llm-call-list';
import type { TurnSummary } from './timeline';

/** "What the assistant did" for one message: one line, expanded on demand. */
export function TurnLine({
  turn,
  position,
  businessId,
}: {
  turn: TurnSummary;
  position: number;
  businessId?: string | undefined;
}) {
  const [open, setOpen] = useState(false);
  const edit = useCan('content.edit');
  const [showDiscarded, setShowDiscarded] = useState(false);
  const regionId = useId();
  const facts = Object.keys(turn.facts).length;
  const parts = [
    turn.stage ? `Stage ${turn.stage}` : null,
    facts ? `${facts} ${facts === 1 ? 'fact' : 'facts'}` : null,
    turn.calls.length ? turn.calls.map((c) => callLabel(c.call_type).toLowerCase()).join(', ') : null,
    turn.calls.length ? formatMs(turn.totalMs) : null,
    turn.failed ? 'a step failed' : null,
  ].filter(Boolean);
  return (
    <Box sx={{ width: '100%', maxWidth: { xs: '100%', sm: '85%' } }}>
      <ButtonBase
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-controls={regionId}
        sx={{
          width: '100%',
          justifyContent: 'flex-start',
          textAlign: 'left',
          gap: 0.75,
          px: 1,
          py: 0.25,
          borderRadius: 1,
          color: turn.failed ? 'error.main' : 'text.secondary',
          '&:hover': { bgcolor: 'action.hover' },
        }}
      >
        <PsychologyIcon fontSize="small" aria-hidden />
        <Typography variant="caption" component="span" sx={{ flex: 1, minWidth: 0 }} noWrap>
          <strong>What the assistant did</strong>
          {parts.length > 0 && ` · ${parts.join(' · ')}`}
        </Typography>
        <ExpandMoreIcon
          fontSize="small"
          aria-hidden
          sx={{ transform: open ? 'rotate(180deg)' : 'none', transition: 'transform 150ms' }}
        />
      </ButtonBase>
      {open && (
        <Box
          id={regionId}
          role="region"
          aria-label={`What the assistant did for message ${position}`}
          sx={{ pl: 1, pb: 1 }}
        >
          <Facts data={turn.facts} />
          <LlmCallList calls={turn.calls} />
          {businessId && edit.allowed && (
            <AddAsTestButton businessId={businessId} messageId={turn.messageId} />
          )}
          {turn.discarded.length > 0 && (
            <Stack sx={{ mt: 0.5 }}>
              <Button
                size="small"
                sx={{ alignSelf: 'flex-start' }}
                onClick={() => setShowDiscarded((s) => !s)}
              >
                {showDiscarded
                  ? 'Hide discarded calls'
                  : `Show ${turn.discarded.length} discarded ${turn.discarded.length === 1 ? 'call' : 'calls'}`}
              </Button>
              {showDiscarded && <LlmCallList calls={turn.discarded} />}
            </Stack>
          )}
        </Box>
      )}
    </Box>
  );
}
