// JSON Schema errors → one sentence that names the field, e.g. "querystring.bucket must be one
// of minute, hour, day" or "body[3].lat must be <= 90".

import type { FastifySchemaValidationError } from 'fastify';
import { WELL_FORMED_TEXT } from './params.js';

function fieldPath(dataVar: string, instancePath: string): string {
  return (
    dataVar +
    instancePath
      .split('/')
      .slice(1)
      .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('')
  );
}

export function describeValidationError(e: FastifySchemaValidationError, dataVar: string): string {
  const path = fieldPath(dataVar, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${path}.${String(p.additionalProperty)} is not a known field`;
    case 'required':
      return `${path}.${String(p.missingProperty)} is required`;
    case 'enum':
      return `${path} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${path} must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      if (p.pattern === WELL_FORMED_TEXT) {
        return typeof p.propertyName === 'string'
          ? `${path} has a key that is not Unicode text (a lone surrogate)`
          : `${path} must be Unicode text (it holds a lone surrogate)`;
      }
      return `${path} ${e.message ?? 'is invalid'}`;
    case 'propertyNames':
      return `${path} has a key that is not valid (${String(p.propertyName).slice(0, 40)})`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}

export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(errors.map((e) => describeValidationError(e, dataVar)).join('; '));
}
