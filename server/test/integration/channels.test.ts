import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelConnections } from '../../src/db/schema.js';
import {
  findMetaConnectionByExternalId,
  findWebChannelByKey,
  getMetaConnection,
  listVerifyTokens,
} from '../../src/modules/channels/channels.service.js';
import { buildTestAppWithContext, type TestAppWithContext } from '../helpers/app-context.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { callApi } from '../helpers/call-api.js';
import { bearer, createBusiness, missingId } from '../helpers/factories.js';

let t: TestAppWithContext;
beforeAll(async () => {
  t = await buildTestAppWithContext({ PUBLIC_URL: 'https://icmp.example.com/' });
});
afterAll(async () => t.close());

const uniqueDigits = () => String(Date.now()) + String(Math.floor(Math.random() * 1e6));

describe('channel settings', () => {
  it('starts with nothing connected and a disabled widget with a publishable key and snippet', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const { status, body } = await callApi(
      t.app,
      'GET',
      `/api/businesses/${business.business_id}/channels`,
      business.api_key,
    );
    expect(status).toBe(200);
    expect(body.whatsapp).toEqual({
      phone_number_id: null,
      has_access_token: false,
      has_app_secret: false,
      has_verify_token: false,
      webhook_url: 'https://icmp.example.com/webhook/whatsapp',
      connected: false,
    });
    expect(body.messenger.webhook_url).toBe('https://icmp.example.com/webhook/messenger');
    expect(body.web.enabled).toBe(false);
    expect(body.web.publishable_key).toMatch(/^pk_[A-Za-z0-9_-]{32}$/);
    expect(body.web.snippet).toBe(
      `<script src="https://icmp.example.com/widget.js" data-key="${body.web.publishable_key}" async></script>`,
    );
    const again = await callApi(
      t.app,
      'GET',
      `/api/businesses/${business.business_id}/channels`,
      business.api_key,
    );
    expect(again.body.web.publishable_key).toBe(body.web.publishable_key);
  });

  it('connects WhatsApp with write-only secrets sealed at rest, readable by the webhook side', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const phoneNumberId = uniqueDigits();
    const put = await callApi(
      t.app,
      'PUT',
      `/api/businesses/${business.business_id}/channels/whatsapp`,
      business.api_key,
      {
        phone_number_id: phoneNumberId,
        access_token: 'EAAG-whatsapp-token-123',
        app_secret: 'app-secret-abc',
        verify_token: 'verify-me-please',
      },
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      phone_number_id: phoneNumberId,
      has_access_token: true,
      has_app_secret: true,
      has_verify_token: true,
      connected: true,
    });
    const serialized = JSON.stringify(
      (await callApi(t.app, 'GET', `/api/businesses/${business.business_id}/channels`, business.api_key))
        .body,
    );
    for (const secret of ['EAAG-whatsapp-token-123', 'app-secret-abc', 'verify-me-please'])
      expect(serialized).not.toContain(secret);

    const [stored] = await t.database.db
      .select()
      .from(channelConnections)
      .where(eq(channelConnections.externalId, phoneNumberId));
    expect(JSON.stringify(stored?.secrets)).not.toContain('EAAG-whatsapp-token-123');
    expect(stored?.secrets.access_token).toMatch(/^v1\./);

    const found = await findMetaConnectionByExternalId(t.ctx, 'whatsapp', phoneNumberId);
    expect(found).toEqual({
      businessId: business.business_id,
      channel: 'whatsapp',
      externalId: phoneNumberId,
      accessToken: 'EAAG-whatsapp-token-123',
      appSecret: 'app-secret-abc',
      verifyToken: 'verify-me-please',
    });
    expect(await listVerifyTokens(t.ctx, 'whatsapp')).toContain('verify-me-please');

    // Omitted secrets are kept; null removes one.
    const update = await callApi(
      t.app,
      'PUT',
      `/api/businesses/${business.business_id}/channels/whatsapp`,
      business.api_key,
      {
        phone_number_id: phoneNumberId,
        app_secret: null,
      },
    );
    expect(update.body).toMatchObject({
      has_access_token: true,
      has_app_secret: false,
      has_verify_token: true,
    });
    expect((await getMetaConnection(t.ctx, business.business_id, 'whatsapp'))?.appSecret).toBeNull();
  });

  it('refuses a phone number id or page that another business has connected', async () => {
    const first = await createBusiness(t.app, t.masterKey);
    const second = await createBusiness(t.app, t.masterKey);
    const pageId = uniqueDigits();
    const ok = await callApi(
      t.app,
      'PUT',
      `/api/businesses/${first.business_id}/channels/messenger`,
      first.api_key,
      {
        page_id: pageId,
        page_access_token: 'page-token',
      },
    );
    expect(ok.body).toMatchObject({ page_id: pageId, has_page_access_token: true, connected: true });
    const taken = await t.app.inject({
      method: 'PUT',
      url: `/api/businesses/${second.business_id}/channels/messenger`,
      headers: bearer(second.api_key),
      payload: { page_id: pageId },
    });
    expectError(taken, 409, 'CONFLICT');
    expect((await findMetaConnectionByExternalId(t.ctx, 'messenger', pageId))?.businessId).toBe(
      first.business_id,
    );
  });

  it('disconnects a Meta channel; the webhook side stops finding it at once', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const pageId = uniqueDigits();
    await callApi(
      t.app,
      'PUT',
      `/api/businesses/${business.business_id}/channels/messenger`,
      business.api_key,
      {
        page_id: pageId,
        page_access_token: 'page-token',
      },
    );
    expect(await findMetaConnectionByExternalId(t.ctx, 'messenger', pageId)).not.toBeNull();
    const removed = await callApi(
      t.app,
      'DELETE',
      `/api/businesses/${business.business_id}/channels/messenger`,
      business.api_key,
    );
    expect(removed.status).toBe(204);
    expect(await findMetaConnectionByExternalId(t.ctx, 'messenger', pageId)).toBeNull();
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/businesses/${business.business_id}/channels/messenger`,
      headers: bearer(business.api_key),
    });
    expectError(again, 404, 'NOT_FOUND');
  });

  it('configures the widget and rotates its key: the old key finds nothing', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const put = await callApi(
      t.app,
      'PUT',
      `/api/businesses/${business.business_id}/channels/web`,
      business.api_key,
      {
        enabled: true,
        allowed_origins: ['https://Shop.example', 'http://localhost:8080', 'https://shop.example'],
        title: 'Trattoria',
        color: '#AA3300',
      },
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      enabled: true,
      allowed_origins: ['https://shop.example', 'http://localhost:8080'],
      title: 'Trattoria',
      greeting: 'Hi! How can we help you today?',
      color: '#aa3300',
    });
    const oldKey = put.body.publishable_key as string;
    expect(await findWebChannelByKey(t.ctx, oldKey)).toMatchObject({
      businessId: business.business_id,
      enabled: true,
    });
    const rotated = await callApi(
      t.app,
      'POST',
      `/api/businesses/${business.business_id}/channels/web/rotate-key`,
      business.api_key,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.publishable_key).not.toBe(oldKey);
    expect(await findWebChannelByKey(t.ctx, oldKey)).toBeNull();
    expect(await findWebChannelByKey(t.ctx, rotated.body.publishable_key)).toMatchObject({
      enabled: true,
      title: 'Trattoria',
    });
  });

  it('answers bad input with field errors', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const put = (channel: string, payload: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/businesses/${business.business_id}/channels/${channel}`,
        headers: bearer(business.api_key),
        payload: payload as object,
      });
    expectFieldErrors(await put('whatsapp', { phone_number_id: 'abc' }), ['phone_number_id']);
    expectFieldErrors(await put('whatsapp', {}), ['phone_number_id']);
    expectFieldErrors(await put('web', { enabled: true, allowed_origins: ['https://shop.example/path'] }), [
      'allowed_origins.0',
    ]);
    expectFieldErrors(await put('web', { enabled: true, allowed_origins: [], color: 'red' }), ['color']);
    expectError(await put('telegram', { enabled: true }), 404, 'NOT_FOUND');
    const malformed = await t.app.inject({
      method: 'PUT',
      url: `/api/businesses/${business.business_id}/channels/web`,
      headers: { ...bearer(business.api_key), 'content-type': 'application/json' },
      payload: '{"enabled": tru',
    });
    expectError(malformed, 400, 'VALIDATION_ERROR');
  });

  it('keeps tenants apart and needs a key', async () => {
    const owner = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${owner.business_id}/channels`;
    expectError(await t.app.inject({ method: 'GET', url }), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await t.app.inject({ method: 'GET', url, headers: bearer(other.api_key) }),
      403,
      'AUTHORIZATION_ERROR',
    );
    expect((await callApi(t.app, 'GET', url, t.masterKey)).status).toBe(200);
    const unknown = await t.app.inject({
      method: 'GET',
      url: `/api/businesses/${missingId()}/channels`,
      headers: bearer(t.masterKey),
    });
    expectError(unknown, 404, 'NOT_FOUND');
  });
});
