// A real headless Chromium for the console's browser tests: Debian's `chromium` package, driven
// through playwright-core (Playwright's own browser download cannot run here). `.ci/run`
// installs the package when it is missing; CHROMIUM_PATH points elsewhere.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const chosen = process.env.CHROMIUM_PATH ?? CANDIDATES.find((file) => existsSync(file));
  if (!chosen || !existsSync(chosen))
    throw new Error(
      `No Chromium found (looked for ${process.env.CHROMIUM_PATH ?? CANDIDATES.join(', ')}): install it with \`apt-get install chromium\` (as .ci/run does) or set CHROMIUM_PATH`,
    );
  return chosen;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
