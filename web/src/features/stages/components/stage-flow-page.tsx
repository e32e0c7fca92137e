import {
  Box,
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useTheme } from '@mui/material/styles';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useBusiness } from '@/lib/api/businesses/get-business';
import type { Stage, StageTransitionCount } from '@/lib/api/models';
import { useStageTransitions } from '@/lib/api/stages/get-stage-transitions';
import { useStages } from '@/lib/api/stages/list-stages';
import { paths } from '@/lib/paths';
import { type FlowNode, layoutFlow, NODE_H, NODE_W, START } from './flow-layout';

export function StageFlowPage() {
  return (
    <RequireBusiness>
      {(businessId) => <StageFlow key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

function StageFlow({ businessId }: { businessId: string }) {
  const stages = useStages(businessId);
  const transitions = useStageTransitions(businessId);
  const business = useBusiness(businessId);
  const loading = stages.isLoading || transitions.isLoading;
  return (
    <>
      <PageHeader
        title="Stage flow"
        subtitle="Stages and the moves between them observed in real conversations; numbers count transitions."
        actions={
          <Button component={RouterLink} to={paths.stages()}>
            Back to stages
          </Button>
        }
      />
      <ErrorAlert error={stages.error} onRetry={() => stages.refetch()} />
      <ErrorAlert
        error={transitions.error}
        title="Transition counts unavailable"
        onRetry={() => transitions.refetch()}
      />
      {loading ? (
        <Loading />
      ) : (stages.data?.stages ?? []).length === 0 ? (
        <EmptyState
          title="No stages yet"
          description="Create stages first; the flow fills in as conversations move between them."
        />
      ) : (
        <>
          <FlowDiagram
            stages={stages.data?.stages ?? []}
            transitions={transitions.data?.transitions ?? []}
            entryId={business.data?.first_stage_id ?? null}
          />
          {(transitions.data?.transitions ?? []).length === 0 && !transitions.error && (
            <Typography color="text.secondary" sx={{ mt: 1 }}>
              No transitions recorded yet. Chat in the Simulator to see conversations move between stages.
            </Typography>
          )}
          <TransitionTable
            stages={stages.data?.stages ?? []}
            transitions={transitions.data?.transitions ?? []}
          />
        </>
      )}
    </>
  );
}

export function FlowDiagram({
  stages,
  transitions,
  entryId,
}: {
  stages: Stage[];
  transitions: StageTransitionCount[];
  entryId: string | null;
}) {
  const theme = useTheme();
  const navigate = useNavigate();
  const { nodes, edges, width, height } = layoutFlow(stages, transitions, entryId);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const max = Math.max(1, ...edges.map((e) => e.count));
  const pairs = new Set(edges.map((e) => `${e.from}>${e.to}`));
  const color = theme.palette.primary.main;
  const muted = theme.palette.text.secondary;

  const path = (a: FlowNode, b: FlowNode, bend: number) => {
    const forward = b.layer > a.layer;
    const x1 = forward ? a.x + NODE_W : a.x + NODE_W / 2;
    const y1 = forward ? a.y + NODE_H / 2 : a.y + (b.y >= a.y ? NODE_H : 0);
    const x2 = forward ? b.x : b.x + NODE_W / 2;
    const y2 = forward ? b.y + NODE_H / 2 : b.y + (b.y >= a.y ? 0 : NODE_H);
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy) || 1;
    // Same column or backwards: bow out so the edge does not cross the nodes; opposite pairs bow apart.
    const bow = (forward ? 0 : 60) + bend;
    const cx = mx + (-dy / len) * bow;
    const cy = my + (dx / len) * bow;
    return {
      d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}`,
      lx: (x1 + 2 * cx + x2) / 4,
      ly: (y1 + 2 * cy + y2) / 4,
    };
  };

  return (
    <Paper sx={{ overflow: 'auto', p: 1 }}>
      {/* Not role="img" (which hides its children): the stage boxes are links a keyboard user follows. */}
      <svg width={Math.max(width, 320)} height={Math.max(height, 120)}>
        <title>Stage flow diagram</title>
        <defs>
          <marker
            id="flow-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={color} />
          </marker>
        </defs>
        {edges.map((e) => {
          const a = byId.get(e.from);
          const b = byId.get(e.to);
          if (!a || !b) return null;
          const { d, lx, ly } = path(a, b, pairs.has(`${e.to}>${e.from}`) ? 18 : 0);
          return (
            <g key={`${e.from}>${e.to}`}>
              <path
                d={d}
                fill="none"
                stroke={color}
                strokeOpacity={0.7}
                strokeWidth={1.5 + (4 * e.count) / max}
                markerEnd="url(#flow-arrow)"
              />
              <rect
                x={lx - 14}
                y={ly - 10}
                width={28}
                height={20}
                rx={10}
                fill={theme.palette.background.paper}
                stroke={color}
              />
              <text x={lx} y={ly + 4} textAnchor="middle" fontSize={12} fill={theme.palette.text.primary}>
                {e.count}
              </text>
            </g>
          );
        })}
        {nodes.map((n) => {
          const isStart = n.id === START;
          const shape = (
            <>
              <rect
                width={NODE_W}
                height={NODE_H}
                rx={isStart ? NODE_H / 2 : 8}
                fill={isStart ? theme.palette.action.hover : theme.palette.background.paper}
                stroke={n.entry ? color : muted}
                strokeWidth={n.entry ? 2.5 : 1}
                strokeDasharray={isStart ? '4 3' : undefined}
              />
              <text
                x={NODE_W / 2}
                y={NODE_H / 2 + (n.entry ? -2 : 4)}
                textAnchor="middle"
                fontSize={13}
                fontWeight={600}
                fill={theme.palette.text.primary}
              >
                {n.label.length > 22 ? `${n.label.slice(0, 21)}…` : n.label}
              </text>
              {n.entry && (
                <text x={NODE_W / 2} y={NODE_H / 2 + 14} textAnchor="middle" fontSize={10} fill={color}>
                  entry
                </text>
              )}
              <title>{n.label}</title>
            </>
          );
          return (
            <g key={n.id} transform={`translate(${n.x},${n.y})`}>
              {isStart ? (
                shape
              ) : (
                <a
                  href={paths.stage(n.id)}
                  aria-label={`Stage ${n.label}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(paths.stage(n.id));
                  }}
                >
                  {shape}
                </a>
              )}
            </g>
          );
        })}
      </svg>
    </Paper>
  );
}

function TransitionTable({ stages, transitions }: { stages: Stage[]; transitions: StageTransitionCount[] }) {
  if (transitions.length === 0) return null;
  const name = new Map(stages.map((s) => [s.stage_id, s.stage_name]));
  const rows = [...transitions].sort((a, b) => b.count - a.count);
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="h2" component="h2" gutterBottom>
        Transitions
      </Typography>
      <Paper>
        <TableContainer>
          <Table size="small" aria-label="Transitions">
            <TableHead>
              <TableRow>
                <TableCell>From</TableCell>
                <TableCell>To</TableCell>
                <TableCell align="right">Count</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((t) => (
                <TableRow key={`${t.from_stage_id}>${t.to_stage_id}`}>
                  <TableCell>
                    {t.from_stage_id ? (name.get(t.from_stage_id) ?? 'deleted stage') : 'Conversation start'}
                  </TableCell>
                  <TableCell>{(t.to_stage_id && name.get(t.to_stage_id)) || 'deleted stage'}</TableCell>
                  <TableCell align="right">{t.count}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </Paper>
    </Box>
  );
}
