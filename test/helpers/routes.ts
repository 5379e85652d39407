// The routes a Fastify app serves, read from its route tree.

/**
 * `METHOD /path` for every route, from `printRoutes({ commonPrefix: false })`: one line per leaf,
 * `<indent>├── <path piece> (GET, HEAD)`, a child's piece continuing its parent's path. HEAD,
 * which Fastify adds to every GET, is left out.
 */
export function servedRoutes(printed: string): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^((?:│ {3}| {4})*)[├└]── (.+?) \(([A-Z, ]+)\)(?: .*)?$/.exec(line);
    if (!m) throw new Error(`cannot read printRoutes line: ${JSON.stringify(line)}`);
    const depth = [...m[1]].length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1] : '') + m[2];
    stack[depth] = path;
    for (const method of m[3].split(', ')) if (method !== 'HEAD') found.push(`${method} ${path}`);
  }
  return found.sort();
}
