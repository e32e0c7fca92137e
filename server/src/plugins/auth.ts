import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { InvalidationBus } from '../cache/invalidation-bus.js';
import type { Db } from '../db/client.js';
import { AppError, forbidden } from '../errors.js';
import { hashesEqual, hashSecret } from '../lib/keys.js';
import { findBusinessByKeyHash } from '../modules/businesses/index.js';
import { isVisitorToken } from '../modules/widget/visitor-token.js';

export type Principal = { role: 'admin' } | { role: 'business'; businessId: string; businessName: string };

export type AuthLevel = 'public' | 'master' | 'business';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
}

export const BUSINESS_KEY_COOKIE = 'businessApiKey';

/**
 * The key a request presents, from `Authorization: Bearer`, `X-API-Key` or the session cookie. A web
 * widget visitor token is no key: it counts as no credential here (401 on every route that needs one).
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const key = anyPresentedKey(request);
  return key && !isVisitorToken(key) ? key : undefined;
}

function anyPresentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  return request.cookies?.[BUSINESS_KEY_COOKIE] || undefined;
}

interface KeyResolverOptions {
  db: Db;
  masterKeyHash: string;
  bus: InvalidationBus;
}

/** Resolves a presented key to a principal; business lookups are cached by key hash. */
export function createKeyResolver({ db, masterKeyHash, bus }: KeyResolverOptions) {
  const cache = new LRUCache<string, Principal | false>({ max: 10_000, ttl: 30_000 });
  // A rotated or deleted key must stop working at once, and a renamed business must not be
  // reported under its old name: drop every cached business principal.
  bus.subscribe('business-key', () => cache.clear());
  bus.subscribe('business', () => cache.clear());

  return async function resolve(key: string): Promise<Principal | null> {
    const hash = hashSecret(key);
    if (hashesEqual(hash, masterKeyHash)) return { role: 'admin' };
    const cached = cache.get(hash);
    if (cached !== undefined) return cached || null;
    const row = await findBusinessByKeyHash(db, hash);
    const principal: Principal | false =
      row && hashesEqual(row.hash, hash)
        ? { role: 'business', businessId: row.businessId, businessName: row.businessName }
        : false;
    cache.set(hash, principal);
    return principal || null;
  };
}

export type KeyResolver = ReturnType<typeof createKeyResolver>;

export function registerAuth(app: FastifyInstance, resolve: KeyResolver) {
  app.decorateRequest('principal', null);
  app.addHook('preValidation', async (request) => {
    const level: AuthLevel = request.routeOptions.config?.auth ?? 'public';
    const key = presentedKey(request);
    if (key) request.principal = await resolve(key);
    if (level === 'public') return;
    if (!key) throw new AppError('AUTHENTICATION_ERROR', 'An API key is required');
    if (!request.principal) throw new AppError('AUTHENTICATION_ERROR', 'The API key is not valid');
    if (level === 'master' && request.principal.role !== 'admin') {
      throw forbidden('This action needs the master key');
    }
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('AUTHENTICATION_ERROR', 'An API key is required');
  return request.principal;
}

/**
 * The business a request acts on: a business key acts on its own business (403 for another one);
 * the master key must name one.
 */
export function scopeBusinessId(principal: Principal, requested: string | undefined): string {
  if (principal.role === 'business') {
    if (requested && requested !== principal.businessId) throw forbidden();
    return principal.businessId;
  }
  if (!requested) {
    throw new AppError('VALIDATION_ERROR', 'business_id is required with the master key', {
      field_errors: { business_id: 'is required' },
    });
  }
  return requested;
}

/** For lookups by resource id: `undefined` lets the master key see every business. */
export function businessFilter(principal: Principal): string | undefined {
  return principal.role === 'business' ? principal.businessId : undefined;
}
