import type { Stage, StageTransitionCount } from '@/lib/api/models';

export const START = '__start__';

export interface FlowNode {
  id: string;
  label: string;
  x: number;
  y: number;
  layer: number;
  entry: boolean;
}
export interface FlowEdge {
  from: string;
  to: string;
  count: number;
}

export const NODE_W = 170;
export const NODE_H = 48;
const COL_GAP = 110;
const ROW_GAP = 36;

/**
 * Columns by breadth-first distance from the entry stage along observed transitions (the usual
 * direction of a conversation reads left to right); stages never reached go in a last column.
 */
export function layoutFlow(stages: Stage[], transitions: StageTransitionCount[], entryId: string | null) {
  const ids = new Set(stages.map((s) => s.stage_id));
  const edges: FlowEdge[] = [];
  let hasStart = false;
  for (const t of transitions) {
    if (!t.to_stage_id || !ids.has(t.to_stage_id)) continue;
    if (t.from_stage_id === null || !ids.has(t.from_stage_id)) {
      if (t.from_stage_id !== null) continue;
      hasStart = true;
      edges.push({ from: START, to: t.to_stage_id, count: t.count });
    } else if (t.from_stage_id !== t.to_stage_id) {
      edges.push({ from: t.from_stage_id, to: t.to_stage_id, count: t.count });
    }
  }
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);

  const layer = new Map<string, number>();
  const roots = [hasStart ? START : null, entryId && ids.has(entryId) ? entryId : null].filter(
    Boolean,
  ) as string[];
  if (roots.length === 0 && stages[0]) roots.push(stages[0].stage_id);
  const queue: string[] = [];
  for (const r of roots) {
    if (!layer.has(r)) {
      layer.set(r, r === START ? 0 : hasStart ? 1 : 0);
      queue.push(r);
    }
  }
  while (queue.length) {
    const cur = queue.shift() as string;
    for (const next of out.get(cur) ?? []) {
      if (!layer.has(next)) {
        layer.set(next, (layer.get(cur) ?? 0) + 1);
        queue.push(next);
      }
    }
  }
  const maxLayer = Math.max(0, ...layer.values());
  for (const s of stages) if (!layer.has(s.stage_id)) layer.set(s.stage_id, maxLayer + 1);

  const columns = new Map<number, string[]>();
  const order = [...(hasStart ? [START] : []), ...stages.map((s) => s.stage_id)];
  for (const id of order) {
    const l = layer.get(id) ?? 0;
    columns.set(l, [...(columns.get(l) ?? []), id]);
  }
  const tallest = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const height = tallest * (NODE_H + ROW_GAP) + ROW_GAP;
  const names = new Map(stages.map((s) => [s.stage_id, s.stage_name]));
  const nodes: FlowNode[] = [];
  for (const [l, col] of columns) {
    const colHeight = col.length * (NODE_H + ROW_GAP) - ROW_GAP;
    col.forEach((id, i) => {
      nodes.push({
        id,
        label: id === START ? 'Conversation start' : (names.get(id) ?? id),
        x: 24 + l * (NODE_W + COL_GAP),
        y: (height - colHeight) / 2 + i * (NODE_H + ROW_GAP),
        layer: l,
        entry: id === entryId,
      });
    });
  }
  const columnsCount = Math.max(1, ...[...columns.keys()].map((k) => k + 1));
  const width = 48 + columnsCount * NODE_W + (columnsCount - 1) * COL_GAP;
  return { nodes, edges, width, height };
}
