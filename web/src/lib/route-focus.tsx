import { createContext, type ReactNode, type RefObject, useContext, useEffect, useState } from 'react';
import { useLocation } from 'react-router-dom';

/** The path whose page heading was shown last; null until the first page has been shown. */
interface RouteFocusState {
  shownPath: string | null;
}

const RouteFocusContext = createContext<RouteFocusState | null>(null);

/**
 * One per app (app/provider.tsx, and the test render helper): remembers which page was shown, so
 * that a page heading takes the focus after a navigation but not on the first load (where the
 * browser's own start — the document, then the skip link — is what a screen reader user expects).
 */
export function RouteFocusProvider({ children }: { children: ReactNode }) {
  const [state] = useState<RouteFocusState>(() => ({ shownPath: null }));
  return <RouteFocusContext.Provider value={state}>{children}</RouteFocusContext.Provider>;
}

/**
 * Moves the focus to `ref` (a page's `<h1 tabIndex={-1}>`) when it appears for a new path: after a
 * link, a `navigate()`, back/forward — but not on the first page of the load, and not when only the
 * query string changes (a filter typed in a list page keeps its focus). So a keyboard or screen
 * reader user lands on the new page's name instead of on the body or on a link that disappeared.
 * `enabled: false` opts out (e.g. a list–detail layout that keeps focus in its list).
 */
export function useFocusOnNavigation(ref: RefObject<HTMLElement | null>, enabled = true): void {
  const state = useContext(RouteFocusContext);
  const { pathname } = useLocation();
  useEffect(() => {
    if (!state || !enabled) return;
    if (state.shownPath === null) {
      state.shownPath = pathname;
      return;
    }
    if (state.shownPath === pathname) return;
    state.shownPath = pathname;
    ref.current?.focus();
  }, [state, pathname, enabled, ref]);
}
