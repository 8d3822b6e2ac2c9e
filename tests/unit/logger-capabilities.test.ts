import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/logger.js';

/** A logger like the hub's (every connector's headers redacted), writing into `lines`. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    'test',
    undefined,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return { logger, text: () => lines.join('') };
}

describe('logs never carry capabilities', () => {
  it('redacts credentials and signatures in headers, also inside a request object', () => {
    const { logger, text } = capture();
    logger.info({ headers: { authorization: 'Bearer admin-7f3a', 'x-slack-signature': 'v0=s1' } });
    logger.info({
      req: {
        headers: {
          authorization: 'Bearer admin-8b2c',
          cookie: 'townhall_codec=cookie-9d1e',
          'x-hub-signature': 'sha1=s2',
          'x-signature-ed25519': 'ed-s3',
          'x-townhall-secret': 'shared-s4',
          'content-type': 'application/json',
        },
      },
    });
    for (const secret of [
      'admin-7f3a',
      'v0=s1',
      'admin-8b2c',
      'cookie-9d1e',
      'sha1=s2',
      'ed-s3',
      'shared-s4',
    ])
      expect(text()).not.toContain(secret);
    // What is not a secret stays readable.
    expect(text()).toContain('application/json');
  });

  it("redacts Temporal task tokens in the worker's activity log attributes and info objects", () => {
    const { logger, text } = capture();
    logger.warn({ taskToken: 'CiQtask-1', activityId: 'send-email' }, 'Activity failed');
    logger.warn(
      { info: { base64TaskToken: 'CiQtask-2', taskToken: 'CiQtask-3' } },
      'Activity failed',
    );
    for (const token of ['CiQtask-1', 'CiQtask-2', 'CiQtask-3'])
      expect(text()).not.toContain(token);
    expect(text()).toContain('send-email');
  });

  it('redacts response URLs, interaction tokens and unsubscribe links', () => {
    const { logger, text } = capture();
    logger.info({
      response_url: 'https://hooks.slack.com/commands/T1/r-5e6f',
      token: 'interaction-token-4a4a',
      event: { unsubscribeUrl: 'https://hub/unsubscribe/u-1b2b' },
    });
    for (const secret of ['r-5e6f', 'interaction-token-4a4a', 'u-1b2b'])
      expect(text()).not.toContain(secret);
  });

  it('drops the request an HTTP client attaches to its errors (with its Authorization header)', () => {
    const { logger, text } = capture();
    const error = Object.assign(new Error('Request failed with status code 500'), {
      config: { url: 'https://api.example.com', headers: { Authorization: 'Bearer vendor-3c3c' } },
      request: { _header: 'POST / HTTP/1.1\r\nAuthorization: Bearer vendor-3c3c\r\n' },
      status: 500,
    });
    logger.error({ err: error }, 'call failed');
    expect(text()).not.toContain('vendor-3c3c');
    expect(text()).toContain('Request failed with status code 500');
  });
});
