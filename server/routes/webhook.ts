import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { InboundConnector } from '../../connectors/types.js';
import { MalformedPayloadError } from '../../connectors/types.js';
import { noteWebhookOutcome } from '../metrics.js';
import { Quarantined } from '../quarantine.js';

/** What the invoker of a command that was set aside is told. */
const quarantinedAnswer = (letter: Quarantined) =>
  `townhall could not act on this request and has set it aside for its operators (dead letter ${letter.deadLetterId}). Please ask in the channel, where people can help.`;

/** The normalized type of an event; a batch (several events in one delivery) has none. */
function eventType(event: unknown): string | undefined {
  const type = (event as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * One webhook endpoint: verify the signature over the raw bytes (401), parse (400), make the
 * event durable and start its workflow (503 when a dependency is down), then acknowledge. An
 * event the router quarantined (server/quarantine.ts) is acknowledged too, with its dead letter.
 */
export function webhookHandler<Config, E extends { eventId: string }>(
  connector: InboundConnector<Config, E>,
  config: Config,
  route: (event: E, respond?: (answer: string) => void) => Promise<unknown>,
  logger: Logger,
) {
  return async (req: Request, res: Response): Promise<void> => {
    const inbound = {
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      headers: req.headers,
      method: req.method,
      url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
    };
    if (!connector.verify(inbound, config)) {
      logger.warn({ connector: connector.name }, 'webhook rejected: bad or stale signature');
      res.status(401).json({ error: 'invalid or expired signature' });
      return;
    }

    let result;
    try {
      result = connector.parse(inbound, config);
    } catch (error) {
      if (!(error instanceof MalformedPayloadError)) throw error;
      res.status(400).json({ error: `malformed ${connector.name} payload: ${error.message}` });
      return;
    }

    if (result.kind === 'reply') {
      noteWebhookOutcome(res, 'ignored');
      res.status(200).json(result.body);
      return;
    }
    if (result.kind === 'ignored') {
      noteWebhookOutcome(res, 'ignored');
      res.status(200).json({ ok: true, ignored: result.reason });
      return;
    }
    try {
      let answer: string | undefined;
      const outcome = await route(result.event, (text) => (answer = text));
      if (outcome instanceof Quarantined) {
        noteWebhookOutcome(res, 'quarantined');
        // Received, as far as the sender is concerned: it stops retrying. A command's invoker
        // is told in the platform's own form (its answer is what the platform shows them).
        res
          .status(200)
          .json(
            result.answer
              ? result.answer(quarantinedAnswer(outcome))
              : { ok: true, outcome: outcome.outcome, deadLetterId: outcome.deadLetterId },
          );
        return;
      }
      noteWebhookOutcome(
        res,
        outcome === 'duplicate' ? 'duplicate' : 'accepted',
        eventType(result.event),
      );
      const body = answer !== undefined && result.answer ? result.answer(answer) : result.reply;
      res.status(200).json(body ?? { ok: true, outcome });
    } catch (error) {
      logger.error(
        { err: error, eventId: result.event.eventId },
        'event not accepted: a dependency is down',
      );
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: 'temporarily unable to accept the event; retry later' });
    }
  };
}
