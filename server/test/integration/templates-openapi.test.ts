import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

describe('OpenAPI for templates and stages', () => {
  it('documents every template and stage route', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/templates',
        '/api/templates/{template_id}',
        '/api/templates/{template_id}/versions',
        '/api/templates/{template_id}/versions/{version}/restore',
        '/api/templates/{template_id}/render',
        '/api/templates/{template_id}/variables',
        '/api/template-variables',
        '/api/stages',
        '/api/stages/{stage_id}',
        '/api/stages/transitions',
      ]),
    );
  });
});
