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
import type { AnalyticsOverview } from '@/lib/api/models';
import { callLabel, formatCost, formatCount, formatMs } from '@/lib/format';

/** One row per pipeline step (call type), most calls first, with the overall figures as a footer. */
export function LlmStepsTable({ llm }: { llm: AnalyticsOverview['llm'] }) {
  return (
    <Paper component="section" aria-labelledby="llm-steps-title" sx={{ p: 2, minWidth: 0 }}>
      <Typography variant="h2" id="llm-steps-title" sx={{ mb: 1 }}>
        LLM calls per step
      </Typography>
      {llm.per_step.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No LLM calls in this range.
        </Typography>
      ) : (
        <TableContainer>
          <Table size="small" aria-label="LLM calls per step">
            <TableHead>
              <TableRow>
                <TableCell>Step</TableCell>
                <TableCell align="right">Calls</TableCell>
                <TableCell align="right">Errors</TableCell>
                <TableCell align="right">p50</TableCell>
                <TableCell align="right">p95</TableCell>
                <TableCell align="right">Tokens in</TableCell>
                <TableCell align="right">Tokens out</TableCell>
                <TableCell align="right">Cost</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {llm.per_step.map((s) => (
                <TableRow key={s.call_type}>
                  <TableCell component="th" scope="row">
                    {callLabel(s.call_type)}
                  </TableCell>
                  <TableCell align="right">{formatCount(s.calls)}</TableCell>
                  <TableCell
                    align="right"
                    sx={s.errors ? { color: 'error.main', fontWeight: 600 } : undefined}
                  >
                    {formatCount(s.errors)}
                  </TableCell>
                  <TableCell align="right">{formatMs(s.p50_ms)}</TableCell>
                  <TableCell align="right">{formatMs(s.p95_ms)}</TableCell>
                  <TableCell align="right">{formatCount(s.tokens_in)}</TableCell>
                  <TableCell align="right">{formatCount(s.tokens_out)}</TableCell>
                  <TableCell align="right">{formatCost(s.cost_usd)}</TableCell>
                </TableRow>
              ))}
              <TableRow sx={{ '& > *': { fontWeight: 600 } }}>
                <TableCell component="th" scope="row">
                  All steps
                </TableCell>
                <TableCell align="right">{formatCount(llm.calls)}</TableCell>
                <TableCell align="right">{formatCount(llm.errors)}</TableCell>
                <TableCell align="right">{formatMs(llm.latency_ms.p50)}</TableCell>
                <TableCell align="right">{formatMs(llm.latency_ms.p95)}</TableCell>
                <TableCell align="right">{formatCount(llm.tokens_in)}</TableCell>
                <TableCell align="right">{formatCount(llm.tokens_out)}</TableCell>
                <TableCell align="right">{formatCost(llm.cost_usd)}</TableCell>
              </TableRow>
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
