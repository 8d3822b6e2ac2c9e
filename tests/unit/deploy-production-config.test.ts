// config/examples/production.yaml: what a deployment's config starts from. It names every
// connector, takes each secret from the environment, and passes `townhall validate` with the
// values of .env.example, as the real CLI reads them.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { registry } from '../../connectors/index.js';
import { PRODUCTION_CONFIG, ROOT, exampleEnv, read } from '../support/deploy-compose.js';

const file = path.join(ROOT, PRODUCTION_CONFIG);

/** `townhall validate` on the file with exactly `env` (and PATH) for an environment. */
function validate(env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['bin/townhall.js', 'validate', file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the production example config', () => {
  it('passes townhall validate with the values of .env.example', () => {
    const { status, output } = validate(exampleEnv);
    expect(output).toContain('production.yaml: OK.');
    expect(status).toBe(0);
  });

  it('configures every connector, each secret from the environment', () => {
    const { config } = loadConfig(file, exampleEnv);
    expect(Object.keys(config.connectors).sort()).toEqual(registry.map((c) => c.id).sort());
    // No secret is written into the file itself.
    const literalSecrets = read(PRODUCTION_CONFIG)
      .split('\n')
      .filter((line) => /^\s*(\w*(secret|token|key|pass(word)?))\s*:/i.test(line))
      .filter((line) => !/:\s*\$\{[A-Z_]+\}\s*$/.test(line));
    expect(literalSecrets).toEqual([]);
  });

  it('waits days, not seconds', () => {
    const { config } = loadConfig(file, exampleEnv);
    const waits = Object.values(config.journeys).flatMap((journey) =>
      journey.steps.flatMap((step) => (step.type === 'wait' ? [step.ms] : [])),
    );
    expect(waits.length).toBeGreaterThan(0);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(24 * 3_600_000);
  });

  it('names each missing secret by its path and variable, and exits 1', () => {
    const { SLACK_SIGNING_SECRET: _slack, HUBSPOT_ACCESS_TOKEN: _hubspot, ...rest } = exampleEnv;
    const { status, output } = validate(rest);
    expect(status).toBe(1);
    expect(output).toContain(
      'connectors.slack.signingSecret: environment variable SLACK_SIGNING_SECRET is not set',
    );
    expect(output).toContain(
      'connectors.hubspot.accessToken: environment variable HUBSPOT_ACCESS_TOKEN is not set',
    );
  });
});
