import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { Me } from '../api/models';
import { qk } from '../api/query-keys';
import { getMe, loginWithKey, logout, saveConfig } from './auth-api';

const meQueryKey = qk.me();

interface Session {
  me: Me | null | undefined;
  isLoading: boolean;
  isAdmin: boolean;
  /** The business every business-scoped call is made for (own business, or the admin's choice). */
  businessId: string | null;
  businessName: string | null;
  selectBusiness: (id: string | null, name?: string | null) => void;
  signIn: (input: { businessId?: string; apiKey: string }) => Promise<Me>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

const BUSINESS_COOKIE = 'icmp_admin_business';

function readBusinessCookie(): string | null {
  if (typeof document === 'undefined') return null;
  const m = document.cookie.match(new RegExp(`(?:^|; )${BUSINESS_COOKIE}=([0-9A-Za-z-]{1,64})`));
  return m ? decodeURIComponent(m[1] as string) : null;
}

function writeBusinessCookie(id: string | null) {
  if (typeof document === 'undefined') return;
  // biome-ignore lint/suspicious/noDocumentCookie: a business id only, read back synchronously at start-up
  document.cookie = id
    ? `${BUSINESS_COOKIE}=${encodeURIComponent(id)}; Path=/; SameSite=Strict; Max-Age=2592000`
    : `${BUSINESS_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`;
}

/**
 * Another credential must not see the previous one's cached data. The `me` query itself stays:
 * `clear()` would detach the provider's observer from it, and the new identity would never render.
 */
function dropEverythingButMe(queryClient: QueryClient) {
  queryClient.cancelQueries({ predicate: (q) => q.queryKey[0] !== meQueryKey[0] });
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meQueryKey[0] });
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const meQuery = useQuery({ queryKey: meQueryKey, queryFn: getMe, staleTime: 5 * 60_000, retry: false });
  // The admin's chosen business survives a reload in a plain cookie holding only its id (no key;
  // keys live only in the HttpOnly cookie, and nothing goes to localStorage/sessionStorage).
  const [selected, setSelectedState] = useState<{ id: string; name: string | null } | null>(() => {
    const id = readBusinessCookie();
    return id ? { id, name: null } : null;
  });
  const setSelected = useCallback((value: { id: string; name: string | null } | null) => {
    writeBusinessCookie(value?.id ?? null);
    setSelectedState(value);
  }, []);

  const me = meQuery.data;
  const isAdmin = me?.role === 'admin';
  const businessId = isAdmin ? (selected?.id ?? null) : (me?.business_id ?? null);
  const businessName = isAdmin ? (selected?.name ?? null) : (me?.business_name ?? null);

  const selectBusiness = useCallback(
    (id: string | null, name?: string | null) => setSelected(id ? { id, name: name ?? null } : null),
    [setSelected],
  );

  const signIn = useCallback(
    async ({ businessId: bid, apiKey }: { businessId?: string; apiKey: string }) => {
      const who = bid?.trim() ? await saveConfig(bid.trim(), apiKey) : await loginWithKey(apiKey);
      dropEverythingButMe(queryClient);
      setSelected(null);
      queryClient.setQueryData(meQueryKey, who);
      return who;
    },
    [queryClient, setSelected],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      setSelected(null);
      dropEverythingButMe(queryClient);
      queryClient.setQueryData(meQueryKey, null);
    }
  }, [queryClient, setSelected]);

  const value = useMemo<Session>(
    () => ({
      me,
      isLoading: meQuery.isLoading,
      isAdmin,
      businessId,
      businessName,
      selectBusiness,
      signIn,
      signOut,
    }),
    [me, meQuery.isLoading, isAdmin, businessId, businessName, selectBusiness, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** For pages that need a business: the id, or null while an admin has not chosen one. */
export function useBusinessId(): string | null {
  return useSession().businessId;
}
