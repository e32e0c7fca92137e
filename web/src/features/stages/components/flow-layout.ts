import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api';
// The layout engine (≈1.6 MB) runs in a classic Web Worker loaded from its own asset: it never enters a
// JavaScript chunk, it is fetched only when the flow editor lays out a graph, and it is served by the
// app itself (no CDN: works offline and under the `script-src 'self'` policy).
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { type FlowModel, type FlowModelEdge, NODE_WIDTH } from './flow-model';

export interface Point {
  x: number;
  y: number;
}
export interface FlowLayout {
  positions: Map<string, Point>;
  /** Per edge id: the route ELK drew (start, bends, end) and where its label goes. */
  routes: Map<string, { points: Point[]; label: Point | null }>;
}

export const LABEL_HEIGHT = 22;

/** The text an edge's label shows, so the layout reserves its room. */
export function edgeLabelText(edge: FlowModelEdge, showTraffic: boolean): string {
  const count = showTraffic && edge.count > 0 ? `${edge.count}×` : '';
  return [edge.label, count].filter(Boolean).join(' · ');
}

let engine: InstanceType<typeof ELK> | null = null;

/**
 * ELK layered, left to right, orthogonal routes: nodes never overlap and edges (several between the
 * same two stages too) get their own lanes and label room. Null where there is no Worker (tests) or
 * when ELK fails: the caller keeps its fallback positions.
 */
export async function elkLayout(model: FlowModel, showTraffic: boolean): Promise<FlowLayout | null> {
  if (typeof Worker === 'undefined') return null;
  engine ??= new ELK({ workerUrl: elkWorkerUrl });
  const edges: ElkExtendedEdge[] = model.edges.map((e) => {
    const text = edgeLabelText(e, showTraffic);
    return {
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      labels: text ? [{ text, width: 16 + text.length * 7, height: LABEL_HEIGHT }] : [],
    };
  });
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '48',
      'elk.layered.spacing.nodeNodeBetweenLayers': '96',
      'elk.spacing.edgeEdge': '16',
      'elk.spacing.edgeNode': '24',
      'elk.layered.spacing.edgeNodeBetweenLayers': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: model.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: n.height })),
    edges,
  };
  try {
    const out = await engine.layout(graph);
    const positions = new Map<string, Point>();
    for (const c of out.children ?? []) positions.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
    const routes: FlowLayout['routes'] = new Map();
    for (const e of (out.edges ?? []) as ElkExtendedEdge[]) {
      const section = e.sections?.[0];
      if (!section) continue;
      const label = e.labels?.[0];
      routes.set(e.id, {
        points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint],
        label:
          label && label.x !== undefined && label.y !== undefined
            ? { x: label.x + (label.width ?? 0) / 2, y: label.y + (label.height ?? 0) / 2 }
            : null,
      });
    }
    return { positions, routes };
  } catch {
    return null;
  }
}

/** An SVG path through the route's points with small rounded corners. */
export function routePath(points: Point[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points as [Point, ...Point[]];
  let d = `M ${first.x} ${first.y}`;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i] as Point;
    const prev = (i === 0 ? first : rest[i - 1]) as Point;
    const next = rest[i + 1];
    if (!next) {
      d += ` L ${p.x} ${p.y}`;
      break;
    }
    const r = Math.min(
      8,
      Math.hypot(p.x - prev.x, p.y - prev.y) / 2,
      Math.hypot(next.x - p.x, next.y - p.y) / 2,
    );
    const inX = p.x - Math.sign(p.x - prev.x) * r;
    const inY = p.y - Math.sign(p.y - prev.y) * r;
    const outX = p.x + Math.sign(next.x - p.x) * r;
    const outY = p.y + Math.sign(next.y - p.y) * r;
    d += ` L ${inX} ${inY} Q ${p.x} ${p.y} ${outX} ${outY}`;
  }
  return d;
}
