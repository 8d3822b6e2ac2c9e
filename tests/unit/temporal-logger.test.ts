import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/logger.js';
import { temporalLogger } from '../../runtime/temporal-logger.js';

function capture() {
  const lines: { level: number; msg: string; state?: string }[] = [];
  const logger = createLogger(
    'townhall',
    undefined,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    }),
  );
  logger.level = 'info';
  return { lines, sdk: temporalLogger(logger) };
}

describe("the Temporal SDK's log lines", () => {
  it('keep per-queue start and stop chatter at debug, and a failed worker or a warning at their level', () => {
    const { lines, sdk } = capture();
    for (const queue of ['townhall', 'townhall@slack', 'townhall@slack/bulk']) {
      sdk.info('Worker state changed', { taskQueue: queue, state: 'RUNNING' });
      sdk.info('No Nexus services registered, not polling for Nexus tasks', { taskQueue: queue });
      sdk.warn('No workflows registered, not polling for workflow tasks', { taskQueue: queue });
    }
    sdk.info('Worker state changed', { taskQueue: 'townhall', state: 'STOPPED' });
    sdk.info('Worker state changed', { taskQueue: 'townhall', state: 'FAILED' });
    sdk.warn('Activity failed', { activityType: 'sendEmail' });
    expect(lines.map((line) => [line.level, line.msg, line.state])).toEqual([
      [30, 'Worker state changed', 'FAILED'],
      [40, 'Activity failed', undefined],
    ]);
  });
});
