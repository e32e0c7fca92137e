import { createHmac } from 'node:crypto';

/** `sha256=<hex>`: the X-Hub-Signature-256 Meta sends, computed over the exact raw body bytes. */
export function signMetaBody(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Headers of a signed webhook POST (the body must be sent byte for byte as signed). */
export function signedHeaders(body: string | Buffer, appSecret: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, appSecret) };
}
