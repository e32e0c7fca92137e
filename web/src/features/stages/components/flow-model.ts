import type { Stage, StageTransitionCount, TransitionRule } from '@/lib/api/models';

/**
 * The flow editor's graph, computed from the stages alone (pure, no React): one node per stage, an
 * edge per allowed transition and per rule, and the observed traffic laid over them. Positions come
 * later (ELK in a worker, `flow-layout.ts`); this file decides only what is drawn and what it means.
 */

export const START = '__start__';

export type FlowEdgeKind = 'allowed' | 'rule' | 'observed' | 'start';

export interface FlowStageNode {
  id: string;
  stage: Stage | null;
  label: string;
  entry: boolean;
  /** Null: any stage may follow; else the ids of the stages that may. */
  allowed: string[] | null;
  /** Height in px, grown by the lines the node shows (fields), so the layout reserves the room. */
  height: number;
  /** The stage's required and optional fields as people read them (their labels). */
  required: string[];
  optional: string[];
}

export interface FlowModelEdge {
  id: string;
  kind: FlowEdgeKind;
  source: string;
  target: string;
  /** What the edge says: the rule's label or kind; empty for a plain allowed transition. */
  label: string;
  /** Observed moves between the two stages (0 when none); the same count is shown on every edge of a pair. */
  count: number;
  /** The rule's index in the source stage's `transition_rules` (kind 'rule' only). */
  ruleIndex?: number;
}

export interface FlowModel {
  nodes: FlowStageNode[];
  edges: FlowModelEdge[];
}

export const NODE_WIDTH = 220;
const NODE_BASE_HEIGHT = 92;
const FIELD_LINE_HEIGHT = 20;

/** How a rule reads on its edge and in the list view. */
export function describeRule(rule: TransitionRule, fieldLabel?: (name: string) => string): string {
  if (rule.label) return rule.label;
  switch (rule.kind) {
    case 'complete':
      return 'when complete';
    case 'field_equals':
      return `when ${fieldLabel ? fieldLabel(rule.field) : rule.field} = ${String(rule.value)}`;
    case 'asks_for_human':
      return 'asks for a human';
  }
}

function nodeHeight(stage: Stage) {
  const lines = (stage.required_fields.length ? 1 : 0) + (stage.optional_fields.length ? 1 : 0);
  return NODE_BASE_HEIGHT + lines * FIELD_LINE_HEIGHT;
}

export function buildFlowModel(
  stages: Stage[],
  observed: StageTransitionCount[],
  entryId: string | null,
  /** A field's label by name (the name itself while fields load or for an unknown one). */
  fieldLabel: (name: string) => string = (name) => name,
): FlowModel {
  const ids = new Set(stages.map((s) => s.stage_id));
  const counts = new Map<string, number>();
  let starts = false;
  for (const t of observed) {
    if (!t.to_stage_id || !ids.has(t.to_stage_id)) continue;
    if (t.from_stage_id === null) {
      starts = true;
      counts.set(`${START}>${t.to_stage_id}`, (counts.get(`${START}>${t.to_stage_id}`) ?? 0) + t.count);
    } else if (ids.has(t.from_stage_id) && t.from_stage_id !== t.to_stage_id) {
      const key = `${t.from_stage_id}>${t.to_stage_id}`;
      counts.set(key, (counts.get(key) ?? 0) + t.count);
    }
  }
  const entry = entryId && ids.has(entryId) ? entryId : null;

  const nodes: FlowStageNode[] = [];
  const edges: FlowModelEdge[] = [];
  if (starts || entry) {
    nodes.push({
      id: START,
      stage: null,
      label: 'Conversation start',
      entry: false,
      allowed: null,
      height: 48,
      required: [],
      optional: [],
    });
    const targets = new Set([...(entry ? [entry] : [])]);
    for (const key of counts.keys())
      if (key.startsWith(`${START}>`)) targets.add(key.slice(START.length + 1));
    for (const target of targets) {
      edges.push({
        id: `start>${target}`,
        kind: 'start',
        source: START,
        target,
        label: '',
        count: counts.get(`${START}>${target}`) ?? 0,
      });
    }
  }

  const configured = new Set<string>();
  for (const s of stages) {
    const allowed = s.allowed_next_stage_ids ?? null;
    nodes.push({
      id: s.stage_id,
      stage: s,
      label: s.stage_name,
      entry: s.stage_id === entry,
      allowed,
      height: nodeHeight(s),
      required: s.required_fields.map(fieldLabel),
      optional: s.optional_fields.map(fieldLabel),
    });
    for (const target of allowed ?? []) {
      if (!ids.has(target) || target === s.stage_id) continue;
      const pair = `${s.stage_id}>${target}`;
      configured.add(pair);
      edges.push({
        id: `allowed:${pair}`,
        kind: 'allowed',
        source: s.stage_id,
        target,
        label: '',
        count: counts.get(pair) ?? 0,
      });
    }
    (s.transition_rules ?? []).forEach((rule, i) => {
      if (!ids.has(rule.target_stage_id) || rule.target_stage_id === s.stage_id) return;
      const pair = `${s.stage_id}>${rule.target_stage_id}`;
      configured.add(pair);
      edges.push({
        id: `rule:${s.stage_id}:${i}`,
        kind: 'rule',
        source: s.stage_id,
        target: rule.target_stage_id,
        label: describeRule(rule, fieldLabel),
        count: counts.get(pair) ?? 0,
        ruleIndex: i,
      });
    });
  }
  // Moves seen in conversations that no allowed transition or rule draws (a stage open to any next one).
  for (const [pair, count] of counts) {
    if (pair.startsWith(`${START}>`) || configured.has(pair)) continue;
    const [source, target] = pair.split('>') as [string, string];
    edges.push({ id: `observed:${pair}`, kind: 'observed', source, target, label: '', count });
  }
  return { nodes, edges };
}

/** The allowed list with `target` added (a stage open to any next one becomes a list of one). */
export function withAllowed(stage: Stage, target: string): string[] {
  const current = stage.allowed_next_stage_ids ?? [];
  return current.includes(target) ? current : [...current, target];
}

/** The allowed list without `target` (null stays null: any stage may follow). */
export function withoutAllowed(stage: Stage, target: string): string[] | null {
  const current = stage.allowed_next_stage_ids;
  if (!current) return null;
  return current.filter((id) => id !== target);
}

/** What "any stage may follow" turned off starts from: the stages the rules lead to. */
export function closedAllowedList(stage: Stage): string[] {
  return [...new Set((stage.transition_rules ?? []).map((r) => r.target_stage_id))];
}

/**
 * Fallback positions (before ELK answers, or where there is no Worker): columns by breadth-first
 * distance from the start along the edges, stages never reached in a last column. Never overlaps: each
 * node has its own row in its column.
 */
export function columnLayout(model: FlowModel): Map<string, { x: number; y: number }> {
  const out = new Map<string, string[]>();
  for (const e of model.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const layer = new Map<string, number>();
  const root = model.nodes[0]?.id;
  const queue: string[] = [];
  if (root) {
    layer.set(root, 0);
    queue.push(root);
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
  const last = Math.max(0, ...layer.values()) + 1;
  const columnY = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of model.nodes) {
    const l = layer.get(n.id) ?? last;
    const y = columnY.get(l) ?? 0;
    positions.set(n.id, { x: l * (NODE_WIDTH + 120), y });
    columnY.set(l, y + n.height + 40);
  }
  return positions;
}

/** The rules with the one at `index` moved `by` places; null when it would leave the list. */
export function movedRule<T>(rules: readonly T[], index: number, by: -1 | 1): T[] | null {
  const to = index + by;
  if (index < 0 || index >= rules.length || to < 0 || to >= rules.length) return null;
  const next = [...rules];
  [next[index], next[to]] = [next[to] as T, next[index] as T];
  return next;
}
