import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

export const SANDBOX_HUBSPOT_TOKEN = 'test-hubspot-token';
export const SANDBOX_SLACK_SECRET = 'test-slack-secret';

export async function startTestSandbox(): Promise<Sandbox> {
  return startSandbox({
    port: await freePort(),
    vendors: {
      hubspot: { accessToken: SANDBOX_HUBSPOT_TOKEN },
      slack: { signingSecret: SANDBOX_SLACK_SECRET },
    },
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
