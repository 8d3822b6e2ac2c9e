import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import { freePort } from '../support/ports.js';
import {
  configFor,
  fault,
  sandbox,
  ticketInput,
  tickets,
  useZendeskSandbox,
  zendesk,
} from '../support/zendesk-client.js';

/** Validation errors, unknown tickets, bad credentials, 429s and outages as ConnectorErrors. */

useZendeskSandbox();

describe('Zendesk connector (node-zendesk) against the emulator', () => {
  it('reports Zendesk’s validation errors (422) and unknown tickets (404), not retryable', async () => {
    const invalid = await zendesk
      .createTicket({ ...ticketInput('handoff:x'), subject: ' ' })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect((invalid as Error).message).toBe(
      'Zendesk ticket creation failed: HTTP 422 RecordInvalid (Record validation errors): base BlankValue "Subject: cannot be blank"',
    );
    const missing = await zendesk
      .updateStatus({ ticketId: 424242, status: 'open' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'not_found', status: 404, retryable: false });
    expect((missing as Error).message).toContain('RecordNotFound');
    expect(await tickets()).toEqual([]);
  });

  it('turns a 401 into a non-retryable auth error that names the credentials, not the secret', async () => {
    const wrong = createZendeskConnector(configFor(sandbox, { apiToken: 'not-the-token-42' }));
    const error = await wrong.findTicketByExternalId('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'auth', status: 401, retryable: false, vendor: 'zendesk' });
    expect((error as Error).message).toContain('connectors.zendesk.email');
    expect((error as Error).message).toContain('connectors.zendesk.apiToken');
    expect((error as Error).message).not.toContain('not-the-token-42');
  });

  it('turns 429s into rate_limited with the advertised wait, 5xx and no answer into unavailable', async () => {
    await fault({ status: 429, count: 2, retryAfterSeconds: 3 });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
        code: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: 3_000,
      });
    }
    expect(await zendesk.findTicketByExternalId('x')).toBeUndefined();

    await fault({ status: 503, retryAfterSeconds: 10 });
    expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryable: true,
      retryAfterMs: 10_000,
    });
    await fault({ status: 502 });
    expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      status: 502,
    });
    const down = createZendeskConnector({
      ...configFor(sandbox),
      baseUrl: `http://127.0.0.1:${await freePort()}`,
    });
    expect(await down.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});
