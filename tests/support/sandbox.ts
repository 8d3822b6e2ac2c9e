import path from 'node:path';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';

export const SANDBOX_HUBSPOT_TOKEN = 'test-hubspot-token';
export const SANDBOX_SLACK_SECRET = 'test-slack-secret';

export async function startTestSandbox(): Promise<Sandbox> {
  return startSandbox({
    // Port 0: the OS picks it as the server binds. A port found free first and bound later can be
    // taken meanwhile (a CI run lost one to the sandbox's own SMTP sink or a parallel file).
    port: 0,
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

/**
 * `connectors.email` for a hub under test, as YAML under `connectors:`: the sandbox's SMTP sink
 * (STARTTLS with its own certificate), the example templates, and this test's unsubscribe secret.
 */
export function sandboxEmailYaml(sandbox: Sandbox, unsubscribeSecret: string): string {
  return `  email:
    from: Townhall <hello@townhall.test>
    templatesDir: ${path.resolve('config/examples/templates')}
    smtp:
      host: 127.0.0.1
      port: ${sandbox.emulators.email.port}
      tls: { rejectUnauthorized: false }
    unsubscribeSecret: ${unsubscribeSecret}`;
}

/** `connectors.slack` as YAML: signed as the sandbox signs; with `bot`, its Web API for posts. */
export function sandboxSlackYaml(sandbox: Sandbox, options: { bot?: boolean } = {}): string {
  return `  slack:
    signingSecret: ${SANDBOX_SLACK_SECRET}${
      options.bot
        ? `
    botToken: xoxb-sandbox-bot-token
    apiUrl: ${sandbox.url}/api/`
        : ''
    }`;
}
