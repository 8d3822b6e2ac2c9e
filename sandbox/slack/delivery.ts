import { signSlackRequest } from '../../connectors/slack/signature.js';

/** How Slack delivers to a request URL: signed afresh each time, retried on failure. */

export const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000] as const;
/** Slack retries a failed delivery three times, then gives up on it. */
const MAX_RETRIES = 3;

export type RetryReason = 'http_error' | 'http_timeout' | 'connection_failed';

export interface Attempt {
  retryNum: number;
  retryReason?: RetryReason;
  status?: number;
  failure?: RetryReason;
}

export interface Delivery {
  attempts: Attempt[];
  /** townhall's last answer, if it answered at all. */
  final?: { status: number; text: string };
  error?: string;
}

export interface DeliverySettings {
  signingSecret: string;
  /** Waits before retries 1, 2 and 3. */
  retryDelaysMs: readonly number[];
  /** A delivery not answered within this long failed with http_timeout (Slack: 3 s). */
  responseTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One signed POST, re-signed for each retry (Slack signs every delivery afresh). */
export async function deliver(
  settings: DeliverySettings,
  url: string,
  body: Buffer,
  contentType: string,
  retry: { from: number; reason: RetryReason; retries: boolean },
): Promise<Delivery> {
  const delays = settings.retryDelaysMs;
  const timeoutMs = settings.responseTimeoutMs;
  const delivery: Delivery = { attempts: [] };
  let reason = retry.reason;
  for (let retryNum = retry.from; ; retryNum++) {
    const attempt: Attempt = { retryNum, ...(retryNum > 0 ? { retryReason: reason } : {}) };
    delivery.attempts.push(attempt);
    const timestamp = String(Math.floor(Date.now() / 1000));
    let noRetry = false;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest(settings.signingSecret, timestamp, body),
          ...(retryNum > 0
            ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason }
            : {}),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      attempt.status = response.status;
      delivery.final = { status: response.status, text };
      delete delivery.error;
      if (response.ok) return delivery;
      reason = 'http_error';
      noRetry = response.headers.get('x-slack-no-retry') === '1';
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      reason = timedOut ? 'http_timeout' : 'connection_failed';
      attempt.failure = reason;
      delete delivery.final;
      delivery.error = `townhall did not answer: ${timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message}`;
    }
    if (!retry.retries || noRetry || retryNum >= MAX_RETRIES) return delivery;
    await sleep(delays[retryNum] ?? delays.at(-1) ?? 0);
  }
}
