// The sandbox's standing faults (`rate`): a share of a vendor's requests fail, each its own draw,
// until reset; queued faults (`count`) still come first.
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createFaults, faultSchema } from '../../sandbox/faults.js';

/** A vendor route behind the faults middleware, answered in-process (no socket). */
async function statusesOf(faults: ReturnType<typeof createFaults>, requests: number) {
  const app = express();
  app.use(faults.middleware('crm', (status) => ({ status })));
  app.get('/thing', (_req, res) => res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const statuses: number[] = [];
    for (let i = 0; i < requests; i++)
      statuses.push((await fetch(`http://127.0.0.1:${port}/thing`)).status);
    return statuses;
  } finally {
    server.close();
  }
}

/** Draws that repeat `values` in order. */
const draws = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('standing faults (rate)', () => {
  it('fails the requests whose draw is under the rate, with a status drawn from the list', async () => {
    // Request draw, then (when it fails) the status draw: 0.05 fails → 0.0 picks 429;
    // 0.5 passes; 0.09 fails → 0.99 picks 503; 0.1 passes (not under the rate).
    const faults = createFaults(draws([0.05, 0.0, 0.5, 0.09, 0.99, 0.1]));
    faults.add(faultSchema.parse({ vendor: 'crm', rate: 0.1, statuses: [429, 500, 503] }));
    expect(await statusesOf(faults, 4)).toEqual([429, 200, 503, 200]);
    // Still there: a standing fault is not used up.
    expect(faults.list()).toHaveLength(1);
    faults.reset();
    expect(await statusesOf(faults, 2)).toEqual([200, 200]);
  });

  it('fails about the share asked for with real randomness', async () => {
    const faults = createFaults();
    faults.add(faultSchema.parse({ vendor: 'crm', rate: 0.3, status: 500 }));
    const statuses = await statusesOf(faults, 300);
    const failed = statuses.filter((status) => status === 500).length;
    expect(statuses.filter((status) => status !== 500 && status !== 200)).toEqual([]);
    // 300 draws at 0.3: mean 90, standard deviation about 8; 50–130 is five deviations each way.
    expect(failed).toBeGreaterThan(50);
    expect(failed).toBeLessThan(130);
  });

  it('lets queued faults go first', async () => {
    const faults = createFaults(() => 0.99);
    faults.add(faultSchema.parse({ vendor: 'crm', rate: 0.5, status: 500 }));
    faults.add(faultSchema.parse({ vendor: 'crm', status: 429, count: 2 }));
    expect(await statusesOf(faults, 3)).toEqual([429, 429, 200]);
  });

  it('refuses a rate outside (0, 1] and an empty status list', () => {
    expect(faultSchema.safeParse({ vendor: 'crm', rate: 0 }).success).toBe(false);
    expect(faultSchema.safeParse({ vendor: 'crm', rate: 1.5 }).success).toBe(false);
    expect(faultSchema.safeParse({ vendor: 'crm', rate: 0.1, statuses: [] }).success).toBe(false);
  });
});
