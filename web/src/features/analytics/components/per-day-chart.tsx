import { Table, TableBody, TableCell, TableHead, TableRow, useMediaQuery } from '@mui/material';
import { useTheme } from '@mui/material/styles';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AnalyticsDay } from '@/lib/api/models';
import { formatCount } from '@/lib/format';
import { ChartFigure } from './chart-figure';
import { formatDay } from './format';

function summaryOf(days: AnalyticsDay[]): string {
  const sum = (k: keyof Omit<AnalyticsDay, 'date'>) => days.reduce((n, d) => n + d[k], 0);
  const busiest = days.reduce<AnalyticsDay | undefined>(
    (best, d) => (!best || d.messages > best.messages ? d : best),
    undefined,
  );
  const parts = [
    `${formatCount(sum('conversations'))} conversations started and ${formatCount(sum('messages'))} messages over ${days.length} days`,
  ];
  if (busiest && busiest.messages > 0)
    parts.push(`busiest day ${formatDay(busiest.date)} with ${formatCount(busiest.messages)} messages`);
  const errors = sum('errors');
  parts.push(
    `${formatCount(errors)} LLM ${errors === 1 ? 'error' : 'errors'} in ${formatCount(sum('llm_calls'))} calls`,
  );
  return `${parts.join('; ')}.`;
}

/** Conversations and messages per UTC day, with failed LLM calls on top. */
export function PerDayChart({ days }: { days: AnalyticsDay[] }) {
  const theme = useTheme();
  const animate = !useMediaQuery('(prefers-reduced-motion: reduce)');
  const { primary, secondary, error, text, divider } = theme.palette;
  return (
    <ChartFigure
      title="Activity per day"
      label="Conversations, messages and LLM errors per day"
      summary={summaryOf(days)}
      table={
        <Table size="small" aria-label="Activity per day">
          <TableHead>
            <TableRow>
              <TableCell>Day (UTC)</TableCell>
              <TableCell align="right">Conversations</TableCell>
              <TableCell align="right">Messages</TableCell>
              <TableCell align="right">LLM calls</TableCell>
              <TableCell align="right">LLM errors</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {days.map((d) => (
              <TableRow key={d.date}>
                <TableCell component="th" scope="row">
                  {formatDay(d.date)}
                </TableCell>
                <TableCell align="right">{formatCount(d.conversations)}</TableCell>
                <TableCell align="right">{formatCount(d.messages)}</TableCell>
                <TableCell align="right">{formatCount(d.llm_calls)}</TableCell>
                <TableCell align="right">{formatCount(d.errors)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      }
    >
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={days} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={divider} vertical={false} />
          <XAxis
            dataKey="date"
            tickFormatter={formatDay}
            tick={{ fontSize: 12, fill: text.secondary }}
            minTickGap={16}
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: text.secondary }} width={48} />
          <Tooltip
            labelFormatter={(label) => formatDay(String(label))}
            contentStyle={{ borderRadius: 8, borderColor: divider }}
          />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Area
            type="monotone"
            isAnimationActive={animate}
            dataKey="messages"
            name="Messages"
            stroke={primary.main}
            fill={primary.main}
            fillOpacity={0.15}
            strokeWidth={2}
          />
          <Area
            type="monotone"
            isAnimationActive={animate}
            dataKey="conversations"
            name="Conversations"
            stroke={secondary.main}
            fill={secondary.main}
            fillOpacity={0.2}
            strokeWidth={2}
          />
          <Line
            type="monotone"
            isAnimationActive={animate}
            dataKey="errors"
            name="LLM errors"
            stroke={error.main}
            strokeWidth={2}
            strokeDasharray="5 3"
            dot={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
