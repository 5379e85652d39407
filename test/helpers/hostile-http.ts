// Hostile HTTP parameter values for the API test (test/integration/api-hostile.test.ts): SQL
// fragments, numbers at and past every limit, bad dates, path tricks, overlong and odd Unicode
// text, and raw JSON no JavaScript value serialises to (1e400, 2^64 exactly, 10,000 levels).

/** A value for a query string or path segment: text to percent-encode, or raw URL bytes. */
export type UrlValue = { text: string } | { raw: string };

const SQL = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; DROP TABLE sightings; --",
  '1; DROP TABLE sightings',
  '" OR ""="',
  "' UNION SELECT * FROM audit --",
  "%' OR '%'='",
  '$1',
  '?',
  "x'::VARCHAR); SELECT 1; --",
];

const NUMBERS = [
  '1e308',
  '1e309',
  '18446744073709551616',
  '9007199254740993',
  '-0',
  '0',
  '-1',
  '2147483648',
  'NaN',
  '-Infinity',
  '0x10',
  '1_000',
  '1,5',
  '1.5',
  ' 5',
  '١٢٣',
  '１２３',
  '1e-400',
];

const DATES = [
  '2026-13-45',
  '2026-02-30',
  '1969-12-31',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '2026-11-28T25:00:00Z',
  '2026-11-28T10:00:00',
  '2026-11-28T10:00:00+99:99',
  '2026-11-28T10:00:00.1234567891Z',
  'now',
  '1700000000000',
  '2026-11-28\u00a0',
];

const PATHS = [
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'a\u0000b',
  'file:///etc/passwd',
  '\\\\server\\share',
  '....//....//',
];

const TEXT = [
  '',
  ' ',
  'x'.repeat(10_000),
  '\u202eevil',
  '🚓'.repeat(40),
  'e\u0301',
  'zero\u200bwidth',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '${7*7}',
  'null',
  '{}',
  '\r\nX-Injected: 1',
  'property:__proto__',
  'property:constructor',
  'knn:0',
  'knn:99999',
  'distance:0',
  'distance:99999999',
  'distance:1e308',
  'incidents,incidents',
  ',,,,',
  '1,,2',
  '-1,5',
  '1e400,1',
  Array.from({ length: 60 }, (_, i) => i + 1).join(','),
  '1h',
  '999999d',
  '-24h',
];

/** Values for one query or path parameter, as text (percent-encoded when sent) or raw URL bytes. */
export function urlValues(): UrlValue[] {
  return [
    ...[...SQL, ...NUMBERS, ...DATES, ...PATHS, ...TEXT].map((text) => ({ text })),
    { raw: '%2e%2e%2f%2e%2e%2fetc%2fpasswd' },
    { raw: '%252e%252e%252f' },
    { raw: '%00' },
    { raw: '%ED%A0%80' }, // a lone surrogate as UTF-8: not UTF-8
    { raw: '%C0%AF' }, // an overlong '/'
    { raw: '%FF%FE' },
    { raw: '%' },
    { raw: '%zz' },
    { raw: '%%32%65' },
    { raw: 'a+b' },
    { raw: '&' },
    { raw: '#frag' },
  ];
}

export function encodeUrlValue(v: UrlValue): string {
  return 'raw' in v ? v.raw : encodeURIComponent(v.text);
}

export function describeUrlValue(v: UrlValue): string {
  const s = 'raw' in v ? `raw ${v.raw}` : JSON.stringify(v.text);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Raw JSON texts for one body field: any JSON value, and some only raw JSON can say. */
export function jsonValues(): string[] {
  const strings = [
    ...SQL,
    ...DATES,
    ...PATHS,
    ...TEXT.filter((t) => t.length < 1000),
    'x'.repeat(100_000),
    '\ud800',
    'a\udc00b',
    '\u0000',
  ].map((t) => JSON.stringify(t));
  return [
    ...strings,
    '"\\ud800"', // a lone surrogate written as an escape
    '1e308',
    '-1e308',
    '1e400', // Infinity once parsed
    '-1e400',
    '18446744073709551616',
    '9007199254740993',
    '-0',
    '0',
    '-1',
    '0.5',
    '1e-320',
    '2147483648',
    'false',
    'null',
    '[[]]',
    '{}',
    '{"$ne": null}',
    '{"__proto__": {"polluted": 1}}',
    '[1e400, 1]',
    '["x"]',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  ];
}

/** Whole bodies, for any route that takes one: not JSON, the wrong JSON, and the wrong framing. */
export function wholeBodies(): Array<{ what: string; payload: string; contentType?: string }> {
  return [
    { what: 'empty', payload: '' },
    { what: 'null', payload: 'null' },
    { what: 'a number', payload: '42' },
    { what: 'a string', payload: '"x"' },
    { what: 'an empty array', payload: '[]' },
    { what: 'an empty object', payload: '{}' },
    { what: 'cut short', payload: '{"a": [1, 2' },
    { what: 'trailing garbage', payload: '{} x' },
    { what: 'single quotes', payload: "{'a': 1}" },
    { what: 'NaN', payload: '{"a": NaN}' },
    { what: '10,000 levels deep', payload: `${'['.repeat(10_000)}${']'.repeat(10_000)}` },
    { what: '__proto__', payload: '{"__proto__": {"polluted": 1}}' },
    { what: 'constructor.prototype', payload: '{"constructor": {"prototype": {"polluted": 1}}}' },
    { what: 'a byte-order mark', payload: '\ufeff{}' },
    { what: 'not UTF-8', payload: '{"a": "\udc80"}' },
    { what: 'text/plain', payload: '{}', contentType: 'text/plain' },
    { what: 'a form', payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { what: 'UTF-16 claimed', payload: '{}', contentType: 'application/json; charset=utf-16' },
    { what: 'a bogus content type', payload: '{}', contentType: 'application/json; ;;; boundary=' },
  ];
}
