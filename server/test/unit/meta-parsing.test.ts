import { describe, expect, it } from 'vitest';
import { parseMessengerWebhook } from '../../src/modules/channels/messenger/parse-messenger.js';
import { verifyMetaSignature } from '../../src/modules/channels/meta/meta-signature.js';
import { MAX_TEXT, splitText } from '../../src/modules/channels/meta/split-text.js';
import { parseWhatsAppWebhook } from '../../src/modules/channels/whatsapp/parse-whatsapp.js';
import { ms, msPayload, wa, waChange, waMessage, waPayload, waStatus } from '../helpers/meta-fixtures.js';
import { signMetaBody } from '../helpers/meta-signing.js';

describe('X-Hub-Signature-256', () => {
  const raw = Buffer.from('{"object":"page","entry":[]}');
  it('accepts the HMAC of the exact bytes and nothing else', () => {
    expect(verifyMetaSignature(raw, signMetaBody(raw, 's3cret'), 's3cret')).toBe(true);
    expect(verifyMetaSignature(raw, signMetaBody(raw, 'other'), 's3cret')).toBe(false);
    expect(verifyMetaSignature(Buffer.from(`${raw} `), signMetaBody(raw, 's3cret'), 's3cret')).toBe(false);
    expect(verifyMetaSignature(raw, undefined, 's3cret')).toBe(false);
    expect(verifyMetaSignature(raw, 'sha256=abc', 's3cret')).toBe(false);
    expect(verifyMetaSignature(raw, signMetaBody(raw, 's3cret').replace('sha256=', 'sha1='), 's3cret')).toBe(
      false,
    );
  });
});

describe('splitText', () => {
  it('keeps short texts whole', () => expect(splitText('Hello.', 10)).toEqual(['Hello.']));
  it('cuts at sentence boundaries, each part within the limit, nothing lost', () => {
    const sentence = 'This is one sentence of the reply. ';
    const text = sentence.repeat(200).trim();
    const parts = splitText(text, MAX_TEXT.messenger);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(part.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(text);
  });
  it('falls back to words, then cuts a giant word', () => {
    const words = 'word '.repeat(30).trim();
    const parts = splitText(words, 12);
    expect(parts.every((p) => p.length <= 12 && !p.startsWith(' '))).toBe(true);
    expect(parts.join(' ')).toBe(words);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});

describe('WhatsApp webhook parsing', () => {
  it('reads every change and message, with readable forms for non-text', () => {
    const payload = waPayload([
      {
        changes: [
          waChange({
            phoneNumberId: 'P1',
            contacts: [{ waId: '111', name: 'Ana Silva' }],
            messages: [
              waMessage('111', wa.text('hi')),
              waMessage('111', wa.image('my receipt')),
              waMessage('111', wa.location(38.7, -9.1, 'Home')),
              waMessage('111', wa.buttonReply('b1', 'Yes please')),
              waMessage('111', wa.listReply('r1', 'Option B')),
            ],
          }),
        ],
      },
      {
        changes: [
          waChange({
            phoneNumberId: 'P2',
            statuses: [
              waStatus('wamid.X', 'failed', {
                recipientId: '222',
                error: { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours' },
              }),
            ],
          }),
        ],
      },
    ]);
    const events = parseWhatsAppWebhook(payload);
    expect(events.map((e) => (e.kind === 'message' ? e.text : e.status))).toEqual([
      'hi',
      '[image] my receipt',
      '[location] 38.7,-9.1 Home',
      'Yes please',
      'Option B',
      'failed',
    ]);
    expect(events[0]).toMatchObject({
      recipientId: 'P1',
      customerId: '111',
      customerName: 'Ana Silva',
      type: 'text',
    });
    expect(events[5]).toMatchObject({
      recipientId: 'P2',
      error: expect.stringContaining('More than 24 hours'),
    });
  });
  it('skips what it cannot read without failing', () => {
    expect(
      parseWhatsAppWebhook({ entry: [{ changes: [{ field: 'messages', value: {} }, null, 3] }, 'x'] }),
    ).toEqual([]);
    expect(parseWhatsAppWebhook(null)).toEqual([]);
  });
});

describe('Messenger webhook parsing', () => {
  it("reads messages, postbacks, attachments, deliveries and reads; our echoes as confirmations, the page's own as its messages", () => {
    const ours = '2f1c1b5e-0b7e-4c4e-9a51-5d7f7f0c1a11:0';
    const events = parseMessengerWebhook(
      msPayload([
        {
          pageId: 'PG',
          messaging: [
            ms.text('PG', 'u1', 'hello'),
            ms.attachment('PG', 'u1', 'image', 'https://cdn.example/x.jpg'),
            ms.location('PG', 'u1', 1.5, 2.5),
            ms.postback('PG', 'u1', 'Get Started', 'GET_STARTED'),
            ms.echo('PG', 'u1', 'from the inbox', { mid: 'm_inbox' }),
            ms.echo('PG', 'u1', 'our reply', { metadata: ours, mid: 'm_echo' }),
            ms.echo('PG', 'u1', 'settings test', { metadata: 'icmp-test', mid: 'm_test' }),
            ms.echo('PG', 'u1', 'another app', { metadata: 'their-own-data', mid: 'm_other' }),
            ms.delivery('PG', 'u1', ['m_1']),
            ms.read('PG', 'u1', 1000),
          ],
        },
      ]),
    );
    expect(events.map((e) => (e.kind === 'message' ? e.text : `${e.status}`))).toEqual([
      'hello',
      '[image]',
      '[location] 1.5,2.5 Pinned location',
      'Get Started',
      'from the inbox',
      'sent',
      'sent',
      'another app',
      'delivered',
      'read',
    ]);
    expect(events[0]).not.toHaveProperty('fromPage');
    expect(events[4]).toMatchObject({
      fromPage: true,
      customerId: 'u1',
      externalMessageId: 'm_inbox',
      recipientId: 'PG',
    });
    expect(events[5]).toMatchObject({ reference: ours, messageIds: ['m_echo'], customerId: 'u1' });
    expect(events[6]).toMatchObject({ reference: 'icmp-test', messageIds: ['m_test'] });
    expect(events[7]).toMatchObject({ fromPage: true, externalMessageId: 'm_other' });
    expect(events[9]).toMatchObject({ watermark: 1000, messageIds: [] });
  });
});
