import type { paths as generated } from './schema';

/**
 * PROVISIONAL (team accounts, issue 10): the team routes as api.md describes them, written by hand
 * only until the server's routes land and `npm run gen:api` puts them in `schema.d.ts`. Then this
 * file goes and `ApiPaths` is `paths` again. Nothing but client.ts and models.ts imports it.
 */
type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type NoContent = { headers: { [name: string]: unknown }; content?: never };
type ErrorResponse = { error: { code: string; message: string; details?: Record<string, unknown> } };
type Errors = {
  400: Json<ErrorResponse>;
  401: Json<ErrorResponse>;
  403: Json<ErrorResponse>;
  404: Json<ErrorResponse>;
  409: Json<ErrorResponse>;
};
type Params<Path, Query> = { header?: never; cookie?: never } & ([Path] extends [never]
  ? { path?: never }
  : { path: Path }) &
  ([Query] extends [never] ? { query?: never } : { query?: Query });
type Op<Res, Body = never, Path = never, Query = never, Status extends number = 200> = {
  parameters: Params<Path, Query>;
  responses: { [S in Status]: [Res] extends [never] ? NoContent : Json<Res> } & Errors;
} & ([Body] extends [never]
  ? { requestBody?: never }
  : { requestBody: { content: { 'application/json': Body } } });
type NoMethods = {
  get?: never;
  put?: never;
  post?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
};
type Route<M extends Partial<Record<'get' | 'post' | 'patch' | 'delete', unknown>>> = {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
} & Omit<NoMethods, keyof M> &
  M;

type BusinessPath = { business_id: string };
type Page = { page?: number; per_page?: number };
export type MemberRole = 'owner' | 'editor' | 'agent' | 'viewer';
type Membership = { business_id: string; business_name: string; role: MemberRole };
type MeBody =
  | { role: 'admin' }
  | { role: 'business'; business_id: string; business_name: string }
  | {
      role: 'member';
      user: { id: string; email: string; name: string; is_admin: boolean };
      memberships: Membership[];
    };
type SessionRow = {
  session_id: string;
  current: boolean;
  device: string | null;
  address: string | null;
  created_at: string;
  last_seen_at: string;
};
type MemberRow = {
  member_id: string;
  user_id: string;
  email: string;
  name: string;
  role: MemberRole;
  created_at: string;
};
type InvitationRow = {
  invitation_id: string;
  email: string;
  role: MemberRole;
  expires_at: string;
  created_at: string;
};
export type KeyScope = 'messages' | 'read' | 'write' | 'admin';
type ApiKeyRow = {
  key_id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  created_by: { id: string; name: string } | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
};
type InvitationView = {
  business_id: string;
  business_name: string;
  email: string;
  role: MemberRole;
  invited_by: { name: string; email: string } | null;
  expires_at: string;
  account_exists: boolean;
};

type TeamPaths = {
  '/api/auth/me': Route<{ get: Op<MeBody> }>;
  '/api/auth/login': Route<{
    post: Op<MeBody, { email: string; password: string } | { api_key: string }>;
  }>;
  '/api/auth/logout': Route<{ post: Op<never, never, never, never, 204> }>;
  '/api/auth/setup': Route<{ get: Op<{ has_accounts: boolean }> }>;
  '/api/auth/accounts': Route<{
    post: Op<
      { id: string; email: string; name: string; is_admin: boolean },
      { email: string; password: string; name: string; is_admin?: boolean },
      never,
      never,
      201
    >;
  }>;
  '/api/auth/sessions': Route<{
    get: Op<{ sessions: SessionRow[] }>;
    delete: Op<{ revoked: number }>;
  }>;
  '/api/auth/sessions/{session_id}': Route<{
    delete: Op<never, never, { session_id: string }, never, 204>;
  }>;
  '/api/auth/password': Route<{
    post: Op<never, { current_password: string; new_password: string }, never, never, 204>;
  }>;
  '/api/auth/password-reset': Route<{ post: Op<{ success: boolean }, { email: string }, never, never, 202> }>;
  '/api/auth/password-reset/confirm': Route<{
    post: Op<never, { token: string; new_password: string }, never, never, 204>;
  }>;
  '/api/businesses/{business_id}/members': Route<{
    get: Op<
      { members: MemberRow[]; invitations: InvitationRow[]; total: number; page: number; per_page: number },
      never,
      BusinessPath,
      Page
    >;
    post: Op<
      { invitation_id: string; invitation_url: string },
      { email: string; role: MemberRole },
      BusinessPath,
      never,
      201
    >;
  }>;
  '/api/businesses/{business_id}/members/{member_id}': Route<{
    patch: Op<MemberRow, { role: MemberRole }, BusinessPath & { member_id: string }>;
    delete: Op<never, never, BusinessPath & { member_id: string }, never, 204>;
  }>;
  '/api/invitations/{token}': Route<{ get: Op<InvitationView, never, { token: string }> }>;
  '/api/invitations/{token}/accept': Route<{
    post: Op<MeBody, { name?: string; password?: string }, { token: string }>;
  }>;
  '/api/businesses/{business_id}/api-keys': Route<{
    get: Op<
      { api_keys: ApiKeyRow[]; total: number; page: number; per_page: number },
      never,
      BusinessPath,
      Page
    >;
    post: Op<
      {
        key_id: string;
        name: string;
        api_key: string;
        prefix: string;
        scopes: KeyScope[];
        expires_at: string | null;
      },
      { name: string; scopes: KeyScope[]; expires_at?: string },
      BusinessPath,
      never,
      201
    >;
  }>;
  '/api/businesses/{business_id}/api-keys/{key_id}': Route<{
    delete: Op<never, never, BusinessPath & { key_id: string }, never, 204>;
  }>;
};

export type ApiPaths = Omit<generated, keyof TeamPaths> & TeamPaths;
