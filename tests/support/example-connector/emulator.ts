import express from 'express';
import type { Emulator, EmulatorDefinition } from '../../../sandbox/emulator.js';
import type { ExampleConfig } from './config.js';
import { signExample } from './signature.js';

export interface ExampleEmulator extends Emulator {
  /** Direct messages townhall sent, oldest first. */
  messages: { to: string; text: string }[];
}

/** The example vendor's API (one DM endpoint) and an emitter of its signed webhooks. */
export const exampleEmulator: EmulatorDefinition<
  ExampleConfig,
  { secret: string },
  ExampleEmulator
> = {
  create(options, context) {
    const secret = options.secret ?? 'example-sandbox-secret';
    const messages: { to: string; text: string }[] = [];
    const router = express.Router();
    router.post('/example/api/dm', express.json(), (req, res) => {
      messages.push(req.body as { to: string; text: string });
      res.status(201).json({ id: String(messages.length) });
    });
    router.get('/_sandbox/example/messages', (_req, res) => {
      res.json(messages);
    });
    router.post('/_sandbox/example/emit', express.json(), async (req, res) => {
      const body = Buffer.from(JSON.stringify(req.body));
      const delivered = await fetch(`${context.townhallUrl()}/webhooks/example`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-example-signature': signExample(secret, body),
        },
        body,
      });
      res.status(delivered.status).json(await delivered.json());
    });
    return { router, messages, reset: () => void messages.splice(0) };
  },
  fromConfig: (config) => ({ secret: config.secret }),
};
