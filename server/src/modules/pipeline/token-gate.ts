/**
 * Holds the tokens of a speculative reply until the turn knows whether it keeps that reply: `open`
 * sends what was held and lets later tokens through as they come; `drop` throws them away, so a
 * reply for a stage the conversation left never reaches the customer.
 */
export interface TokenGate {
  push(text: string): void;
  open(): void;
  drop(): void;
}

export function tokenGate(send: (text: string) => void): TokenGate {
  let state: 'holding' | 'open' | 'dropped' = 'holding';
  let held: string[] = [];
  return {
    push(text) {
      if (state === 'open') send(text);
      else if (state === 'holding') held.push(text);
    },
    open() {
      if (state !== 'holding') return;
      state = 'open';
      const pending = held;
      held = [];
      if (pending.length > 0) send(pending.join(''));
    },
    drop() {
      state = 'dropped';
      held = [];
    },
  };
}
