// api/params.ts (time windows) and api/validation-message.ts (JSON Schema errors → one
// sentence naming the field): the 400s the API answers with.

import { Ajv } from 'ajv';
import type { FastifySchemaValidationError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DAY_MS, timeWindow } from '../../api/params.js';
import { describeValidationError, formatValidationErrors } from '../../api/validation-message.js';
import { VigilError } from '../../engine/errors.js';
import { thrown } from '../helpers/thrown.js';

const TZ = 'Asia/Tashkent';
const NOW = Date.UTC(2026, 10, 28, 12, 34, 56, 789);

const refusal = (fn: () => unknown) => thrown(fn, VigilError);

describe('timeWindow', () => {
  it('defaults to the last 24 hours', () => {
    expect(timeWindow({}, TZ, NOW)).toEqual({ from: NOW - DAY_MS, to: NOW });
    expect(DAY_MS).toBe(86_400_000);
  });

  it('defaults from to 24 h before a given to', () => {
    expect(timeWindow({ to: '2026-11-20T10:00:00Z' }, TZ, NOW)).toEqual({
      from: Date.UTC(2026, 10, 19, 10),
      to: Date.UTC(2026, 10, 20, 10),
    });
  });

  it('defaults to to now when only from is given', () => {
    expect(timeWindow({ from: '2026-11-28' }, TZ, NOW)).toEqual({ from: Date.UTC(2026, 10, 27, 19), to: NOW });
  });

  it('reads dates as midnight on the city’s clock', () => {
    expect(timeWindow({ from: '2026-11-01', to: '2026-11-02' }, TZ, NOW)).toEqual({
      from: Date.UTC(2026, 9, 31, 19),
      to: Date.UTC(2026, 10, 1, 19),
    });
  });

  it('reads date-times with their zone', () => {
    expect(timeWindow({ from: '2026-11-01T08:00:00+05:00', to: '2026-11-01T10:00:00Z' }, TZ, NOW)).toEqual({
      from: Date.UTC(2026, 10, 1, 3),
      to: Date.UTC(2026, 10, 1, 10),
    });
  });

  it('refuses from equal to or after to, naming from', () => {
    for (const query of [
      { from: '2026-11-02', to: '2026-11-01' },
      { from: '2026-11-01T10:00:00Z', to: '2026-11-01T10:00:00Z' },
      { from: '2026-11-01T15:00:00+05:00', to: '2026-11-01T10:00:00Z' },
    ]) {
      const e = refusal(() => timeWindow(query, TZ, NOW));
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('VIGIL_ERR_INPUT_INVALID');
      expect(e.message).toBe('querystring.from must be before querystring.to');
    }
  });

  it('refuses a from in the future when to defaults to now, naming from', () => {
    expect(refusal(() => timeWindow({ from: '2026-12-01' }, TZ, NOW)).message).toBe('querystring.from must be before querystring.to');
  });

  it('refuses text that is not an instant, naming the parameter and quoting the text', () => {
    const e = refusal(() => timeWindow({ from: 'last week' }, TZ, NOW));
    expect(e.statusCode).toBe(400);
    expect(e.message).toMatch(/^querystring\.from must be an ISO 8601 date or date-time with a zone\b/);
    expect(e.message).toContain("got 'last week'");
    expect(refusal(() => timeWindow({ to: '2026-11-01T10:00' }, TZ, NOW)).message).toMatch(/^querystring\.to must be /);
    expect(refusal(() => timeWindow({ from: '2026-11-01', to: '2026-13-01' }, TZ, NOW)).message).toMatch(/^querystring\.to must be /);
  });

  it('checks to before from', () => {
    expect(refusal(() => timeWindow({ from: 'x', to: 'y' }, TZ, NOW)).message).toMatch(/^querystring\.to /);
  });

  it('quotes at most 40 characters of bad text', () => {
    const e = refusal(() => timeWindow({ from: 'x'.repeat(100) }, TZ, NOW));
    expect(e.message).toContain(`got '${'x'.repeat(40)}'`);
    expect(e.message).not.toContain('x'.repeat(41));
  });
});

describe('describeValidationError', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });

  /** The errors a real Ajv validation produces, as Fastify hands them over. */
  function errorsOf(schema: object, data: unknown): FastifySchemaValidationError[] {
    const validate = ajv.compile(schema);
    expect(validate(data)).toBe(false);
    return validate.errors as FastifySchemaValidationError[];
  }

  it('additionalProperties names the unknown field', () => {
    const [e] = errorsOf({ type: 'object', additionalProperties: false, properties: { a: {} } }, { a: 1, bucket2: 2 });
    expect(describeValidationError(e, 'querystring')).toBe('querystring.bucket2 is not a known field');
  });

  it('additionalProperties inside a nested object names the full path', () => {
    const schema = {
      type: 'object',
      properties: { match: { type: 'object', additionalProperties: false, properties: { maxEdits: {} } } },
    };
    const [e] = errorsOf(schema, { match: { maxEdit: 1 } });
    expect(describeValidationError(e, 'body')).toBe('body.match.maxEdit is not a known field');
  });

  it('required names the missing field', () => {
    const [e] = errorsOf({ type: 'object', required: ['legalBasis'] }, {});
    expect(describeValidationError(e, 'body')).toBe('body.legalBasis is required');
  });

  it('required inside an array item names the item', () => {
    const schema = { type: 'array', items: { type: 'object', required: ['id', 'lat'] } };
    const [e] = errorsOf(schema, [{ id: 'a', lat: 1 }, { id: 'b' }]);
    expect(describeValidationError(e, 'body')).toBe('body[1].lat is required');
  });

  it('enum lists the allowed values', () => {
    const [e] = errorsOf({ type: 'object', properties: { bucket: { enum: ['minute', 'hour', 'day'] } } }, { bucket: 'week' });
    expect(describeValidationError(e, 'querystring')).toBe('querystring.bucket must be one of minute, hour, day');
  });

  it('names a nested array path like body[3].lat', () => {
    const schema = {
      type: 'array',
      items: { type: 'object', properties: { lat: { type: 'number', minimum: -90, maximum: 90 } } },
    };
    const [e] = errorsOf(schema, [{ lat: 1 }, { lat: 2 }, { lat: 3 }, { lat: 91 }]);
    expect(describeValidationError(e, 'body')).toBe('body[3].lat must be <= 90');
  });

  it('names deeper paths with indexes and keys mixed', () => {
    const schema = {
      type: 'object',
      properties: {
        features: {
          type: 'array',
          items: { type: 'object', properties: { geometry: { type: 'object', properties: { coordinates: { type: 'array' } } } } },
        },
      },
    };
    const [e] = errorsOf(schema, { features: [{}, {}, { geometry: { coordinates: 'x' } }] });
    expect(describeValidationError(e, 'body')).toBe('body.features[2].geometry.coordinates must be array');
  });

  it('const says the value expected', () => {
    const [e] = errorsOf({ type: 'object', properties: { type: { const: 'FeatureCollection' } } }, { type: 'Feature' });
    expect(describeValidationError(e, 'body')).toBe('body.type must be "FeatureCollection"');
  });

  it('unescapes JSON Pointer ~1 and ~0 in keys', () => {
    const e: FastifySchemaValidationError = {
      keyword: 'type',
      instancePath: '/attrs/a~1b~0c',
      schemaPath: '#/x',
      params: { type: 'string' },
      message: 'must be string',
    };
    expect(describeValidationError(e, 'body')).toBe('body.attrs.a/b~c must be string');
  });

  it('names the root itself for an error at the root', () => {
    const [e] = errorsOf({ type: 'object' }, 'text');
    expect(describeValidationError(e, 'body')).toBe('body must be object');
  });

  it('says "is invalid" when the error has no message', () => {
    const e: FastifySchemaValidationError = { keyword: 'custom', instancePath: '/x', schemaPath: '#', params: {} };
    expect(describeValidationError(e, 'params')).toBe('params.x is invalid');
  });
});

describe('formatValidationErrors', () => {
  it('joins every error into one message', () => {
    const errors: FastifySchemaValidationError[] = [
      { keyword: 'required', instancePath: '', schemaPath: '#', params: { missingProperty: 'name' }, message: 'x' },
      { keyword: 'maximum', instancePath: '/0/lat', schemaPath: '#', params: {}, message: 'must be <= 90' },
    ];
    const err = formatValidationErrors(errors, 'body');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('body.name is required; body[0].lat must be <= 90');
  });
});
