// Connector health as the console's ops view reads it: every call through a capability port is
// counted per connector, its last success and last error (by ConnectorError code) kept, and a
// 429's advertised wait shown as "rate limited until". Two workers add to the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { healthRecorder, observePort } from '../../runtime/connector-health.js';
import { createLogger } from '../../runtime/logger.js';
import { connectorHealth } from '../../store/connector-health.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

const logger = createLogger('test');
logger.level = 'silent';
let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t?.close());

/** A port as a connector makes one: promise-returning calls, and a plain property. */
function port(failWith?: Error) {
  return {
    label: 'crm port',
    upsert(name: string): Promise<string> {
      return failWith ? Promise.reject(failWith) : Promise.resolve(`person:${name}`);
    },
    describe: () => 'sync answer',
  };
}

describe('connector health', () => {
  it('counts calls and errors per connector, keeps the error code and the rate-limit wait', async () => {
    const worker = healthRecorder(t.db, logger, 60_000);
    const healthy = observePort(port(), 'crm-a', worker);
    const limited = new ConnectorError('rate_limited', 'slow down', {
      vendor: 'crm-b',
      status: 429,
      retryAfterMs: 120_000,
    });
    const throttled = observePort(port(limited), 'crm-b', worker);
    const broken = observePort(port(new TypeError('socket hang up')), 'crm-c', worker);

    expect(await healthy.upsert('ada')).toBe('person:ada');
    expect(await healthy.upsert('grace')).toBe('person:grace');
    // What a port answers and throws passes through untouched.
    expect(healthy.describe()).toBe('sync answer');
    expect(healthy.label).toBe('crm port');
    await expect(throttled.upsert('ada')).rejects.toBe(limited);
    await expect(broken.upsert('ada')).rejects.toThrow('socket hang up');
    const before = Date.now();
    await worker.flush();

    const health = Object.fromEntries((await connectorHealth(t.db)).map((h) => [h.connector, h]));
    expect(health['crm-a']).toMatchObject({ calls: 2, errors: 0, lastErrorAt: null });
    expect(Date.parse(health['crm-a']!.lastSuccessAt!)).toBeGreaterThan(before - 5_000);
    expect(health['crm-b']).toMatchObject({ calls: 1, errors: 1, lastErrorCode: 'rate_limited' });
    expect(Date.parse(health['crm-b']!.rateLimitedUntil!)).toBeGreaterThan(before + 100_000);
    expect(health['crm-c']).toMatchObject({ errors: 1, lastErrorCode: 'unexpected' });
    expect(health['crm-c']!.rateLimitedUntil).toBeNull();

    // A second worker's calls add to the same rows; a later success follows the error.
    const other = healthRecorder(t.db, logger, 60_000);
    await observePort(port(), 'crm-b', other).upsert('lin');
    await other.flush();
    const [b] = (await connectorHealth(t.db)).filter((h) => h.connector === 'crm-b');
    expect(b).toMatchObject({ calls: 2, errors: 1, lastErrorCode: 'rate_limited' });
    expect(Date.parse(b!.lastSuccessAt!)).toBeGreaterThan(Date.parse(b!.lastErrorAt!));
  });
});
