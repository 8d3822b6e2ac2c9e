import { z } from 'zod';
import { header, parseJson, parseWith } from '../../../connectors/inbound-parsing.js';
import type { InboundConnector } from '../../../connectors/types.js';
import type { ExampleConfig } from './config.js';
import { verifyExample } from './signature.js';

const joined = z.strictObject({ id: z.string().min(1), user: z.string().min(1) });

/** A member joined the example community. */
export const exampleInbound: InboundConnector<ExampleConfig> = {
  name: 'example',
  verify: (request, config) =>
    verifyExample(config.secret, request.rawBody, header(request, 'x-example-signature')),
  parse(request) {
    const body = parseWith(joined, parseJson(request.rawBody));
    return {
      kind: 'event',
      event: {
        eventId: `example:${body.id}`,
        platform: 'example',
        occurredAt: new Date().toISOString(),
        type: 'member.joined',
        member: { userId: body.user, communityId: 'example', handle: body.user },
      },
    };
  },
};
