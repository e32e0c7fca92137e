import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { InvalidationBus } from '../cache/invalidation-bus.js';
import type { Db } from '../db/client.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { hashesEqual, hashSecret } from '../lib/keys.js';
import {
  belongsTo,
  MASTER_PRINCIPAL,
  type Permission,
  type Principal,
  permissionsIn,
} from '../lib/principal.js';
import { findApiKeyByHash, touchApiKey } from '../modules/api-keys/index.js';
import { resolveSession } from '../modules/auth/index.js';
import { isVisitorToken } from '../modules/widget/visitor-token.js';
import { addressKey, assertNotBlocked, type FailureBudget } from './auth-failures.js';

export type { Permission, Principal };

/**
 * Where a route finds the business it acts on: `business_id` in the path, the query string or the
 * body, or a resolver from a resource id (conversation → its business; `null` → 404).
 */
export type BusinessLocator =
  | 'param'
  | 'query'
  | 'body'
  | { resolve: (request: FastifyRequest) => Promise<string | null | undefined> };

/**
 * What a route needs, declared once per route in `config.access` and checked by one hook:
 * - `public`: nothing (webhooks and the widget check their own credentials);
 * - `optional`: anyone; a valid credential, when one is sent, becomes the principal;
 * - `any`: any valid credential; `account`: a signed-in team account; `master`: the master key or a
 *   platform admin account;
 * - `{permission, business}`: that permission in the business the route acts on (api.md's role matrix:
 *   lib/principal.ts). Another business's resource answers 404; a named business the credential may not
 *   use, or a role that may not, answers 403.
 */
export type AccessRule =
  | 'public'
  | 'optional'
  | 'any'
  | 'account'
  | 'master'
  | { permission: Permission; business: BusinessLocator };

export interface RouteAccess {
  method: string;
  url: string;
  access: AccessRule;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route registered after the auth plugin, with its declared access rule (tests read it). */
    routeAccess: readonly RouteAccess[];
    /**
     * Who the request's credential names now (null: it no longer signs anyone in), for a request
     * that outlives its start (a live stream); a session is looked at without extending its idle time.
     */
    currentPrincipal(request: FastifyRequest): Promise<Principal | null>;
  }
  interface FastifyContextConfig {
    access?: AccessRule;
  }
}

export const SESSION_COOKIE = 'icmp_session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A header credential: `Authorization: Bearer` or `X-API-Key` (a widget visitor token is none). */
export function headerKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  let key: string | undefined;
  // The scheme is case-insensitive (RFC 9110 §11.1): `bearer`, `BEARER` and `Bearer` are one.
  const scheme = authorization?.match(/^bearer[ \t]+/i);
  if (authorization && scheme) key = authorization.slice(scheme[0].length).trim() || undefined;
  else {
    const header = request.headers['x-api-key'];
    if (typeof header === 'string' && header) key = header;
  }
  return key && !isVisitorToken(key) ? key : undefined;
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies?.[SESSION_COOKIE] || undefined;
}

/** The credential a request presents (for the per-credential rate limit). */
export function presentedKey(request: FastifyRequest): string | undefined {
  return headerKey(request) ?? sessionToken(request);
}

const credentialHashes = new WeakMap<FastifyRequest, { credential: string; hash: string }>();

/** A request's credential hashed once: the rate limit and the key lookup both need it. */
export function credentialHash(request: FastifyRequest, credential: string): string {
  const known = credentialHashes.get(request);
  if (known?.credential === credential) return known.hash;
  const hash = hashSecret(credential);
  credentialHashes.set(request, { credential, hash });
  return hash;
}

interface KeyResolverOptions {
  db: Db;
  masterKeyHash: string;
  bus: InvalidationBus;
}

type CachedKey = { principal: Principal; expiresAt: number | null } | false;

/** Resolves a presented key to a principal; API key lookups are cached by key hash. */
export function createKeyResolver({ db, masterKeyHash, bus }: KeyResolverOptions) {
  const cache = new LRUCache<string, CachedKey>({ max: 10_000, ttl: 30_000 });
  const lastTouched = new Map<string, number>();
  // A rotated, deleted or expired key must stop working at once, and a renamed business must not be
  // reported under its old name: drop every cached key principal.
  bus.subscribe('business-key', () => cache.clear());
  bus.subscribe('business', () => cache.clear());
  bus.onGap(() => cache.clear());

  async function resolve(key: string, hash = hashSecret(key)): Promise<Principal | null> {
    if (hashesEqual(hash, masterKeyHash)) return MASTER_PRINCIPAL;
    let cached = cache.get(hash);
    if (cached === undefined) {
      const row = await findApiKeyByHash(db, hash);
      cached =
        row && hashesEqual(row.keyHash, hash)
          ? {
              principal: {
                role: 'business',
                businessId: row.businessId,
                businessName: row.businessName,
                keyId: row.keyId,
                keyName: row.name,
                scopes: row.scopes,
                sessionId: null,
              },
              expiresAt: row.expiresAt?.getTime() ?? null,
            }
          : false;
      cache.set(hash, cached);
    }
    if (!cached || (cached.expiresAt !== null && cached.expiresAt <= Date.now())) return null;
    const principal = cached.principal;
    if (principal.role === 'business') {
      const last = lastTouched.get(principal.keyId) ?? 0;
      if (Date.now() - last >= 60_000) {
        lastTouched.set(principal.keyId, Date.now());
        if (lastTouched.size > 10_000) lastTouched.clear();
        await touchApiKey(db, principal.keyId);
      }
    }
    return principal;
  }
  /** The key's hash and id, for a session made from it. */
  resolve.describe = async (key: string) => {
    const hash = hashSecret(key);
    if (hashesEqual(hash, masterKeyHash)) return { hash, keyId: null };
    const row = await findApiKeyByHash(db, hash);
    return { hash, keyId: row?.keyId ?? null };
  };
  return resolve;
}

export type KeyResolver = ReturnType<typeof createKeyResolver>;

export interface AuthOptions {
  db: Db;
  resolveKey: KeyResolver;
  failures: FailureBudget;
  masterKeyHash: string;
  sessionIdleMinutes: number;
  /** Origins a cookie-authenticated state change may come from (PUBLIC_URL's and CORS_ORIGINS). */
  allowedOrigins: readonly string[];
}

function originOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * CSRF (api.md): a state-changing request that a browser authenticates with the session cookie must
 * come from one of our origins (Origin, else Referer): PUBLIC_URL, a CORS origin, or the server's own
 * address as the browser reached it (the Host it sent). Header credentials are never sent by a
 * browser on its own, so they are not affected.
 */
export function checkCsrf(request: FastifyRequest, allowedOrigins: readonly string[]) {
  if (SAFE_METHODS.has(request.method)) return;
  if (!sessionToken(request) || headerKey(request)) return;
  const origin = originOf(request.headers.origin) ?? originOf(request.headers.referer);
  const own = request.headers.host ? originOf(`${request.protocol}://${request.headers.host}`) : undefined;
  if (origin && (allowedOrigins.includes(origin) || origin === own)) return;
  throw new AppError('AUTHORIZATION_ERROR', 'Cross-site request refused: missing or foreign Origin');
}

async function authenticate(request: FastifyRequest, options: AuthOptions): Promise<Principal | null> {
  const key = headerKey(request);
  const token = key ? undefined : sessionToken(request);
  if (!key && !token) return null;
  await assertNotBlocked(options.failures, addressKey(request.ip));
  const principal = key
    ? await options.resolveKey(key, credentialHash(request, key))
    : await resolveSession(options.db, token as string, {
        masterKeyHash: options.masterKeyHash,
        idleMinutes: options.sessionIdleMinutes,
      });
  if (!principal) {
    await options.failures.record(addressKey(request.ip));
    throw new AppError(
      'AUTHENTICATION_ERROR',
      key ? 'The API key is not valid' : 'The session has ended; sign in again',
    );
  }
  return principal;
}

function rawField(source: unknown, field: string): unknown {
  return source && typeof source === 'object' ? (source as Record<string, unknown>)[field] : undefined;
}

/** The business id a locator names (undefined: none named), checked to be a UUID. */
function namedBusiness(request: FastifyRequest, where: 'param' | 'query' | 'body'): string | undefined {
  const source = where === 'param' ? request.params : where === 'query' ? request.query : request.body;
  let value = rawField(source, 'business_id');
  if (where === 'body' && value === undefined) value = rawField(source, 'businessId');
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new AppError('VALIDATION_ERROR', 'business_id must be a UUID', {
      field_errors: { business_id: 'must be a UUID' },
    });
  }
  return value;
}

/** The business a request without a business_id acts on: a key's own, or an account's only one. */
function defaultBusiness(principal: Principal): string {
  if (principal.role === 'business') return principal.businessId;
  if (principal.role === 'member' && principal.memberships.length === 1) {
    return (principal.memberships[0] as { businessId: string }).businessId;
  }
  throw new AppError('VALIDATION_ERROR', 'business_id is required', {
    field_errors: { business_id: 'is required' },
  });
}

async function authorize(
  request: FastifyRequest,
  principal: Principal,
  rule: Exclude<AccessRule, 'public' | 'optional'>,
) {
  if (rule === 'any') return principal;
  if (rule === 'account') {
    if (principal.role === 'business' || !principal.account) {
      throw forbidden('This action needs a signed-in team account');
    }
    return principal;
  }
  if (rule === 'master') {
    if (principal.role !== 'admin') throw forbidden('This action needs the master key or a platform admin');
    return principal;
  }
  let businessId: string;
  if (typeof rule.business === 'object') {
    const found = await rule.business.resolve(request);
    // Another business's resource is as unknown as a missing one.
    if (!found || !belongsTo(principal, found)) throw notFound('Resource');
    businessId = found;
  } else {
    const named = namedBusiness(request, rule.business);
    if (named === undefined && principal.role === 'admin') return principal; // handlers ask for it
    businessId = named ?? defaultBusiness(principal);
    if (!belongsTo(principal, businessId)) throw forbidden();
  }
  if (!permissionsIn(principal, businessId).includes(rule.permission)) {
    throw forbidden(`This credential may not do this (${rule.permission}) in that business`);
  }
  return principal.role === 'member' ? { ...principal, businessId } : principal;
}

/** Routes registered by plugins (API docs, static files) that declare nothing are public. */
const PLUGIN_ROUTES = /^\/(docs|openapi\.json)(\/|$)|^\/\*$|^\/assets\//;

export function registerAuth(app: FastifyInstance, options: AuthOptions) {
  app.decorateRequest('principal', null);
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);
  app.decorate('currentPrincipal', async (request: FastifyRequest) => {
    const key = headerKey(request);
    if (key) return options.resolveKey(key);
    const token = sessionToken(request);
    if (!token) return null;
    return resolveSession(options.db, token, {
      masterKeyHash: options.masterKeyHash,
      idleMinutes: options.sessionIdleMinutes,
      touch: false,
    });
  });
  // Every route says what it needs; one that does not is a mistake caught at start (and by the
  // role matrix test), not a silently public route.
  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      if (!PLUGIN_ROUTES.test(route.url)) {
        throw new Error(`${route.method} ${route.url} declares no access rule (config.access)`);
      }
      route.config = { ...(route.config ?? {}), access: 'public' };
    }
    const access = route.config.access as AccessRule;
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', (request, _reply, done) => {
    checkCsrf(request, options.allowedOrigins);
    done();
  });
  app.addHook('preValidation', async (request) => {
    const rule = request.routeOptions.config?.access ?? 'public';
    if (rule === 'public') return;
    if (rule === 'optional') {
      request.principal = await authenticate(request, options).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'AUTHENTICATION_ERROR') return null;
        throw error;
      });
      return;
    }
    const principal = await authenticate(request, options);
    if (!principal) throw new AppError('AUTHENTICATION_ERROR', 'An API key or a session is required');
    request.principal = await authorize(request, principal, rule);
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('AUTHENTICATION_ERROR', 'An API key is required');
  return request.principal;
}

/**
 * The business a request acts on: a business key acts on its own business (403 for another one); an
 * account on one it belongs to (its only one when none is named); the master key must name one.
 */
export function scopeBusinessId(principal: Principal, requested: string | undefined): string {
  if (principal.role === 'business') {
    if (requested && requested !== principal.businessId) throw forbidden();
    return principal.businessId;
  }
  if (principal.role === 'member') {
    if (requested) {
      if (!belongsTo(principal, requested)) throw forbidden();
      return requested;
    }
    return principal.businessId ?? defaultBusiness(principal);
  }
  if (!requested) {
    throw new AppError('VALIDATION_ERROR', 'business_id is required with the master key', {
      field_errors: { business_id: 'is required' },
    });
  }
  return requested;
}

/**
 * For lookups by resource id: the one business the request may see (for an account, the business the
 * route's access rule resolved and checked); `undefined` lets a platform admin see every business.
 */
export function businessFilter(principal: Principal): string | undefined {
  if (principal.role === 'business') return principal.businessId;
  if (principal.role === 'member') {
    if (!principal.businessId) throw forbidden();
    return principal.businessId;
  }
  return undefined;
}

/** Sets the HttpOnly session cookie (SameSite=Lax, Secure over HTTPS). */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxHours: number,
) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: maxHours * 3600,
    secure: request.protocol === 'https',
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/**
 * A locator for routes addressing one resource: `lookup` names the business owning the id in `param`
 * (undefined when there is no such resource → 404, like another business's resource).
 */
export function byResource(
  param: string,
  lookup: (id: string) => Promise<string | null | undefined>,
): BusinessLocator {
  return {
    resolve: async (request) => {
      const id = rawField(request.params, param);
      if (typeof id !== 'string' || !UUID.test(id)) {
        throw new AppError('VALIDATION_ERROR', `${param} must be a UUID`, {
          field_errors: { [param]: 'must be a UUID' },
        });
      }
      return lookup(id);
    },
  };
}
