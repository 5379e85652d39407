// A real browser for the web app's tests: Debian's chromium (the `chromium` package), driven by
// playwright-core. Never a browser download: .ci/run installs the package, and without it the
// suite fails saying so rather than skipping.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium), or set VIGIL_CHROMIUM to its path`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium refuses to run as root inside its sandbox; CI runs as root.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** Uncaught errors and console errors of a page, to be asserted empty. */
export function watchForErrors(page: Page, into: string[]): void {
  page.on('pageerror', (err) => into.push(`uncaught: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') into.push(`console.error: ${message.text()} (${message.location().url})`);
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations within `scope` (a CSS selector; the view by default). */
export async function seriousViolations(page: Page, scope = 'main'): Promise<string[]> {
  await page.evaluate(AXE);
  const violations: Array<{ id: string; impact: string; nodes: string[] }> = await page.evaluate(async (context) => {
    const result = await (window as any).axe.run(context, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id as string,
      impact: v.impact as string,
      nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3) as string[],
    }));
  }, scope);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.join(', ')}`);
}
