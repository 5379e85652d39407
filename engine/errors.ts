// One table of vigil's own errors: each has a stable code, an HTTP status and a message.
// Codes follow VIGIL_ERR_<AREA>_<WHAT>; the error table of docs/interface.md is made from this
// list (npm run docs), and a test keeps the two equal.

export interface VigilErrorSpec {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

function spec(code: string, status: number, message: string): VigilErrorSpec {
  return Object.freeze({ code, status, message });
}

export const ERRORS = Object.freeze({
  CONFIG_INVALID: spec('VIGIL_ERR_CONFIG_INVALID', 500, 'invalid configuration: %s'),
  CONFIG_UNREADABLE: spec('VIGIL_ERR_CONFIG_UNREADABLE', 500, 'cannot read config file %s: %s'),
  CONFIG_LISTEN_UNSAFE: spec(
    'VIGIL_ERR_CONFIG_LISTEN_UNSAFE',
    500,
    'http.host is %s but auth.tokens is empty: without tokens vigil only listens on a loopback address',
  ),
  AUTH_MISSING: spec('VIGIL_ERR_AUTH_MISSING', 401, 'missing bearer token'),
  AUTH_INVALID: spec('VIGIL_ERR_AUTH_INVALID', 401, 'invalid bearer token'),
  AUTH_FORBIDDEN: spec('VIGIL_ERR_AUTH_FORBIDDEN', 403, 'role %s may not %s %s'),
  AUTH_EXPIRED: spec('VIGIL_ERR_AUTH_EXPIRED', 401, 'bearer token expired'),
  AUTH_NO_ROLE: spec('VIGIL_ERR_AUTH_NO_ROLE', 403, 'the token of %s names no vigil role'),
  HTTP_RATE_LIMITED: spec('VIGIL_ERR_HTTP_RATE_LIMITED', 429, 'rate limit exceeded, retry in %s'),
  INTERNAL: spec('VIGIL_ERR_INTERNAL', 500, 'internal error; error id %s'),
  INPUT_INVALID: spec('VIGIL_ERR_INPUT_INVALID', 400, '%s'),
  NOT_FOUND: spec('VIGIL_ERR_NOT_FOUND', 404, '%s'),
  NOT_READY: spec('VIGIL_ERR_NOT_READY', 503, 'not ready: %s'),
});

export type ErrorName = keyof typeof ERRORS;

/** An error with a vigil code and the HTTP status the API answers with. */
export class VigilError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Fields a client reads rather than parses out of the message (sent beside it in the answer). */
  detail?: Record<string, unknown>;
  constructor(name: ErrorName, ...args: string[]) {
    const s = ERRORS[name];
    let i = 0;
    super(s.message.replace(/%s/g, () => String(args[i++] ?? '')));
    this.name = 'VigilError';
    this.code = s.code;
    this.statusCode = s.status;
  }
}

/**
 * A bad value of a named request parameter, in the engine's own terms (`cursor is not a
 * cursor…`): the API says where the parameter was (`querystring.cursor …`).
 */
export class ParamError extends VigilError {
  constructor(
    readonly param: string,
    /** Follows the parameter's name: ' must be …', '=minute needs …'. */
    text: string,
  ) {
    super('INPUT_INVALID', `${param}${text}`);
    this.name = 'ParamError';
  }
}

/** 400 with a message that names the offending field. */
export function badInput(message: string, detail?: Record<string, unknown>): VigilError {
  const e = new VigilError('INPUT_INVALID', message);
  if (detail) e.detail = detail;
  return e;
}
