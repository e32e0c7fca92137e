import { Box, LinearProgress, Paper, Typography } from '@mui/material';
import type { AnalyticsOverview } from '@/lib/api/models';
import { formatCount } from '@/lib/format';
import { formatPercent } from './format';

/** Share of conversations whose collected data holds each key: a labelled bar with the number as text. */
export function FillRates({ extraction }: { extraction: AnalyticsOverview['extraction'] }) {
  const { fill_rates: rates, messages_with_facts: messages } = extraction;
  return (
    <Paper component="section" aria-labelledby="fill-rates-title" sx={{ p: 2, minWidth: 0 }}>
      <Typography variant="h2" id="fill-rates-title">
        Extraction fill rates
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
        Share of conversations in which each fact was collected · facts extracted from {formatCount(messages)}{' '}
        {messages === 1 ? 'message' : 'messages'}.
      </Typography>
      {rates.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No facts collected in this range.
        </Typography>
      ) : (
        <Box component="ul" aria-label="Extraction fill rates" sx={{ listStyle: 'none', m: 0, p: 0 }}>
          {rates.map((r) => {
            const pct = Math.round(Math.min(1, Math.max(0, r.rate)) * 100);
            const text = `${formatPercent(r.rate)} (${formatCount(r.conversations)} ${
              r.conversations === 1 ? 'conversation' : 'conversations'
            })`;
            return (
              <Box component="li" key={r.key} sx={{ mb: 1.25 }}>
                <Box sx={{ display: 'flex', justifyContent: 'space-between', gap: 1 }}>
                  <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                    {r.key}
                  </Typography>
                  <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
                    {text}
                  </Typography>
                </Box>
                <LinearProgress
                  variant="determinate"
                  value={pct}
                  aria-label={`${r.key} fill rate`}
                  aria-valuetext={text}
                  sx={{ height: 8, borderRadius: 4, mt: 0.5 }}
                />
              </Box>
            );
          })}
        </Box>
      )}
    </Paper>
  );
}
