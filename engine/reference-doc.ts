// Reference tables made from the code, so the docs cannot drift from it: the README's
// configuration table from the schema (config-schema.ts), and the error codes of
// docs/interface.md from ERRORS (errors.ts). `npm run docs` writes them; tests compare.

import { CONFIG_SCHEMA } from './config-schema.js';
import { ERRORS } from './errors.js';

interface Node {
  properties?: Record<string, Node>;
  default?: unknown;
  env?: string;
  description?: string;
}

const code = (text: string) => `\`${text}\``;
// Table cells cannot hold a bare pipe.
const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultOf(node: Node): string {
  const d = node.default;
  if (d === undefined || (Array.isArray(d) && d.length === 0)) return 'none';
  return code(typeof d === 'string' ? d : JSON.stringify(d));
}

function configRows(node: Node, path: string[]): string[] {
  if (node.properties && !('items' in node)) {
    return Object.entries(node.properties).flatMap(([key, child]) => configRows(child, [...path, key]));
  }
  return [`| ${code(path.join('.'))} | ${node.env ? code(node.env) : '—'} | ${defaultOf(node)} | ${cell(node.description ?? '')} |`];
}

export function configTable(): string {
  return ['| key | env | default | meaning |', '|---|---|---|---|', ...configRows(CONFIG_SCHEMA as unknown as Node, [])].join('\n');
}

export function errorTable(): string {
  const rows = Object.values(ERRORS).map((e) => `| ${code(e.code)} | ${e.status} | ${cell(e.message.replace(/%s/g, '…'))} |`);
  return ['| code | status | message |', '|---|---:|---|', ...rows].join('\n');
}

export interface Section {
  start: string;
  end: string;
  make: () => string;
}

export const CONFIG_SECTION: Section = {
  start: '<!-- config-table: made from engine/config-schema.ts by `npm run docs` -->',
  end: '<!-- /config-table -->',
  make: configTable,
};
export const ERROR_SECTION: Section = {
  start: '<!-- error-table: made from engine/errors.ts by `npm run docs` -->',
  end: '<!-- /error-table -->',
  make: errorTable,
};

/** `text` with the section between its markers made anew. */
export function withSection(text: string, section: Section): string {
  const start = text.indexOf(section.start);
  const end = text.indexOf(section.end);
  if (start < 0 || end < start) throw new Error(`missing the markers ${section.start} … ${section.end}`);
  return `${text.slice(0, start + section.start.length)}\n${section.make()}\n${text.slice(end)}`;
}
