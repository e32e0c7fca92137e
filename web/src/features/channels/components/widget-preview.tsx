import ChatBubbleIcon from '@mui/icons-material/ChatBubble';
import { Box, Paper, Typography } from '@mui/material';

/** Black or white, whichever reads better on the brand colour (WCAG relative luminance). */
export function textOn(hex: string) {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** How the widget will look with the settings being edited (updates as you type). */
export function WidgetPreview({
  title,
  greeting,
  color,
}: {
  title: string;
  greeting: string;
  color: string;
}) {
  const ink = textOn(color);
  return (
    <Box
      role="img"
      aria-label={`Widget preview: panel titled “${title}” greeting “${greeting}”`}
      sx={{
        bgcolor: 'action.hover',
        borderRadius: 2,
        p: 2,
        display: 'flex',
        flexDirection: 'column',
        gap: 1.5,
      }}
    >
      <Paper
        elevation={3}
        sx={{ overflow: 'hidden', borderRadius: 2, maxWidth: 320, alignSelf: 'flex-end', width: '100%' }}
      >
        <Box sx={{ bgcolor: color, color: ink, px: 2, py: 1.5 }}>
          <Typography sx={{ fontWeight: 600, color: 'inherit' }}>{title || 'Chat with us'}</Typography>
        </Box>
        <Box sx={{ p: 2, minHeight: 96 }}>
          {greeting && (
            <Box
              sx={{
                // Follows the colour scheme: grey.100 under dark mode's white text was 1.1:1.
                bgcolor: 'action.selected',
                color: 'text.primary',
                borderRadius: 2,
                px: 1.5,
                py: 1,
                maxWidth: '85%',
              }}
            >
              <Typography variant="body2">{greeting}</Typography>
            </Box>
          )}
        </Box>
        <Box sx={{ borderTop: 1, borderColor: 'divider', px: 2, py: 1.25, color: 'text.secondary' }}>
          <Typography variant="body2">Type a message…</Typography>
        </Box>
      </Paper>
      <Box
        sx={{
          alignSelf: 'flex-end',
          width: 52,
          height: 52,
          borderRadius: '50%',
          bgcolor: color,
          color: ink,
          display: 'grid',
          placeItems: 'center',
          boxShadow: 3,
        }}
      >
        <ChatBubbleIcon />
      </Box>
    </Box>
  );
}
