import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { getMe } from '../api/auth/get-me';
import { loginWithKey, loginWithPassword } from '../api/auth/login';
import { logout } from '../api/auth/logout';
import { saveConfig } from '../api/auth/save-config';
import type { AccountUser, KeyScope, Me, MemberRole, Membership } from '../api/models';
import { qk } from '../api/query-keys';

/**
 * The credential in the business on screen: a platform admin (everything), a team member's role,
 * or a business key's scopes. `useCan` (permissions.ts) turns it into yes/no and a reason.
 */
export type Standing =
  | { kind: 'admin' }
  | { kind: 'member'; role: MemberRole }
  | { kind: 'key'; scopes: readonly KeyScope[] }
  | null;

const meQueryKey = qk.me();

interface Session {
  me: Me | null | undefined;
  isLoading: boolean;
  /** Master key or an `is_admin` account: every business, the Businesses page. */
  isAdmin: boolean;
  /** The team account behind the session, when it is one (not a key). */
  user: AccountUser | null;
  memberships: Membership[];
  /** The business every business-scoped call is made for (own business, or the chosen one). */
  businessId: string | null;
  businessName: string | null;
  /** What the credential is in `businessId` (useCan reads it); null while no business is chosen. */
  standing: Standing;
  selectBusiness: (id: string | null, name?: string | null) => void;
  signIn: (input: { businessId?: string; apiKey: string }) => Promise<Me>;
  signInWithPassword: (input: { email: string; password: string }) => Promise<Me>;
  /** Takes over an identity the server just made (accepting an invitation, first-run). */
  adopt: (who: Me) => void;
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
  // The chosen business survives a reload in a plain cookie holding only its id (no key; keys and
  // sessions live only in the HttpOnly cookie, and nothing goes to localStorage/sessionStorage).
  const [selected, setSelectedState] = useState<{ id: string; name: string | null } | null>(() => {
    const id = readBusinessCookie();
    return id ? { id, name: null } : null;
  });
  const setSelected = useCallback((value: { id: string; name: string | null } | null) => {
    writeBusinessCookie(value?.id ?? null);
    setSelectedState(value);
  }, []);

  const me = meQuery.data;
  const user = (me?.role === 'member' && me.user) || null;
  const memberships = useMemo(() => (me?.role === 'member' ? (me.memberships ?? []) : []), [me]);
  const isAdmin = me?.role === 'admin' || !!user?.is_admin;

  let businessId: string | null = null;
  let businessName: string | null = null;
  let standing: Standing = null;
  if (me?.role === 'business') {
    businessId = me.business_id ?? null;
    businessName = me.business_name ?? null;
    standing = { kind: 'key', scopes: (me.scopes ?? ['admin']) as KeyScope[] };
  } else if (isAdmin) {
    businessId = selected?.id ?? null;
    const membership = memberships.find((m) => m.business_id === businessId);
    businessName = selected?.name ?? membership?.business_name ?? null;
    standing = businessId ? { kind: 'admin' } : null;
  } else if (me?.role === 'member') {
    const current = memberships.find((m) => m.business_id === selected?.id) ?? memberships[0] ?? null;
    businessId = current?.business_id ?? null;
    businessName = current?.business_name ?? null;
    standing = current ? { kind: 'member', role: current.role } : null;
  }

  const selectBusiness = useCallback(
    (id: string | null, name?: string | null) => setSelected(id ? { id, name: name ?? null } : null),
    [setSelected],
  );

  const adopt = useCallback(
    (who: Me) => {
      dropEverythingButMe(queryClient);
      setSelected(null);
      queryClient.setQueryData(meQueryKey, who);
    },
    [queryClient, setSelected],
  );

  const signIn = useCallback(
    async ({ businessId: bid, apiKey }: { businessId?: string; apiKey: string }) => {
      const who = bid?.trim() ? await saveConfig(bid.trim(), apiKey) : await loginWithKey(apiKey);
      adopt(who);
      return who;
    },
    [adopt],
  );

  const signInWithPassword = useCallback(
    async ({ email, password }: { email: string; password: string }) => {
      const who = await loginWithPassword(email, password);
      adopt(who);
      return who;
    },
    [adopt],
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
      user,
      memberships,
      businessId,
      businessName,
      standing,
      selectBusiness,
      signIn,
      signInWithPassword,
      adopt,
      signOut,
    }),
    [
      me,
      meQuery.isLoading,
      isAdmin,
      user,
      memberships,
      businessId,
      businessName,
      standing,
      selectBusiness,
      signIn,
      signInWithPassword,
      adopt,
      signOut,
    ],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** For pages that need a business: the id, or null while none is chosen. */
export function useBusinessId(): string | null {
  return useSession().businessId;
}
