// The real app listening on a real port, with the fake LLM and the fake Graph API, and the steps the
// Meta channel tests repeat: connect a channel, post a signed webhook, wait for sends and statuses.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../src/db/client.js';
import { buildTestApp, type TestApp } from './build-test-app.js';
import { callApi, type Json } from './call-api.js';
import { type CreatedBusiness, createBusiness } from './factories.js';
import { type FakeGraphApi, startFakeGraphApi } from './fake-graph-api.js';
import { startFakeLlmServer } from './fake-llm-server.js';
import type { FakeLlm } from './fake-llm-types.js';
import { signMetaBody } from './meta-signing.js';
import { scriptedModel } from './pipeline-fixture.js';

export const APP_SECRET = 'test-meta-app-secret';
export const VERIFY_TOKEN = 'test-meta-verify-token';

export interface MetaApp {
  t: TestApp;
  llm: FakeLlm;
  graph: FakeGraphApi;
  baseUrl: string;
  close(): Promise<void>;
}

/** `database`: share another app's database, as a second server process would. */
export async function startMetaApp(
  env: Record<string, string> = {},
  options: { database?: Database } = {},
): Promise<MetaApp> {
  const llm = await startFakeLlmServer({ defaultAnswer: scriptedModel() });
  const graph = await startFakeGraphApi();
  const t = await buildTestApp(
    {
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-test-not-a-real-key',
      LLM_MODEL: 'fake-model',
      LLM_TIMEOUT_MS: '3000',
      LLM_MAX_RETRIES: '0',
      GRAPH_API_BASE_URL: graph.url,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: VERIFY_TOKEN,
      // Not shorter: a send answered after the deadline counts as ambiguous and is resent after the
      // grace (no status webhook arrives in most tests), which a busy machine would turn into flakes.
      GRAPH_TIMEOUT_MS: '2000',
      GRAPH_RETRY_BASE_MS: '50',
      GRAPH_MAX_ATTEMPTS: '4',
      GRAPH_RECONCILE_MS: '300',
      LOG_LEVEL: process.env.META_TEST_LOG ?? 'silent',
      ...env,
    },
    options,
  );
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  await t.app.startBackgroundWork?.();
  const { port } = t.app.server.address() as AddressInfo;
  return {
    t,
    llm,
    graph,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await t.close();
      await graph.close();
      await llm.close();
    },
  };
}

export const uniqueDigits = () => String(10_000_000_000 + Math.floor(Math.random() * 89_999_999_999));

export interface ConnectedBusiness extends CreatedBusiness {
  phoneNumberId: string;
  pageId: string;
  waToken: string;
  pageToken: string;
}

/** A business with WhatsApp and Messenger connected through the channel settings API. */
export async function createConnectedBusiness(
  m: MetaApp,
  secrets: { appSecret?: string; verifyToken?: string } = {},
): Promise<ConnectedBusiness> {
  const business = await createBusiness(m.t.app, m.t.masterKey);
  const phoneNumberId = uniqueDigits();
  const pageId = uniqueDigits();
  const waToken = `EAAwa${randomBytes(8).toString('hex')}`;
  const pageToken = `EAApage${randomBytes(8).toString('hex')}`;
  const extra = {
    ...(secrets.appSecret ? { app_secret: secrets.appSecret } : {}),
    ...(secrets.verifyToken ? { verify_token: secrets.verifyToken } : {}),
  };
  const wa = await callApi(
    m.t.app,
    'PUT',
    `/api/businesses/${business.business_id}/channels/whatsapp`,
    business.api_key,
    {
      phone_number_id: phoneNumberId,
      access_token: waToken,
      ...extra,
    },
  );
  if (wa.status !== 200) throw new Error(`connect WhatsApp: ${wa.status} ${JSON.stringify(wa.body)}`);
  const ms = await callApi(
    m.t.app,
    'PUT',
    `/api/businesses/${business.business_id}/channels/messenger`,
    business.api_key,
    {
      page_id: pageId,
      page_access_token: pageToken,
      ...extra,
    },
  );
  if (ms.status !== 200) throw new Error(`connect Messenger: ${ms.status} ${JSON.stringify(ms.body)}`);
  return { ...business, phoneNumberId, pageId, waToken, pageToken };
}

export interface PostOptions {
  secret?: string | null;
  /** Send these bytes instead of the JSON of the payload (still signed unless `signature` is given). */
  raw?: string;
  signature?: string;
}

/** POSTs a webhook over real HTTP, signed like Meta signs it. */
export async function postWebhook(
  m: MetaApp,
  channel: 'whatsapp' | 'messenger',
  payload: unknown,
  options: PostOptions = {},
) {
  const body = options.raw ?? JSON.stringify(payload);
  const secret = options.secret === undefined ? APP_SECRET : options.secret;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = options.signature ?? (secret ? signMetaBody(body, secret) : undefined);
  if (signature) headers['x-hub-signature-256'] = signature;
  const response = await fetch(`${m.baseUrl}/webhook/${channel}`, { method: 'POST', headers, body });
  const text = await response.text();
  let json: Json | null = null;
  try {
    json = JSON.parse(text) as Json;
  } catch {}
  return { status: response.status, body: json, text };
}

/** Polls until `probe` answers something truthy (generous deadline; no wall-clock assertions). */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  label = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** The business's conversations on a channel, each `{conversation, messages, …}` as the detail answers. */
export async function conversationsOf(m: MetaApp, business: CreatedBusiness, channel: string) {
  const list = await callApi(m.t.app, 'GET', '/api/conversations?per_page=100', business.api_key);
  const out: Json[] = [];
  for (const c of (list.body.conversations as Json[]).filter((c) => c.channel === channel)) {
    const detail = await callApi(m.t.app, 'GET', `/api/conversations/${c.conversation_id}`, business.api_key);
    out.push(detail.body);
  }
  return out;
}

/** All messages of the business's conversations on a channel, in conversation then sequence order. */
export async function messagesOf(m: MetaApp, business: CreatedBusiness, channel: string) {
  return (await conversationsOf(m, business, channel)).flatMap((c) => c.messages as Json[]);
}
