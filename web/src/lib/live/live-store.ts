import { useSyncExternalStore } from 'react';

/** Where the live connection is: off (none, e.g. no business), connecting, live, reconnecting. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

interface LiveState {
  status: LiveStatus;
  /** Conversations whose assistant is writing a reply right now (`typing` events). */
  typing: ReadonlySet<string>;
}

let state: LiveState = { status: 'off', typing: new Set() };
const listeners = new Set<() => void>();

function set(next: Partial<LiveState>) {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export const liveStore = {
  get: () => state,
  setStatus: (status: LiveStatus) => {
    if (state.status !== status) set({ status });
  },
  setTyping: (conversationId: string, on: boolean) => {
    if (state.typing.has(conversationId) === on) return;
    const typing = new Set(state.typing);
    if (on) typing.add(conversationId);
    else typing.delete(conversationId);
    set({ typing });
  },
  reset: () => set({ status: 'off', typing: new Set() }),
  subscribe,
};

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribe, () => state.status);
}

export function useAssistantTyping(conversationId: string | undefined): boolean {
  return useSyncExternalStore(subscribe, () => !!conversationId && state.typing.has(conversationId));
}
