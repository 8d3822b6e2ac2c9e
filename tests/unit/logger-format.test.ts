import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat } from '../../runtime/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log lines for people and for machines', () => {
  it('are pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'PRETTY' }, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'xml' }, false)).toThrow(
      'LOG_FORMAT=xml should be pretty or json',
    );
  });

  it('print one short line with the time, level, message and ids, secrets still redacted', () => {
    const { lines, stream } = capture();
    const logger = createLogger('townhall', undefined, stream, 'pretty');
    logger.info(
      {
        workflowId: 'journey:first-post:m-1',
        eventId: 'Ev123',
        member: { email: 'ada@example.com' },
        token: 'xoxb-secret',
      },
      'journey started',
    );
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: journey started /);
    expect(line).toContain('"workflowId":"journey:first-post:m-1","eventId":"Ev123"');
    expect(line).not.toContain('ada@example.com');
    expect(line).not.toContain('xoxb-secret');
    expect(line).not.toContain('"level"');
  });

  it('stay JSON for a destination of the caller’s own', () => {
    const { lines, stream } = capture();
    createLogger('townhall', undefined, stream).warn({ eventId: 'Ev9' }, 'set aside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, eventId: 'Ev9', msg: 'set aside' });
  });
});

describe('log lines written inside an activity', () => {
  it('name the workflow and the activity, whichever logger the code was handed', async () => {
    const { lines, stream } = capture();
    const logger = createLogger('townhall', undefined, stream);
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'onboarding:m-42', runId: 'run-1' },
      activityId: 'steps[1]#1',
    });
    await env.run(async () => {
      await Promise.resolve();
      logger.warn({ code: 'rate_limited' }, 'vendor asked us to wait');
    });
    logger.info('outside any activity');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      workflowId: 'onboarding:m-42',
      activityId: 'steps[1]#1',
      code: 'rate_limited',
    });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('workflowId');
  });
});
