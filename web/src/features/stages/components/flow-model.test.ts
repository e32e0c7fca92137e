import { describe, expect, it } from 'vitest';
import type { Stage, StageTransitionCount } from '@/lib/api/models';
import {
  buildFlowModel,
  closedAllowedList,
  columnLayout,
  describeRule,
  movedRule,
  NODE_WIDTH,
  START,
  withAllowed,
  withoutAllowed,
} from './flow-model';

function stage(id: string, extra: Partial<Stage> = {}): Stage {
  return {
    stage_id: id,
    business_id: 'b',
    agent_id: null,
    stage_name: id.toUpperCase(),
    stage_description: '',
    stage_type: 'conversation',
    stage_selection_template_id: 't1',
    data_extraction_template_id: 't2',
    response_generation_template_id: 't3',
    stage_selection_template_name: null,
    data_extraction_template_name: null,
    response_generation_template_name: null,
    fallback_reply: null,
    handoff: false,
    required_fields: [],
    optional_fields: [],
    allowed_next_stage_ids: null,
    transition_rules: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}
const moved = (from: string | null, to: string, count: number): StageTransitionCount => ({
  from_stage_id: from,
  to_stage_id: to,
  count,
});

describe('flow model', () => {
  const stages = [
    stage('greet', {
      required_fields: ['email', 'party_size'],
      optional_fields: ['note'],
      allowed_next_stage_ids: ['book', 'greet', 'gone'],
      transition_rules: [
        { kind: 'complete', target_stage_id: 'book' },
        {
          kind: 'field_equals',
          field: 'party_size',
          value: 12,
          target_stage_id: 'human',
          label: 'big group',
        },
        { kind: 'asks_for_human', target_stage_id: 'human' },
      ],
    }),
    stage('book'),
    stage('human', { handoff: true }),
  ];

  it('draws a node per stage and an edge per allowed transition and rule, with traffic laid over', () => {
    const model = buildFlowModel(
      stages,
      [
        moved(null, 'greet', 7),
        moved('greet', 'book', 4),
        moved('book', 'human', 2),
        moved('book', 'book', 9),
      ],
      'greet',
    );
    expect(model.nodes.map((n) => [n.id, n.entry, n.allowed])).toEqual([
      [START, false, null],
      ['greet', true, ['book', 'greet', 'gone']],
      ['book', false, null],
      ['human', false, null],
    ]);
    // Two field lines make the node taller than one without fields.
    const [, greet, book] = model.nodes;
    expect(greet?.height).toBeGreaterThan(book?.height ?? 0);
    expect(model.edges.map((e) => [e.id, e.kind, e.source, e.target, e.label, e.count])).toEqual([
      ['start>greet', 'start', START, 'greet', '', 7],
      // The stage itself and an unknown id are not drawn (staying is always allowed).
      ['allowed:greet>book', 'allowed', 'greet', 'book', '', 4],
      ['rule:greet:0', 'rule', 'greet', 'book', 'when complete', 4],
      ['rule:greet:1', 'rule', 'greet', 'human', 'big group', 0],
      ['rule:greet:2', 'rule', 'greet', 'human', 'asks for a human', 0],
      // Seen in conversations but neither allowed explicitly nor a rule: a stage open to any next one.
      ['observed:book>human', 'observed', 'book', 'human', '', 2],
    ]);
    expect(model.edges.find((e) => e.id === 'rule:greet:1')?.ruleIndex).toBe(1);
  });

  it('has no start node without an entry stage or observed starts', () => {
    const model = buildFlowModel([stage('a')], [], null);
    expect(model.nodes.map((n) => n.id)).toEqual(['a']);
    expect(model.edges).toEqual([]);
  });

  it('describes rules by label, else by kind', () => {
    expect(describeRule({ kind: 'complete', target_stage_id: 'x' })).toBe('when complete');
    expect(describeRule({ kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: 'x' })).toBe(
      'when room = Suite',
    );
    expect(
      describeRule(
        { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: 'x' },
        () => 'Room',
      ),
    ).toBe('when Room = Suite');
    expect(describeRule({ kind: 'asks_for_human', target_stage_id: 'x', label: 'help!' })).toBe('help!');
  });

  it('edits the allowed list: any → a list of one, remove, close to the rule targets', () => {
    const open = stage('a', { allowed_next_stage_ids: null });
    expect(withAllowed(open, 'b')).toEqual(['b']);
    const listed = stage('a', { allowed_next_stage_ids: ['b'] });
    expect(withAllowed(listed, 'b')).toEqual(['b']);
    expect(withAllowed(listed, 'c')).toEqual(['b', 'c']);
    expect(withoutAllowed(listed, 'b')).toEqual([]);
    expect(withoutAllowed(open, 'b')).toBeNull();
    expect(closedAllowedList(stages[0] as Stage)).toEqual(['book', 'human']);
  });

  it('moves a rule one place up or down, never off the list', () => {
    expect(movedRule(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(movedRule(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(movedRule(['a', 'b', 'c'], 0, -1)).toBeNull();
    expect(movedRule(['a', 'b', 'c'], 2, 1)).toBeNull();
    expect(movedRule([], 0, 1)).toBeNull();
  });

  it('falls back to columns that never overlap', () => {
    const model = buildFlowModel(stages, [moved(null, 'greet', 1)], 'greet');
    const pos = columnLayout(model);
    const boxes = model.nodes.map((n) => ({ ...(pos.get(n.id) ?? { x: 0, y: 0 }), h: n.height }));
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) {
        const apart =
          a.x + NODE_WIDTH <= b.x || b.x + NODE_WIDTH <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart).toBe(true);
      }
    expect(pos.get(START)?.x).toBe(0);
    expect(pos.get('greet')?.x).toBeGreaterThan(0);
  });
});
