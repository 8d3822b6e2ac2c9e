import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/metrics.js';

const quiet = pino({ level: 'silent' });

describe('the hub metrics', () => {
  it('reads the scraped sources at scrape time, each series labelled', async () => {
    let running = 2;
    const metrics = createMetrics(
      {
        journeys: () =>
          Promise.resolve([
            { journey: 'first-post', status: 'Running', count: running },
            { journey: 'first-post', status: 'Completed', count: 5 },
          ]),
        openHandoffs: () => Promise.resolve(3),
        syncLag: () => Promise.resolve([{ crm: 'a-crm', lagMs: 1_500 }]),
      },
      quiet,
    );
    metrics.webhook('a-vendor', 'accepted', 0.02);
    metrics.webhook('a-vendor', '401', 0.001);
    metrics.event('member.joined');
    let text = await metrics.registry.metrics();
    expect(text).toContain('townhall_journeys{journey="first-post",status="Running"} 2');
    expect(text).toContain('townhall_handoffs_open 3');
    expect(text).toContain('townhall_crm_sync_lag_seconds{crm="a-crm"} 1.5');
    expect(text).toContain('townhall_webhooks_total{vendor="a-vendor",outcome="401"} 1');
    expect(text).toContain('townhall_webhook_ack_seconds_bucket{le="0.025",vendor="a-vendor"} 2');
    expect(text).toContain('townhall_events_total{type="member.joined"} 1');

    running = 0;
    text = await metrics.registry.metrics();
    expect(text).toContain('townhall_journeys{journey="first-post",status="Running"} 0');
  });

  it('still answers a scrape when a source cannot, leaving its series out', async () => {
    const metrics = createMetrics(
      { journeys: () => Promise.reject(new Error('Temporal is down')) },
      quiet,
    );
    metrics.webhook('a-vendor', '503', 0.5);
    const text = await metrics.registry.metrics();
    expect(text).toContain('townhall_webhooks_total{vendor="a-vendor",outcome="503"} 1');
    expect(text).not.toMatch(/^townhall_journeys\{/m);
  });

  it('keeps each hub’s registry its own', async () => {
    const one = createMetrics({}, quiet);
    const two = createMetrics({}, quiet);
    one.event('message.posted');
    expect(await two.registry.metrics()).not.toContain(
      'townhall_events_total{type="message.posted"}',
    );
  });
});
