import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, serializeError } from '../../runtime/logger.js';

describe('logging keeps personal data out', () => {
  it('drops the statement and parameters database errors carry, also on their causes', () => {
    const cause = Object.assign(new Error('insert failed'), {
      query: 'insert into received_events ...',
      params: ['{"member":{"email":"ada@example.com"}}'],
      where: 'JSON data, line 1: {"email":"ada@example.com"...',
    });
    const error = Object.assign(new Error('wrapped', { cause }), {
      detail: 'Key (email)=(ada@example.com) already exists.',
      code: '23505',
    });
    const lines: string[] = [];
    const logger = pino(
      { serializers: { err: serializeError } },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    logger.error({ err: error }, 'event not accepted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('ada@example.com');
    expect(lines[0]).toContain('"code":"23505"');
    expect(lines[0]).toContain('insert failed');
  });

  it("redacts the task token Temporal's worker logs with a failed activity", () => {
    const lines: string[] = [];
    const logger = createLogger(
      'test',
      [],
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    logger.warn(
      { taskToken: 'CiQwMWEy-secret-token', activityId: 'open-ticket' },
      'Activity failed',
    );
    expect(lines[0]).not.toContain('CiQwMWEy-secret-token');
    expect(lines[0]).toContain('"activityId":"open-ticket"');
  });
});
