import { CssBaseline, ThemeProvider } from '@mui/material';
import { QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { SessionProvider } from '@/lib/auth/session';
import { createQueryClient } from '@/lib/query-client';
import { RouteFocusProvider } from '@/lib/route-focus';
import { theme } from '@/theme/theme';

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouteFocusProvider>{children}</RouteFocusProvider>
        </SessionProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
