import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { getMe } from '../api/auth/get-me';
import { loginWithKey, loginWithPassword } from '../api/auth/login';
import { logout } from '../api/auth/logout';
import { saveConfig } from '../api/auth/save-config';
import type { Me, MemberMe, MemberRole, Membership } from '../api/models';
import { qk } from '../api/query-keys';

const meQueryKey = qk.me();

/**
 * What the signed-in credential is in the business on screen: a platform admin (master key or an
 * `is_admin` account), a business key (may do what an owner may), or a member with a role.
 */
export type BusinessRole = 'admin' | MemberRole;

interface Session {
  me: Me | null | undefined;
  isLoading: boolean;
  /** Master key or an `is_admin` account: every business, the Businesses page. */
  isAdmin: boolean;
  /** The team account behind the session, when it is one (not a key). */
  user: MemberMe['user'] | null;
  memberships: Membership[];
  /** The business every business-scoped call is made for (own business, or the chosen one). */
  businessId: string | null;
  businessName: string | null;
  /** The role in `businessId`; null while no business is chosen. */
  role: BusinessRole | null;
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
  const user = me?.role === 'member' ? me.user : null;
  const memberships = useMemo(() => (me?.role === 'member' ? me.memberships : []), [me]);
  const isAdmin = me?.role === 'admin' || !!user?.is_admin;

  let businessId: string | null = null;
  let businessName: string | null = null;
  let role: BusinessRole | null = null;
  if (me?.role === 'business') {
    businessId = me.business_id;
    businessName = me.business_name;
    role = 'owner';
  } else if (me?.role === 'member' && !isAdmin) {
    const current = memberships.find((m) => m.business_id === selected?.id) ?? memberships[0] ?? null;
    businessId = current?.business_id ?? null;
    businessName = current?.business_name ?? null;
    role = current?.role ?? null;
  } else if (isAdmin) {
    businessId = selected?.id ?? null;
    const membership = memberships.find((m) => m.business_id === businessId);
    businessName = selected?.name ?? membership?.business_name ?? null;
    role = businessId ? 'admin' : null;
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
      role,
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
      role,
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
