// The configuration table of the README, made from the schema (config-schema.ts): one row per
// key, with its environment variable, its default and its description.

import { CONFIG_SCHEMA } from './config-schema.js';

interface Node {
  properties?: Record<string, Node>;
  default?: unknown;
  env?: string;
  description?: string;
}

const code = (text: string) => `\`${text}\``;

function defaultOf(node: Node): string {
  const d = node.default;
  if (d === undefined || (Array.isArray(d) && d.length === 0)) return 'none';
  return code(typeof d === 'string' ? d : JSON.stringify(d));
}

function rows(node: Node, path: string[]): string[] {
  if (node.properties && !('items' in node)) {
    return Object.entries(node.properties).flatMap(([key, child]) => rows(child, [...path, key]));
  }
  // Table cells cannot hold a bare pipe.
  const meaning = (node.description ?? '').replace(/\|/g, '\\|');
  return [`| ${code(path.join('.'))} | ${node.env ? code(node.env) : '—'} | ${defaultOf(node)} | ${meaning} |`];
}

export const CONFIG_TABLE_START = '<!-- config-table: made from engine/config-schema.ts by `npm run docs:config` -->';
export const CONFIG_TABLE_END = '<!-- /config-table -->';

export function configTable(): string {
  return ['| key | env | default | meaning |', '|---|---|---|---|', ...rows(CONFIG_SCHEMA as unknown as Node, [])].join('\n');
}

/** `readme` with its configuration table replaced by the one the schema makes. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${CONFIG_TABLE_START} … ${CONFIG_TABLE_END}`);
  return `${readme.slice(0, start + CONFIG_TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}
