import { useCan } from '@/lib/auth/permissions';

/** How often conversation queries refresh for someone without the live stream (a viewer): they poll. */
export const POLL_WITHOUT_STREAM_MS = 30_000;

/** `refetchInterval` for conversation queries: none with the live stream, a slow poll without it. */
export function usePollWithoutStream(): number | false {
  return useCan('conversations.handle').allowed ? false : POLL_WITHOUT_STREAM_MS;
}
