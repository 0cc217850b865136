/**
 * The response-schema check the suite runs under (src/api/response-contract.ts): an answer that a
 * route's schema would change — a field it lacks, a value of another type — is a 500 naming the
 * route and the path, instead of a field dropped in silence.
 */
import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { checkResponsesAgainstSchemas, firstDifference } from '../../src/api/response-contract.js';

async function appWith(answer: unknown) {
  const app = Fastify();
  checkResponsesAgainstSchemas(app);
  const Answer = Type.Object({ name: Type.String(), count: Type.Integer(), tags: Type.Array(Type.String()) });
  app.get('/thing', { schema: { response: { 200: Answer } } }, async () => answer);
  app.get('/text', async () => 'plain text');
  return app;
}

describe('answers checked against their response schemas', () => {
  it('passes an answer the schema serialises unchanged', async () => {
    const app = await appWith({ name: 'a', count: 2, tags: ['x'] });
    const r = await app.inject('/thing');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ name: 'a', count: 2, tags: ['x'] });
    expect((await app.inject('/text')).body).toBe('plain text');
    await app.close();
  });

  it('fails an answer with a field the schema lacks, naming the route and the field', async () => {
    const app = await appWith({ name: 'a', count: 2, tags: [], forgotten: true });
    const r = await app.inject('/thing');
    expect(r.statusCode).toBe(500);
    expect(r.json()).toMatchObject({ code: 'INTERNAL' });
    expect(r.json().message).toContain('GET /thing');
    expect(r.json().message).toContain('$.forgotten');
    await app.close();
  });

  it('fails a value the schema would coerce', async () => {
    const app = await appWith({ name: 'a', count: '2', tags: [] });
    const r = await app.inject('/thing');
    expect(r.statusCode).toBe(500);
    expect(r.json().message).toContain('$.count');
    await app.close();
  });

  it('finds the first differing path in nested values', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeNull();
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe('$.a[1].b');
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toBe('$.a.length');
    expect(firstDifference({ a: null }, { a: {} })).toBe('$.a');
  });
});
