import { Box, Chip } from '@mui/material';
import { useLiveStatus } from '@/lib/live/live-store';

const LABEL = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

/** Whether the live updates are flowing (a small dot and a word; announced politely when it changes). */
export function LiveIndicator() {
  const status = useLiveStatus();
  if (status === 'off') return null;
  const live = status === 'live';
  return (
    <Chip
      size="small"
      variant="outlined"
      color={live ? 'success' : 'warning'}
      role="status"
      title={live ? 'Updates arrive as they happen' : 'The live connection dropped; it reconnects by itself'}
      icon={
        <Box
          component="span"
          aria-hidden
          sx={{
            width: 8,
            height: 8,
            borderRadius: '50%',
            bgcolor: live ? 'success.main' : 'warning.main',
            ml: '8px !important',
          }}
        />
      }
      label={LABEL[status]}
    />
  );
}
