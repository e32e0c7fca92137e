import {
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import type { StageInsight } from '@/lib/api/models';
import { formatCount } from '@/lib/format';
import { formatPercent } from './format';

/** Seconds as "45 s", "12 min", "3.5 h" or "2.1 d". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** Per stage: entries, completion, median time to complete, drop-off and the fields missing at drop-off. */
export function StageInsightsTable({ stages, quietHours }: { stages: StageInsight[]; quietHours: number }) {
  return (
    <Paper component="section" aria-labelledby="stage-insights-title" sx={{ p: 2, mb: 2, minWidth: 0 }}>
      <Typography variant="h2" id="stage-insights-title" sx={{ mb: 0.5 }}>
        Stages
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        A visit completes when the conversation moves on or has every required field; it drops off when it
        stays in the stage, closed or quiet for {quietHours} hours.
      </Typography>
      <TableContainer>
        <Table size="small" aria-label="Stages">
          <TableHead>
            <TableRow>
              <TableCell>Stage</TableCell>
              <TableCell align="right">Entries</TableCell>
              <TableCell align="right">Completed</TableCell>
              <TableCell align="right">Median time to complete</TableCell>
              <TableCell align="right">Drop-off</TableCell>
              <TableCell>Missing at drop-off</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {stages.map((s) => (
              <TableRow key={s.stage_id}>
                <TableCell component="th" scope="row">
                  {s.stage_name}
                </TableCell>
                <TableCell align="right">{formatCount(s.entries)}</TableCell>
                <TableCell align="right">
                  {formatCount(s.completions)} ({formatPercent(s.entries ? s.completion_rate : null)})
                </TableCell>
                <TableCell align="right">{formatSeconds(s.median_seconds_to_complete)}</TableCell>
                <TableCell
                  align="right"
                  sx={s.drop_offs ? { color: 'warning.dark', fontWeight: 600 } : undefined}
                >
                  {formatCount(s.drop_offs)} ({formatPercent(s.entries ? s.drop_off_rate : null)})
                </TableCell>
                <TableCell>
                  {s.missing_fields.length === 0
                    ? '—'
                    : s.missing_fields.map((f) => `${f.label} (${formatCount(f.conversations)})`).join(', ')}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}
