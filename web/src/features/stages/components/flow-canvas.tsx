import '@xyflow/react/dist/style.css';
import { Box, Button, Chip, FormControlLabel, Link, Paper, Stack, Switch, Typography } from '@mui/material';
import { alpha, useTheme } from '@mui/material/styles';
import {
  BaseEdge,
  type Connection,
  Controls,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  MarkerType,
  MiniMap,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import { createContext, memo, useContext, useEffect, useMemo, useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import type { Stage } from '@/lib/api/models';
import { paths } from '@/lib/paths';
import { edgeLabelText, elkLayout, type FlowLayout, type Point, routePath } from './flow-layout';
import {
  columnLayout,
  type FlowModel,
  type FlowModelEdge,
  type FlowStageNode,
  NODE_WIDTH,
  START,
} from './flow-model';
import type { FlowActions } from './use-flow-actions';

interface CanvasContext {
  editable: boolean;
  editReason: string | null;
  actions: FlowActions;
}
const Ctx = createContext<CanvasContext | null>(null);

type StageNodeData = { node: FlowStageNode };
type StageFlowNode = Node<StageNodeData, 'stage'>;
type RoutedEdgeData = {
  edge: FlowModelEdge;
  points: Point[] | null;
  labelAt: Point | null;
  text: string;
  max: number;
};
type RoutedFlowEdge = Edge<RoutedEdgeData, 'routed'>;

const StageNode = memo(function StageNode({ data }: NodeProps<StageFlowNode>) {
  const ctx = useContext(Ctx) as CanvasContext;
  const theme = useTheme();
  const { node } = data;
  const stage = node.stage;
  if (!stage) {
    return (
      <Box
        sx={{
          width: NODE_WIDTH,
          height: node.height,
          borderRadius: node.height / 2,
          border: `1px dashed ${theme.palette.text.secondary}`,
          bgcolor: 'action.hover',
          display: 'grid',
          placeItems: 'center',
        }}
      >
        <Typography variant="body2">{node.label}</Typography>
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </Box>
    );
  }
  const goal = stage.required_fields.length
    ? `Goal: ${stage.required_fields.length} required field${stage.required_fields.length > 1 ? 's' : ''}`
    : 'No goal: never complete';
  return (
    <Box
      sx={{
        width: NODE_WIDTH,
        height: node.height,
        p: 1,
        borderRadius: 1,
        border: `${node.entry ? 2 : 1}px solid ${node.entry ? theme.palette.primary.main : theme.palette.divider}`,
        bgcolor: 'background.paper',
        overflow: 'hidden',
        cursor: 'pointer',
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={ctx.editable} />
      <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', minWidth: 0 }}>
        <Typography variant="subtitle2" noWrap title={stage.stage_name} sx={{ flex: 1, minWidth: 0 }}>
          {/* A real link, so a keyboard user opens the stage too (the whole node answers a click). */}
          <Link
            component={RouterLink}
            to={ctx.editable ? paths.stageEdit(stage.stage_id) : paths.stage(stage.stage_id)}
            className="nodrag"
            color="inherit"
            underline="hover"
            onClick={(e) => e.stopPropagation()}
          >
            {stage.stage_name}
          </Link>
        </Typography>
        {node.entry && <Chip size="small" color="primary" label="entry" />}
        {stage.handoff && <Chip size="small" label="hand-off" />}
      </Stack>
      {node.required.length > 0 && (
        <Typography variant="caption" component="div" noWrap title={node.required.join(', ')}>
          Required: {node.required.join(', ')}
        </Typography>
      )}
      {node.optional.length > 0 && (
        <Typography
          variant="caption"
          component="div"
          noWrap
          color="text.secondary"
          title={node.optional.join(', ')}
        >
          Optional: {node.optional.join(', ')}
        </Typography>
      )}
      <Typography variant="caption" component="div" noWrap color="text.secondary">
        {goal}
      </Typography>
      <FormControlLabel
        className="nodrag"
        onClick={(e) => e.stopPropagation()}
        sx={{ ml: 0, mt: 0.25, '& .MuiFormControlLabel-label': { fontSize: 12 } }}
        control={
          <Switch
            size="small"
            checked={node.allowed === null}
            disabled={!ctx.editable || ctx.actions.pending}
            onChange={(e) => ctx.actions.setAnyNext(stage, e.target.checked)}
            slotProps={{ input: { 'aria-label': `Any stage may follow ${stage.stage_name}` } }}
          />
        }
        label="Any stage may follow"
        title={ctx.editReason ?? undefined}
      />
      <Handle type="source" position={Position.Right} isConnectable={ctx.editable} />
    </Box>
  );
});

function RoutedEdge(props: EdgeProps<RoutedFlowEdge>) {
  const theme = useTheme();
  const { data, selected, markerEnd, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } =
    props;
  const edge = data?.edge;
  let path: string;
  let labelX: number;
  let labelY: number;
  if (data?.points && data.points.length >= 2) {
    path = routePath(data.points);
    const mid = data.labelAt ?? data.points[Math.floor(data.points.length / 2)] ?? { x: 0, y: 0 };
    labelX = mid.x;
    labelY = mid.y;
  } else {
    [path, labelX, labelY] = getSmoothStepPath({
      sourceX,
      sourceY,
      targetX,
      targetY,
      sourcePosition,
      targetPosition,
    });
  }
  const color =
    edge?.kind === 'rule'
      ? theme.palette.primary.main
      : edge?.kind === 'allowed'
        ? theme.palette.text.primary
        : theme.palette.text.secondary;
  const width = 1.5 + (data && edge && data.max > 0 ? (4 * edge.count) / data.max : 0);
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={16}
        style={{
          stroke: selected ? theme.palette.error.main : color,
          strokeWidth: selected ? width + 1.5 : width,
          strokeDasharray: edge?.kind === 'observed' || edge?.kind === 'start' ? '5 4' : undefined,
        }}
      />
      {data?.text && (
        <EdgeLabelRenderer>
          <Box
            className="nodrag nopan"
            sx={{
              position: 'absolute',
              transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
              px: 0.75,
              borderRadius: 2,
              fontSize: 12,
              lineHeight: '20px',
              whiteSpace: 'nowrap',
              bgcolor: 'background.paper',
              color: edge?.kind === 'rule' ? 'primary.main' : 'text.primary',
              border: `1px solid ${alpha(color, 0.6)}`,
            }}
          >
            {data.text}
          </Box>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes = { stage: StageNode };
const edgeTypes = { routed: RoutedEdge };

function edgeAriaLabel(e: FlowModelEdge, name: (id: string) => string) {
  const what =
    e.kind === 'rule'
      ? `Rule ${e.label}`
      : e.kind === 'allowed'
        ? 'Allowed transition'
        : e.kind === 'start'
          ? 'Conversations start'
          : 'Observed move';
  const count = e.count > 0 ? `, ${e.count} observed` : '';
  return `${what} from ${name(e.source)} to ${name(e.target)}${count}`;
}

export interface CanvasProps {
  model: FlowModel;
  stages: Stage[];
  showTraffic: boolean;
  editable: boolean;
  editReason: string | null;
  actions: FlowActions;
  onConnect: (source: Stage, target: string) => void;
}

export function FlowCanvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ model, stages, showTraffic, editable, editReason, actions, onConnect }: CanvasProps) {
  const theme = useTheme();
  const navigate = useNavigate();
  const flow = useReactFlow();
  const [layout, setLayout] = useState<FlowLayout | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // Re-layout only when what is drawn changes (not on every refetch of the same stages).
  const shape = JSON.stringify([
    model.nodes.map((n) => [n.id, n.height]),
    model.edges.map((e) => [e.id, e.source, e.target, edgeLabelText(e, showTraffic)]),
  ]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` stands for the model's layout-relevant part.
  useEffect(() => {
    let live = true;
    void elkLayout(model, showTraffic).then((l) => {
      if (live && l) setLayout(l);
    });
    return () => {
      live = false;
    };
  }, [shape]);
  // 'laid-out' once ELK's positions are on screen and fitted (browser tests wait for it before drawing).
  const [fitted, setFitted] = useState<FlowLayout | null>(null);
  useEffect(() => {
    // After React Flow has taken the new positions (its store updates in its own effects).
    if (!layout) return;
    const timer = setTimeout(
      () => void flow.fitView({ padding: 0.15, maxZoom: 1.2 }).then(() => setFitted(layout)),
      0,
    );
    return () => clearTimeout(timer);
  }, [layout, flow]);

  const byId = useMemo(() => new Map(stages.map((s) => [s.stage_id, s])), [stages]);
  const name = (id: string) =>
    id === START ? 'conversation start' : (byId.get(id)?.stage_name ?? 'deleted stage');
  const fallback = useMemo(() => columnLayout(model), [model]);
  // Memoised, and with `measured` given: React Flow keeps a node's measured handles only while the
  // node object is the same or says its size, and a controlled flow without onNodesChange never
  // re-measures (drawing an edge needs the handles' bounds).
  const nodes: StageFlowNode[] = useMemo(
    () =>
      model.nodes.map((n) => ({
        id: n.id,
        type: 'stage',
        position: layout?.positions.get(n.id) ?? fallback.get(n.id) ?? { x: 0, y: 0 },
        data: { node: n },
        width: NODE_WIDTH,
        height: n.height,
        measured: { width: NODE_WIDTH, height: n.height },
        draggable: false,
        selectable: false,
        connectable: editable && n.id !== START,
        ariaLabel: n.id === START ? 'Conversation start' : `Stage ${n.label}`,
      })),
    [model, layout, fallback, editable],
  );
  const max = showTraffic ? Math.max(0, ...model.edges.map((e) => e.count)) : 0;
  const edges: RoutedFlowEdge[] = model.edges.map((e) => {
    const route = layout?.routes.get(e.id);
    const deletable = editable && (e.kind === 'allowed' || e.kind === 'rule');
    return {
      id: e.id,
      type: 'routed',
      source: e.source,
      target: e.target,
      selected: selected === e.id,
      selectable: deletable,
      deletable,
      focusable: deletable,
      markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
      ariaLabel: edgeAriaLabel(e, name),
      data: {
        edge: e,
        points: route?.points ?? null,
        labelAt: route?.label ?? null,
        text: edgeLabelText(e, showTraffic),
        max,
      },
    };
  });
  const selectedEdge = model.edges.find((e) => e.id === selected);

  const ctx = useMemo(() => ({ editable, editReason, actions }), [editable, editReason, actions]);
  return (
    <Ctx.Provider value={ctx}>
      <Paper
        variant="outlined"
        data-layout={fitted && fitted === layout ? 'laid-out' : 'pending'}
        sx={{ height: { xs: 480, md: 'calc(100vh - 260px)' }, minHeight: 420, position: 'relative' }}
      >
        <ReactFlow<StageFlowNode, RoutedFlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
          minZoom={0.2}
          maxZoom={2}
          nodesDraggable={false}
          nodesConnectable={editable}
          elementsSelectable={editable}
          deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
          colorMode={theme.palette.mode}
          proOptions={{ hideAttribution: true }}
          isValidConnection={(c) => c.source !== c.target && c.target !== START && c.source !== START}
          onConnect={(c: Connection) => {
            const source = byId.get(c.source);
            if (source && c.target) onConnect(source, c.target);
          }}
          onNodeClick={(_, n) => {
            if (n.id !== START) navigate(editable ? paths.stageEdit(n.id) : paths.stage(n.id));
          }}
          onEdgeClick={(_, e) => setSelected(e.selectable === false ? null : e.id)}
          // Keyboard selection (Tab to an edge, Enter) arrives as a change, not as a click.
          onEdgesChange={(changes) => {
            for (const c of changes)
              if (c.type === 'select') setSelected((cur) => (c.selected ? c.id : cur === c.id ? null : cur));
          }}
          onPaneClick={() => setSelected(null)}
          onEdgesDelete={(deleted) => {
            for (const d of deleted) {
              const e = model.edges.find((m) => m.id === d.id);
              if (e) actions.remove(e);
            }
            setSelected(null);
          }}
        >
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable ariaLabel="Mini map of the stage flow" />
        </ReactFlow>
        {selectedEdge && editable && (
          <Stack
            direction="row"
            spacing={1}
            sx={{
              position: 'absolute',
              top: 8,
              left: 8,
              zIndex: 5,
              p: 1,
              bgcolor: 'background.paper',
              borderRadius: 1,
              boxShadow: 2,
              alignItems: 'center',
            }}
          >
            <Typography variant="body2">{edgeAriaLabel(selectedEdge, name)}</Typography>
            <Button
              size="small"
              color="error"
              variant="outlined"
              disabled={actions.pending}
              onClick={() => {
                actions.remove(selectedEdge);
                setSelected(null);
              }}
            >
              Delete connection
            </Button>
          </Stack>
        )}
      </Paper>
    </Ctx.Provider>
  );
}
