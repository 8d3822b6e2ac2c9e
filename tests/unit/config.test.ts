import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { loadConfig, parseConfig, SANDBOX_CONFIG_FILE } from '../../config/load.js';

const minimal = (
  steps: string,
  connectors = 'email: { from: a@b.co, smtp: { host: localhost, port: 25 }, unsubscribeSecret: sixteen-characters }',
) => `
connectors:
  ${connectors}
workflows:
  onboarding:
    steps:
${steps}
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('loads the sandbox example with its defaults and turns durations into milliseconds', () => {
    const { config } = loadConfig(SANDBOX_CONFIG_FILE, {});
    expect(config.server.port).toBe(3000);
    expect(config.sandbox).toEqual({ port: 4010, smtpPort: 2525 });
    expect(config.workflows.onboarding?.steps.map((s) => s.type)).toEqual([
      'crm.upsert_contact',
      'email.send',
      'dm.send',
      'wait',
      'email.send',
    ]);
    expect(config.workflows.onboarding?.steps[3]).toEqual({ type: 'wait', ms: 10_000 });
  });

  it('interpolates ${VAR} and ${VAR:-default} in values', () => {
    const { config } = loadConfig(SANDBOX_CONFIG_FILE, {
      SANDBOX_PORT: '4999',
      ONBOARDING_WAIT: '2d',
    });
    expect(config.connectors.hubspot?.baseUrl).toBe('http://127.0.0.1:4999');
    expect(config.workflows.onboarding?.steps[3]).toEqual({ type: 'wait', ms: 172_800_000 });
  });

  it('names the path of a bad duration and says how to write one', () => {
    const text = minimal(
      "      - wait: 1h\n      - email.send: { template: w, subject: s }\n      - wait: '2 dayz'",
    );
    expect(problems(text)).toEqual([
      'workflows.onboarding.steps[2].wait: "2 dayz" is not a duration (use 30s, 4h, 2d)',
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    const text = `
server: { port: 'eighty' }
connectors:
  hubspot:
    accessToken: \${HUBSPOT_TOKEN}
workflows:
  onboarding:
    steps:
      - emial.send: { template: w, subject: s }
      - crm.upsert_contact:
        wait: 1h
`;
    expect(problems(text)).toEqual([
      'connectors.hubspot.accessToken: environment variable HUBSPOT_TOKEN is not set (export it, or write ${HUBSPOT_TOKEN:-default})',
      'server.port: expected number, got string "eighty"',
      'workflows.onboarding.steps[0].emial.send: unknown field "emial.send" (check the spelling; `townhall config schema` lists every field)',
      'workflows.onboarding.steps[0]: a step needs exactly one of crm.upsert_contact, email.send, dm.send, wait, wait_until, if, notify, crm.set_properties, thread.reply',
      'workflows.onboarding.steps[1]: a step has one type, this one has crm.upsert_contact and wait (split it into 2 steps)',
    ]);
  });

  it('requires the connector a step uses', () => {
    const text = minimal('      - crm.upsert_contact: {}');
    expect(problems(text)).toEqual([
      'workflows.onboarding.steps[0].crm.upsert_contact: needs a CRM (capability crm): one of connectors.hubspot, connectors.salesforce',
    ]);
  });

  it('needs a platform that can send DMs for dm.send, and fills in its subject', () => {
    expect(problems(minimal("      - dm.send: { text: 'Welcome, {{ member.name }}!' }"))).toEqual([
      'workflows.onboarding.steps[0].dm.send: needs direct messages (capability messenger): one of connectors.slack, connectors.discord, connectors.discourse, connectors.reddit (Slack with a botToken)',
    ]);
    const withForum = minimal(
      "      - dm.send: { text: 'Welcome, {{ member.name }}!' }",
      'discourse: { baseUrl: https://forum.example.com, apiKey: k, webhookSecret: s }',
    );
    expect(parseConfig(withForum, 'test.yaml', {}).workflows.onboarding?.steps).toEqual([
      { type: 'dm.send', text: 'Welcome, {{ member.name }}!', subject: 'Welcome to the community' },
    ]);
  });

  it('names the type, never the value, of a mistyped secret', () => {
    const text = minimal(
      '      - wait: 1h',
      'email: { from: a@b.co, smtp: { host: localhost, port: 25, pass: 12345678 }, unsubscribeSecret: sixteen-characters }',
    );
    expect(problems(text)).toEqual(['connectors.email.smtp.pass: expected string, got number']);
  });

  it('reports YAML syntax errors with the line', () => {
    const [problem] = problems('workflows:\n  onboarding: [\n');
    expect(problem).toMatch(/YAML syntax: .*line 3/s);
  });

  it('exports a JSON Schema that describes the file', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['server', 'temporal', 'sandbox', 'connectors', 'workflows']),
    );
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('townhall validate', () => {
  const townhall = path.resolve('bin/townhall.js');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [townhall, 'validate', ...args], {
      encoding: 'utf8',
      env: { ...process.env },
    });

  it('exits 0 with a summary for the sandbox example', () => {
    const result = run('config/examples/sandbox.yaml');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('OK. 1 workflow(s) enabled: onboarding (5 steps)');
  });

  it('exits 1 and names the bad path for a broken copy', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-config-'));
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(SANDBOX_CONFIG_FILE, 'utf8').replace('${ONBOARDING_WAIT:-10s}', '2 dayz'),
    );
    const result = run(broken);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'workflows.onboarding.steps[3].wait: "2 dayz" is not a duration (use 30s, 4h, 2d)',
    );
  });

  it('exits 1 for a missing file', () => {
    const result = run('does-not-exist.yaml');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot read the config file: no such file');
  });
});
