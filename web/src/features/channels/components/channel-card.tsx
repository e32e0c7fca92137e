import { Chip, Paper, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** The frame every channel section shares: a heading with its state, then its content. */
export function ChannelCard({
  title,
  description,
  on,
  onLabel,
  offLabel,
  children,
}: {
  title: string;
  description: ReactNode;
  on: boolean;
  onLabel: string;
  offLabel: string;
  children: ReactNode;
}) {
  const headingId = `channel-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography id={headingId} variant="h2" component="h2">
          {title}
        </Typography>
        <Chip size="small" color={on ? 'success' : 'default'} label={on ? onLabel : offLabel} />
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        {description}
      </Typography>
      {children}
    </Paper>
  );
}
