import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../context.js';
import type { ChannelName, ChannelSettings } from '../../db/schema.js';
import { conflict, notFound } from '../../errors.js';
import { perContext } from '../../lib/per-context.js';
import type { Principal } from '../../plugins/auth.js';
import { type AuditActor, actorOf, recordAudit } from '../audit/index.js';
import { getBusinessConfig } from '../config-cache/index.js';
import {
  type ChannelConnectionRow,
  deleteConnection,
  findConnection,
  findConnectionByExternalId,
  insertConnectionIfMissing,
  listChannelConnections,
  upsertConnection,
} from './channels.repository.js';
import type { PutMessenger, PutWeb, PutWhatsApp } from './channels.schemas.js';

export type MetaChannel = 'whatsapp' | 'messenger';

export interface MetaConnection {
  businessId: string;
  channel: MetaChannel;
  /** WhatsApp phone number id or Messenger page id. */
  externalId: string;
  accessToken: string | null;
  /** The business's own Meta app secret; `null` → META_APP_SECRET. */
  appSecret: string | null;
  /** The business's own webhook verify token; `null` → META_VERIFY_TOKEN. */
  verifyToken: string | null;
}

export interface WebChannel {
  businessId: string;
  enabled: boolean;
  publishableKey: string;
  allowedOrigins: string[];
  title: string;
  greeting: string;
  color: string;
}

const SECRET_NAMES = ['access_token', 'app_secret', 'verify_token'] as const;
type SecretName = (typeof SECRET_NAMES)[number];

export const WEB_DEFAULTS = {
  title: 'Chat with us',
  greeting: 'Hi! How can we help you today?',
  color: '#1565c0',
};

const newPublishableKey = () => `pk_${randomBytes(24).toString('base64url')}`;

// Webhooks look a connection up on every event: keep the answers per process, drop them all on any
// channel change (rare) here and, through the bus, in every other process.
const cacheOf = perContext((ctx: AppContext) => {
  const cache = new LRUCache<string, { row: ChannelConnectionRow | null }>({ max: 20_000, ttl: 60_000 });
  ctx.bus.subscribe('channels', () => cache.clear());
  ctx.bus.onGap(() => cache.clear());
  return cache;
});

async function cached(ctx: AppContext, key: string, load: () => Promise<ChannelConnectionRow | null>) {
  const cache = cacheOf(ctx);
  const hit = cache.get(key);
  if (hit) return hit.row;
  const row = await load();
  cache.set(key, { row });
  return row;
}

const secretContext = (businessId: string, channel: ChannelName, name: SecretName) =>
  `${businessId}/${channel}/${name}`;

function openSecret(ctx: AppContext, row: ChannelConnectionRow, name: SecretName): string | null {
  const sealed = row.secrets[name];
  return sealed ? ctx.secretBox.open(sealed, secretContext(row.businessId, row.channel, name)) : null;
}

// Opened once per cached row (three AES-GCM decryptions cost more than the rest of a webhook's
// lookup); the entry goes with the row when the cache drops or replaces it.
const opened = new WeakMap<ChannelConnectionRow, MetaConnection>();

function toMetaConnection(ctx: AppContext, row: ChannelConnectionRow): MetaConnection {
  let connection = opened.get(row);
  if (!connection) {
    connection = openMetaConnection(ctx, row);
    opened.set(row, connection);
  }
  return { ...connection };
}

function openMetaConnection(ctx: AppContext, row: ChannelConnectionRow): MetaConnection {
  return {
    businessId: row.businessId,
    channel: row.channel as MetaChannel,
    externalId: row.externalId,
    accessToken: openSecret(ctx, row, 'access_token'),
    appSecret: openSecret(ctx, row, 'app_secret'),
    verifyToken: openSecret(ctx, row, 'verify_token'),
  };
}

function toWebChannel(row: ChannelConnectionRow): WebChannel {
  const s = row.settings;
  return {
    businessId: row.businessId,
    enabled: s.enabled ?? false,
    publishableKey: row.externalId,
    allowedOrigins: s.allowed_origins ?? [],
    title: s.title ?? WEB_DEFAULTS.title,
    greeting: s.greeting ?? WEB_DEFAULTS.greeting,
    color: s.color ?? WEB_DEFAULTS.color,
  };
}

export async function findMetaConnectionByExternalId(
  ctx: AppContext,
  channel: MetaChannel,
  externalId: string,
) {
  const row = await cached(ctx, `x:${channel}:${externalId}`, () =>
    findConnectionByExternalId(ctx.db, channel, externalId),
  );
  return row ? toMetaConnection(ctx, row) : null;
}

export async function getMetaConnection(ctx: AppContext, businessId: string, channel: MetaChannel) {
  const row = await cached(ctx, `b:${businessId}:${channel}`, () =>
    findConnection(ctx.db, businessId, channel),
  );
  return row ? toMetaConnection(ctx, row) : null;
}

/** Every token a GET handshake may present: META_VERIFY_TOKEN and each business's own. */
export async function listVerifyTokens(ctx: AppContext, channel: MetaChannel): Promise<string[]> {
  const rows = await listChannelConnections(ctx.db, channel);
  const tokens = rows.map((row) => openSecret(ctx, row, 'verify_token'));
  if (ctx.config.meta.verifyToken) tokens.push(ctx.config.meta.verifyToken);
  return tokens.filter((t): t is string => Boolean(t));
}

export async function findWebChannelByKey(ctx: AppContext, publishableKey: string) {
  const row = await cached(ctx, `x:web:${publishableKey}`, () =>
    findConnectionByExternalId(ctx.db, 'web', publishableKey),
  );
  return row ? toWebChannel(row) : null;
}

/** The business's widget settings; created (disabled, with a fresh key) on first use. */
export async function getWebChannel(ctx: AppContext, businessId: string): Promise<WebChannel> {
  const row = await cached(ctx, `b:${businessId}:web`, () => findConnection(ctx.db, businessId, 'web'));
  if (row) return toWebChannel(row);
  const created = await insertConnectionIfMissing(ctx.db, businessId, 'web', {
    externalId: newPublishableKey(),
    settings: { enabled: false },
    secrets: {},
  });
  ctx.bus.publish('channels', businessId);
  return toWebChannel(created);
}

// ---- the settings API -------------------------------------------------------------------------

/** The master key may name any id: a business that does not exist is a 404, not a constraint error. */
async function requireBusiness(ctx: AppContext, businessId: string) {
  if (!(await getBusinessConfig(ctx, businessId))) throw notFound('Business');
}

export async function describeChannels(ctx: AppContext, businessId: string) {
  await requireBusiness(ctx, businessId);
  const [whatsapp, messenger, web] = await Promise.all([
    findConnection(ctx.db, businessId, 'whatsapp'),
    findConnection(ctx.db, businessId, 'messenger'),
    getWebChannel(ctx, businessId),
  ]);
  return {
    whatsapp: describeWhatsApp(ctx, whatsapp),
    messenger: describeMessenger(ctx, messenger),
    web: describeWeb(ctx, web),
  };
}

function describeWhatsApp(ctx: AppContext, row: ChannelConnectionRow | null) {
  const has = (name: SecretName) => Boolean(row?.secrets[name]);
  return {
    phone_number_id: row?.externalId ?? null,
    has_access_token: has('access_token'),
    has_app_secret: has('app_secret'),
    has_verify_token: has('verify_token'),
    webhook_url: `${ctx.config.publicUrl}/webhook/whatsapp`,
    connected: Boolean(row && has('access_token')),
  };
}

function describeMessenger(ctx: AppContext, row: ChannelConnectionRow | null) {
  const has = (name: SecretName) => Boolean(row?.secrets[name]);
  return {
    page_id: row?.externalId ?? null,
    has_page_access_token: has('access_token'),
    has_app_secret: has('app_secret'),
    has_verify_token: has('verify_token'),
    webhook_url: `${ctx.config.publicUrl}/webhook/messenger`,
    connected: Boolean(row && has('access_token')),
  };
}

function describeWeb(ctx: AppContext, web: WebChannel) {
  return {
    enabled: web.enabled,
    publishable_key: web.publishableKey,
    allowed_origins: web.allowedOrigins,
    title: web.title,
    greeting: web.greeting,
    color: web.color,
    snippet: `<script src="${ctx.config.publicUrl}/widget.js" data-key="${web.publishableKey}" async></script>`,
  };
}

type MetaInput = { externalId: string } & Partial<Record<SecretName, string | null | undefined>>;

const describeMeta = (ctx: AppContext, channel: MetaChannel, row: ChannelConnectionRow | null) =>
  channel === 'whatsapp' ? describeWhatsApp(ctx, row) : describeMessenger(ctx, row);

/**
 * Creates or replaces a connection and records the change in the same transaction. The audit entry
 * holds what GET channels shows (`has_…` booleans), never the secrets.
 */
async function putMetaConnection(
  ctx: AppContext,
  actor: AuditActor,
  businessId: string,
  channel: MetaChannel,
  input: MetaInput,
) {
  const owner = await findConnectionByExternalId(ctx.db, channel, input.externalId);
  if (owner && owner.businessId !== businessId) {
    const what = channel === 'whatsapp' ? 'phone number id' : 'page id';
    throw conflict(`This ${what} is connected to another business`, {
      field_errors: {
        [channel === 'whatsapp' ? 'phone_number_id' : 'page_id']: 'is connected to another business',
      },
    });
  }
  const current = await findConnection(ctx.db, businessId, channel);
  const secrets: Record<string, string> = { ...(current?.secrets ?? {}) };
  for (const name of SECRET_NAMES) {
    const value = input[name];
    if (value === undefined) continue;
    if (value === null || value.trim() === '') delete secrets[name];
    else secrets[name] = ctx.secretBox.seal(value.trim(), secretContext(businessId, channel, name));
  }
  const row = await ctx.db.transaction(async (tx) => {
    const saved = await upsertConnection(tx, businessId, channel, {
      externalId: input.externalId,
      settings: current?.settings ?? {},
      secrets,
    });
    await recordAudit(tx, actor, {
      businessId,
      action: current ? 'update' : 'create',
      entityType: 'channel',
      entityId: channel,
      before: current ? describeMeta(ctx, channel, current) : null,
      after: describeMeta(ctx, channel, saved),
    });
    return saved;
  });
  ctx.bus.publish('channels', businessId);
  return row;
}

export async function putWhatsApp(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  body: PutWhatsApp,
) {
  await requireBusiness(ctx, businessId);
  const row = await putMetaConnection(ctx, actorOf(principal), businessId, 'whatsapp', {
    externalId: body.phone_number_id,
    access_token: body.access_token,
    app_secret: body.app_secret,
    verify_token: body.verify_token,
  });
  return describeWhatsApp(ctx, row);
}

export async function putMessenger(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  body: PutMessenger,
) {
  await requireBusiness(ctx, businessId);
  const row = await putMetaConnection(ctx, actorOf(principal), businessId, 'messenger', {
    externalId: body.page_id,
    access_token: body.page_access_token,
    app_secret: body.app_secret,
    verify_token: body.verify_token,
  });
  return describeMessenger(ctx, row);
}

export async function disconnectChannel(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  channel: MetaChannel,
) {
  await requireBusiness(ctx, businessId);
  await ctx.db.transaction(async (tx) => {
    const current = await findConnection(tx, businessId, channel);
    if (!current || !(await deleteConnection(tx, businessId, channel))) throw notFound('Channel connection');
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'delete',
      entityType: 'channel',
      entityId: channel,
      before: describeMeta(ctx, channel, current),
      after: null,
    });
  });
  ctx.bus.publish('channels', businessId);
}

export async function putWeb(ctx: AppContext, principal: Principal, businessId: string, body: PutWeb) {
  await requireBusiness(ctx, businessId);
  const current = await getWebChannel(ctx, businessId);
  const settings: ChannelSettings = {
    enabled: body.enabled,
    allowed_origins: [...new Set(body.allowed_origins.map((o) => o.toLowerCase()))],
    title: body.title ?? current.title,
    greeting: body.greeting ?? current.greeting,
    color: (body.color ?? current.color).toLowerCase(),
  };
  const row = await ctx.db.transaction(async (tx) => {
    const saved = await upsertConnection(tx, businessId, 'web', {
      externalId: current.publishableKey,
      settings,
      secrets: {},
    });
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'update',
      entityType: 'channel',
      entityId: 'web',
      before: describeWeb(ctx, current),
      after: describeWeb(ctx, toWebChannel(saved)),
    });
    return saved;
  });
  ctx.bus.publish('channels', businessId);
  return describeWeb(ctx, toWebChannel(row));
}

export async function rotateWebKey(ctx: AppContext, principal: Principal, businessId: string) {
  await requireBusiness(ctx, businessId);
  const current = await getWebChannel(ctx, businessId);
  const row = await ctx.db.transaction(async (tx) => {
    const saved = await upsertConnection(tx, businessId, 'web', {
      externalId: newPublishableKey(),
      settings: (await findConnection(tx, businessId, 'web'))?.settings ?? { enabled: current.enabled },
      secrets: {},
    });
    // The publishable key is public (it sits in the snippet on the business's pages).
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'rotate_key',
      entityType: 'channel',
      entityId: 'web',
      before: describeWeb(ctx, current),
      after: describeWeb(ctx, toWebChannel(saved)),
    });
    return saved;
  });
  ctx.bus.publish('channels', businessId);
  return { publishable_key: row.externalId };
}
