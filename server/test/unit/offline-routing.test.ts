import { describe, expect, it } from 'vitest';
import { type OfflineStage, routeStageOffline } from '../../src/llm/offline-engine.js';
import { stem, tokenize } from '../../src/llm/offline-routing.js';

const STAGES: OfflineStage[] = [
  {
    stage_id: 'greet',
    stage_name: 'Greeting',
    stage_description: 'Customer says hello or starts the conversation',
  },
  {
    stage_id: 'order',
    stage_name: 'Order status',
    stage_description: 'Customer asks where their order is, about tracking, delivery or shipping status',
  },
  {
    stage_id: 'book',
    stage_name: 'Booking',
    stage_description: 'Customer wants to book an appointment, reserve a table or schedule a visit',
  },
  {
    stage_id: 'complaint',
    stage_name: 'Complaint',
    stage_description: 'Customer is unhappy, complains about a product or service, or wants a refund',
  },
];

describe('routeStageOffline', () => {
  it.each([
    ['Hello there!', 'greet'],
    ['Where is my order? It has not shipped yet', 'order'],
    ['Can I track the delivery of my parcel?', 'order'],
    ['I would like to book a table for four', 'book'],
    ['Can I schedule an appointment?', 'book'],
    ['The product broke after a day, I want a refund', 'complaint'],
  ])('routes %j from the first stage to the best match', (message, expected) => {
    const fromStart = routeStageOffline(message, STAGES, expected === 'greet' ? 'order' : 'greet');
    expect(fromStart.stageId).toBe(expected);
  });

  it('scores every stage between 0 and 1 and the best match highest', () => {
    const { scores } = routeStageOffline('my orders were shipped?', STAGES, null);
    expect(Object.keys(scores).sort()).toEqual(['book', 'complaint', 'greet', 'order']);
    for (const score of Object.values(scores)) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(scores.order).toBeGreaterThan(scores.greet ?? 0);
    expect(scores.order).toBeGreaterThan(scores.complaint ?? 0);
  });

  it('stays in the current stage when the message carries no signal', () => {
    for (const message of ['ok', 'thanks a lot', 'yes please', '', '12345']) {
      expect(routeStageOffline(message, STAGES, 'book').stageId).toBe('book');
    }
  });

  it('stays in the current stage when it matches as well as another', () => {
    const stages: OfflineStage[] = [
      { stage_id: 'a', stage_name: 'Shoes', stage_description: 'Questions about shoes and delivery' },
      { stage_id: 'b', stage_name: 'Bags', stage_description: 'Questions about bags and delivery' },
    ];
    expect(routeStageOffline('what about delivery?', stages, 'b').stageId).toBe('b');
    expect(routeStageOffline('what about delivery?', stages, 'a').stageId).toBe('a');
  });

  it('moves only when another stage clearly scores higher than the current one', () => {
    const stages: OfflineStage[] = [
      {
        stage_id: 'a',
        stage_name: 'Sales',
        stage_description: 'Pricing questions, discounts and quotes for new customers',
      },
      {
        stage_id: 'b',
        stage_name: 'Support',
        stage_description: 'Pricing of repairs and help with broken devices',
      },
    ];
    const { scores } = routeStageOffline('pricing', stages, 'a');
    expect(Math.abs((scores.a ?? 0) - (scores.b ?? 0))).toBeLessThan(0.1);
    expect(routeStageOffline('pricing', stages, 'a').stageId).toBe('a');
    expect(routeStageOffline('pricing', stages, 'b').stageId).toBe('b');
    expect(routeStageOffline('my device is broken and needs repairs', stages, 'a').stageId).toBe('b');
  });

  it('weighs a stage-name match above a description match', () => {
    const stages: OfflineStage[] = [
      { stage_id: 'desc', stage_name: 'Help', stage_description: 'General questions, including a refund' },
      {
        stage_id: 'name',
        stage_name: 'Refund',
        stage_description: 'Money back for returned items and general questions',
      },
    ];
    const { stageId, scores } = routeStageOffline('refund', stages, null);
    expect(stageId).toBe('name');
    expect(scores.name).toBeGreaterThan(scores.desc ?? 0);
  });

  it('returns the best match, or null, when there is no current stage', () => {
    expect(routeStageOffline('I want to book', STAGES, null).stageId).toBe('book');
    expect(routeStageOffline('lorem ipsum', STAGES, null).stageId).toBeNull();
  });

  it('never echoes a current stage id that is not among the stages', () => {
    expect(routeStageOffline('lorem ipsum', STAGES, 'deleted-stage').stageId).toBeNull();
    expect(routeStageOffline('refund please', STAGES, 'deleted-stage').stageId).toBe('complaint');
  });

  it('keeps the current stage when there are no stages', () => {
    expect(routeStageOffline('hello', [], 'x')).toEqual({ stageId: 'x', scores: {} });
    expect(routeStageOffline('hello', [], null)).toEqual({ stageId: null, scores: {} });
  });

  it('is deterministic, choosing the earlier stage on a tie', () => {
    const stages: OfflineStage[] = [
      { stage_id: 'first', stage_name: 'Alpha', stage_description: 'pizza' },
      { stage_id: 'second', stage_name: 'Beta', stage_description: 'pizza' },
    ];
    expect(routeStageOffline('pizza', stages, null).stageId).toBe('first');
  });
});

describe('tokenize and stem', () => {
  it('lower-cases, drops stop words and punctuation', () => {
    expect(tokenize("Where's MY Order?! It's late.")).toEqual(['order', 'late']);
  });

  it('reduces plural and verb forms to a shared stem', () => {
    expect(['orders', 'ordered', 'ordering', 'order'].map(stem)).toEqual([
      'order',
      'order',
      'order',
      'order',
    ]);
    expect(['shipping', 'shipped', 'ship'].map(stem)).toEqual(['ship', 'ship', 'ship']);
    expect(['deliveries', 'delivery'].map(stem)).toEqual(['delivery', 'delivery']);
    expect(['boxes', 'box', 'status', 'class'].map(stem)).toEqual(['box', 'box', 'status', 'class']);
  });

  it('keeps words with digits and short words intact', () => {
    expect(stem('a1b2s')).toBe('a1b2s');
    expect(stem('bus')).toBe('bus');
  });

  it('splits on non-Latin letters correctly', () => {
    expect(tokenize('Café crème, naïve')).toEqual(['café', 'crème', 'naïve']);
  });
});
