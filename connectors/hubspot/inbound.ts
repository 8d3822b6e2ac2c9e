import { z } from 'zod';
import type { BusinessEvent } from '../business-events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import type { HubSpotConfig } from './config.js';
import { verifyHubSpotV3 } from './signature.js';
import { epochMs, header } from '../inbound-parsing.js';

/**
 * One HubSpot webhook request carries a batch of up to 100 events. It is handled as one
 * delivery: every event in it is recorded (each once, by its own event id) before the request
 * is acknowledged, so a redelivered batch resolves to duplicates.
 */
export interface HubSpotDelivery {
  /** For logs: the first event's id and how many others came with it. */
  eventId: string;
  events: BusinessEvent[];
}

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/** The fields of a webhook event townhall reads (Webhooks API: event payloads). */
const webhookEvent = z.looseObject({
  eventId: id,
  subscriptionId: id.optional(),
  portalId: id,
  appId: id.optional(),
  occurredAt: epochMs.positive(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().int().optional(),
  objectId: id,
  propertyName: z.string().min(1).optional(),
  changeSource: z.string().optional(),
  /** contact.merge: the contact given priority, the ones merged into it, and the result. */
  primaryObjectId: id.optional(),
  mergedObjectIds: z.array(id).optional(),
  newObjectId: id.optional(),
});
const webhookBatch = z.array(webhookEvent).min(1);
type WebhookEvent = z.output<typeof webhookEvent>;

function parseBatch(raw: Buffer): WebhookEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new MalformedPayloadError('body is not JSON');
  }
  const result = webhookBatch.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new MalformedPayloadError(issues);
}

/**
 * A contact.merge: the contact that remains is `newObjectId` (HubSpot may make a new one), else
 * the primary; every other id named (the merged ones, and the primary when a new one replaced
 * it) no longer exists on its own.
 */
function merged(event: WebhookEvent): { contactId: string; mergedContactIds: string[] } {
  const contactId = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
  const ids = [...(event.mergedObjectIds ?? []), event.primaryObjectId, event.objectId];
  const mergedContactIds = [
    ...new Set(ids.filter((i): i is string => i !== undefined && i !== contactId)),
  ];
  if (!event.mergedObjectIds?.length || mergedContactIds.length === 0)
    throw new MalformedPayloadError('contact.merge without mergedObjectIds');
  return { contactId, mergedContactIds };
}

/** contact.* subscriptions townhall acts on; everything else (deals, restores ...) is skipped. */
function toBusinessEvent(event: WebhookEvent): BusinessEvent | undefined {
  const base = {
    eventId: `hubspot:${event.portalId}:${event.eventId}`,
    system: 'hubspot' as const,
    occurredAt: new Date(event.occurredAt).toISOString(),
    contactId: event.objectId,
  };
  switch (event.subscriptionType) {
    case 'contact.creation':
      // Property names only, never values: values are personal data, read through the API.
      return { ...base, type: 'contact.changed', properties: [] };
    case 'contact.propertyChange':
      if (!event.propertyName)
        throw new MalformedPayloadError('contact.propertyChange without propertyName');
      return { ...base, type: 'contact.changed', properties: [event.propertyName] };
    case 'contact.deletion':
      return { ...base, type: 'contact.deleted' };
    case 'contact.privacyDeletion':
      return { ...base, type: 'contact.erasure_requested' };
    case 'contact.merge':
      return { ...base, type: 'contact.merged', ...merged(event) };
    default:
      return undefined;
  }
}

/**
 * HubSpot webhooks, signed with v3: HMAC-SHA256 with the app's client secret over method + URI
 * + body + timestamp. The URI is the one HubSpot called: `webhookUrl` from the config when set
 * (needed behind a proxy that changes scheme, host or path), else the URL this server received.
 */
export const hubspotInbound: InboundConnector<HubSpotConfig, HubSpotDelivery> = {
  name: 'hubspot',

  verify(request, config, now) {
    const uri = config.webhookUrl ?? request.url;
    if (!config.clientSecret || !uri) return false;
    return verifyHubSpotV3(
      config.clientSecret,
      {
        method: request.method ?? 'POST',
        uri,
        rawBody: request.rawBody,
        timestamp: header(request, 'x-hubspot-request-timestamp'),
        signature: header(request, 'x-hubspot-signature-v3'),
      },
      now,
    );
  },

  parse(request): InboundResult<HubSpotDelivery> {
    const batch = parseBatch(request.rawBody);
    const events = batch.map(toBusinessEvent).filter((e): e is BusinessEvent => e !== undefined);
    if (events.length === 0)
      return {
        kind: 'ignored',
        reason: `no contact events (${[...new Set(batch.map((e) => e.subscriptionType))].join(', ')})`,
      };
    const more = events.length > 1 ? `+${events.length - 1}` : '';
    return { kind: 'event', event: { eventId: `${events[0]!.eventId}${more}`, events } };
  },
};
