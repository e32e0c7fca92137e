import { Box, Chip } from '@mui/material';
import { visuallyHidden } from '@/components/visually-hidden';

/** One chat message; `chips` under the text (stage, fallback), `selected` outlines the turn the panel shows. */
export function Bubble({
  mine,
  sender,
  text,
  chips = [],
  muted,
  selected,
  streaming,
}: {
  mine: boolean;
  sender: string;
  text: string;
  chips?: string[];
  muted?: boolean;
  selected?: boolean;
  streaming?: boolean;
}) {
  return (
    <Box sx={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start', my: 0.5 }}>
      <Box
        aria-busy={streaming || undefined}
        sx={{
          px: 1.5,
          py: 1,
          maxWidth: '85%',
          borderRadius: 2,
          // Earlier messages are dimmed, but white on primary keeps 4.5:1 down to 0.8.
          opacity: muted ? 0.85 : 1,
          bgcolor: mine ? 'primary.main' : 'action.hover',
          color: mine ? 'primary.contrastText' : 'text.primary',
          outline: selected ? 2 : 0,
          outlineColor: 'secondary.main',
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
        }}
      >
        {/* Who speaks, for screen readers (the chat log reads out each new bubble). */}
        <Box component="span" sx={visuallyHidden}>
          {mine ? 'You: ' : sender === 'agent' ? 'Human agent: ' : 'Assistant: '}
        </Box>
        {text}
        {chips.length > 0 && (
          <Box sx={{ mt: 0.5, display: 'flex', gap: 0.5 }}>
            {chips.map((c) => (
              <Chip key={c} size="small" label={c} sx={{ height: 20, fontSize: 11 }} />
            ))}
          </Box>
        )}
      </Box>
    </Box>
  );
}
