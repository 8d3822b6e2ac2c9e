import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { registry } from '../../connectors/index.js';
import { routingFor, vendorQueues } from '../../runtime/routing.js';

const email =
  'email: { from: a@b.co, smtp: { host: localhost, port: 25 }, unsubscribeSecret: sixteen-characters }';
const zendesk =
  'zendesk: { subdomain: acme, email: agent@acme.com, apiToken: t, webhookSecret: s }';
const intercom = 'intercom: { accessToken: t, clientSecret: s, adminId: 1, ticketTypeId: 2 }';
const hubspot = 'hubspot: { accessToken: t }';

const file = (connectors: string[], steps: string, extra = '') => `
${extra}
connectors:
${connectors.map((c) => `  ${c}`).join('\n')}
workflows:
  onboarding:
    steps:
${steps}
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
}

describe('capabilities in the config', () => {
  it('names a step whose capability no configured connector provides, and the fix', () => {
    expect(problems(file([email], '      - wait: 1h\n      - crm.upsert_contact:'))).toEqual([
      'workflows.onboarding.steps[1].crm.upsert_contact: needs a CRM (capability crm): one of connectors.hubspot, connectors.salesforce',
    ]);
    expect(problems(file([hubspot], '      - email.send: { template: w, subject: s }'))).toEqual([
      'workflows.onboarding.steps[0].email.send: needs email (capability mailer): connectors.email, which is not configured (add it under connectors:)',
    ]);
  });

  it('says what a configured connector lacks to provide it', () => {
    expect(
      problems(file(['slack: { signingSecret: s }'], "      - dm.send: { text: 'Hello there' }")),
    ).toEqual([
      'workflows.onboarding.steps[0].dm.send: needs direct messages (capability messenger): connectors.slack needs a botToken (or configure one of connectors.discord, connectors.discourse, connectors.reddit)',
    ]);
  });

  it('takes the one configured provider, and asks to choose among several only when used', () => {
    const both = [hubspot, zendesk, intercom, email];
    expect(problems(file(both, '      - crm.upsert_contact:'))).toEqual([]);
    const config = parseConfig(file(both, '      - wait: 1h'), 'test.yaml', {});
    expect(routingFor(config, registry).providers).toEqual({ crm: 'hubspot', mailer: 'email' });
    const chosen = parseConfig(
      file(both, '      - wait: 1h', 'providers: { helpdesk: intercom }'),
      'test.yaml',
      {},
    );
    expect(routingFor(chosen, registry).providers).toMatchObject({ helpdesk: 'intercom' });
  });

  it('checks that providers: names a connector that is configured and provides it', () => {
    expect(
      problems(file([hubspot, zendesk], '      - wait: 1h', 'providers: { crm: zendesk }')),
    ).toEqual([
      'providers.crm: zendesk does not provide a CRM (choose one of hubspot, salesforce)',
    ]);
    expect(
      problems(file([zendesk], '      - wait: 1h', 'providers: { helpdesk: intercom }')),
    ).toEqual([
      'providers.helpdesk: connectors.intercom is not configured (add it under connectors:, or choose one of zendesk)',
    ]);
  });

  it('gives each rate-limited vendor its own queue, with the rate from the config', () => {
    const config = parseConfig(
      file(
        [hubspot, email],
        '      - wait: 1h',
        'temporal: { activitiesPerSecond: { hubspot: 4 }, bulkShare: 0.5 }',
      ),
      'test.yaml',
      {},
    );
    // Email declares no rate limit: its calls stay on the main queue.
    // Each with a second queue for bulk work, at temporal.bulkShare (here 0.5) of the rate.
    expect(vendorQueues(config, registry)).toEqual([
      { connector: 'hubspot', taskQueue: 'townhall@hubspot', activitiesPerSecond: 4 },
      {
        connector: 'hubspot',
        taskQueue: 'townhall@hubspot/bulk',
        activitiesPerSecond: 2,
        bulk: true,
      },
    ]);
    // Workers poll every rate-limited connector's queue, so a run routed to one that has since
    // left the config fails as not configured instead of waiting on a queue nobody polls.
    const polled = vendorQueues(config, registry, 'townhall', 'all');
    expect(polled.map((queue) => queue.connector)).toEqual(
      expect.arrayContaining(['hubspot', 'slack', 'zendesk']),
    );
    expect(polled.find((queue) => queue.connector === 'hubspot')?.activitiesPerSecond).toBe(4);
    expect(
      problems(
        file([email], '      - wait: 1h', 'temporal: { activitiesPerSecond: { hubspto: 4 } }'),
      ),
    ).toEqual([
      expect.stringMatching(
        /^temporal\.activitiesPerSecond\.hubspto: no connector is called hubspto/,
      ),
    ]);
  });

  it('`townhall validate` exits 1 naming the step path and the missing capability', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-capability-'));
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, file([email], '      - crm.upsert_contact: {}'));
    const result = spawnSync(
      process.execPath,
      [path.resolve('bin/townhall.js'), 'validate', broken],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'workflows.onboarding.steps[0].crm.upsert_contact: needs a CRM (capability crm)',
    );
  });
});
