import { Table, TableBody, TableCell, TableHead, TableRow, Typography, useMediaQuery } from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AnalyticsFunnelStage } from '@/lib/api/models';
import { formatCount } from '@/lib/format';
import { ChartFigure } from './chart-figure';

/** Per stage: conversations that entered it, those in it now, and transitions in and out. */
export function StageFunnel({ stages }: { stages: AnalyticsFunnelStage[] }) {
  const theme = useTheme();
  const animate = !useMediaQuery('(prefers-reduced-motion: reduce)');
  const { primary, secondary, text, divider } = theme.palette;
  if (stages.length === 0) {
    return (
      <ChartFigure title="Stage funnel" label="Stage funnel">
        <Typography variant="body2" color="text.secondary">
          This business has no stages yet.
        </Typography>
      </ChartFigure>
    );
  }
  const top = stages.reduce((best, s) => (s.conversations_entered > best.conversations_entered ? s : best));
  return (
    <ChartFigure
      title="Stage funnel"
      label="Conversations entered and currently in each stage"
      summary={`${stages.length} ${stages.length === 1 ? 'stage' : 'stages'}; most entered: ${top.stage_name} (${formatCount(top.conversations_entered)} conversations).`}
      tableAlwaysVisible
      table={
        <Table size="small" aria-label="Stage funnel">
          <TableHead>
            <TableRow>
              <TableCell>Stage</TableCell>
              <TableCell align="right">Entered</TableCell>
              <TableCell align="right">In stage now</TableCell>
              <TableCell align="right">Transitions in</TableCell>
              <TableCell align="right">Transitions out</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {stages.map((s) => (
              <TableRow key={s.stage_id}>
                <TableCell component="th" scope="row">
                  {s.stage_name}
                </TableCell>
                <TableCell align="right">{formatCount(s.conversations_entered)}</TableCell>
                <TableCell align="right">{formatCount(s.conversations_current)}</TableCell>
                <TableCell align="right">{formatCount(s.transitions_in)}</TableCell>
                <TableCell align="right">{formatCount(s.transitions_out)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      }
    >
      <ResponsiveContainer width="100%" height={Math.max(140, stages.length * 44 + 56)}>
        <BarChart data={stages} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={divider} horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12, fill: text.secondary }} />
          <YAxis
            type="category"
            dataKey="stage_name"
            width={120}
            tick={{ fontSize: 12, fill: text.secondary }}
          />
          <Tooltip contentStyle={{ borderRadius: 8, borderColor: divider }} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Bar
            isAnimationActive={animate}
            dataKey="conversations_entered"
            name="Entered"
            fill={primary.main}
            radius={[0, 4, 4, 0]}
          />
          <Bar
            isAnimationActive={animate}
            dataKey="conversations_current"
            name="In stage now"
            fill={secondary.main}
            radius={[0, 4, 4, 0]}
          />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
