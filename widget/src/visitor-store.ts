/**
 * The visitor token lives in the HOST page's localStorage under a key named after the publishable key,
 * so a reload (or another page of the same site) resumes the conversation, and two businesses' widgets
 * on one site never share a visitor. Storage may be unavailable (private modes, blocked cookies): the
 * widget then works for the page's lifetime only.
 */
export function createVisitorStore(publishableKey: string, storage: () => Storage | null = defaultStorage) {
  const name = `icmp-widget:${publishableKey}`;
  return {
    get(): string | null {
      try {
        return storage()?.getItem(name) ?? null;
      } catch {
        return null;
      }
    },
    set(token: string) {
      try {
        storage()?.setItem(name, token);
      } catch {
        // quota or privacy mode: keep going without persistence
      }
    },
    clear() {
      try {
        storage()?.removeItem(name);
      } catch {
        // as above
      }
    },
  };
}

function defaultStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export type VisitorStore = ReturnType<typeof createVisitorStore>;
