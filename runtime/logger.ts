import pino from 'pino';

/** Paths that may carry secrets or PII; pino replaces them before anything is written. */
const REDACT = [
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'signingSecret',
  '*.signingSecret',
  'pass',
  '*.pass',
  'email',
  '*.email',
  'headers.authorization',
  'headers["x-slack-signature"]',
];

export function createLogger(name = 'townhall') {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  });
}

export type { Logger } from 'pino';
