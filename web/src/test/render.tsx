import { CssBaseline, ThemeProvider } from '@mui/material';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, type RouteObject, RouterProvider } from 'react-router-dom';
import { SessionProvider } from '@/lib/auth/session';
import { RouteFocusProvider } from '@/lib/route-focus';
import { theme } from '@/theme/theme';

/** Renders real pages inside the real providers and a memory router (useBlocker needs a data router). */
export function renderRoutes(routes: RouteObject[], initialPath: string) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] });
  const utils = render(
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouteFocusProvider>
            <RouterProvider router={router} />
          </RouteFocusProvider>
        </SessionProvider>
      </QueryClientProvider>
    </ThemeProvider>,
  );
  return { ...utils, router, queryClient };
}

export function route(path: string, element: ReactElement): RouteObject {
  return { path, element };
}
