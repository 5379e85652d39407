// A real browser for the web app's tests: Debian's chromium (the `chromium` package), driven by
// playwright-core. Never a browser download: .ci/run installs the package, and without it the
// suite fails saying so rather than skipping.

import { existsSync } from 'node:fs';
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
