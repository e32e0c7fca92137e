// A protocol fake of an OpenTelemetry collector's OTLP/HTTP trace endpoint (POST /v1/traces): JSON
// bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) are decoded into spans; protobuf bodies are counted
// (their bytes kept) but not decoded.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  serviceName: string;
  /** Start and end, in nanoseconds since the epoch. */
  startNs: bigint;
  endNs: bigint;
}

/** OTLP/JSON writes a 64-bit time as a decimal string, a number, or (long bits) `{low, high}`. */
type OtlpTime = string | number | { low: number; high: number } | undefined;
const nanoseconds = (time: OtlpTime): bigint =>
  time === undefined
    ? 0n
    : typeof time === 'object'
      ? (BigInt(time.high >>> 0) << 32n) + BigInt(time.low >>> 0)
      : BigInt(typeof time === 'number' ? Math.round(time) : time);

export interface FakeCollector {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Every request body as received, for checks over the raw text. */
  bodies: string[];
  /** Content types of the export requests. */
  contentTypes: string[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

const attributeValue = (value: OtlpValue): string | number | boolean =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.doubleValue ??
  value.boolValue ??
  '';

const attributesOf = (list: OtlpAttribute[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, attributeValue(a.value)]));

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeCollector(): Promise<FakeCollector> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    const type = String(request.headers['content-type'] ?? '');
    contentTypes.push(type);
    bodies.push(body.toString('utf8'));
    if (type.startsWith('application/json')) {
      const parsed = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: {
          resource?: { attributes?: OtlpAttribute[] };
          scopeSpans?: {
            spans?: (Omit<ReceivedSpan, 'attributes' | 'serviceName' | 'startNs' | 'endNs'> & {
              attributes?: OtlpAttribute[];
              startTimeUnixNano?: OtlpTime;
              endTimeUnixNano?: OtlpTime;
            })[];
          }[];
        }[];
      };
      for (const resource of parsed.resourceSpans ?? []) {
        const serviceName = String(attributesOf(resource.resource?.attributes)['service.name'] ?? '');
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              status: span.status ?? {},
              serviceName,
              startNs: nanoseconds(span.startTimeUnixNano),
              endNs: nanoseconds(span.endTimeUnixNano),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    contentTypes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
