import type { CallObserver } from './connector-health.js';
import { observePort } from './connector-health.js';
import type { CapabilityDeps } from '../activities/index.js';
import type { ProviderConfig } from '../config/capabilities.js';
import { providersOf, resolveProvider } from '../config/capabilities.js';
import type { AnyConnector, ConnectorContext } from '../connectors/descriptor.js';
import type { Capabilities, CapabilityName } from '../connectors/ports.js';

/**
 * The capabilities the configured connectors provide, for the activities: each connector's
 * client made once, the per-platform ones (DMs, thread replies) for every platform that can, the
 * shared ones (CRM, help desk, mailer) from the connector the config chooses.
 */
export function buildCapabilities(
  config: ProviderConfig,
  registry: readonly AnyConnector[],
  context: ConnectorContext,
  /** Told how each vendor call ended (the console's connector health); absent, nobody is. */
  observer?: CallObserver,
): CapabilityDeps {
  const clients = new Map<string, unknown>();
  const connector = (id: string) => registry.find((candidate) => candidate.id === id)!;
  function port<K extends CapabilityName>(id: string, capability: K): Capabilities[K] {
    const descriptor = connector(id);
    const section = config.connectors[id];
    if (!clients.has(id)) clients.set(id, descriptor.connect?.(section, context));
    const created = descriptor.capabilities![capability]!.create(clients.get(id), section);
    return observer ? (observePort(created as object, id, observer) as Capabilities[K]) : created;
  }
  const perPlatform = <
    K extends
      | 'messenger'
      | 'threadPoster'
      | 'channelPoster'
      | 'threadReader'
      | 'reactor'
      | 'crm'
      | 'helpdesk',
  >(
    capability: K,
  ) =>
    Object.fromEntries(
      providersOf(config, registry, capability).map((id) => [id, port(id, capability)]),
    );
  const shared = <K extends 'crm' | 'helpdesk' | 'mailer'>(capability: K) => {
    const resolution = resolveProvider(config, registry, capability);
    return 'id' in resolution ? port(resolution.id, capability) : undefined;
  };
  return {
    messengers: perPlatform('messenger'),
    threadPosters: perPlatform('threadPoster'),
    channelPosters: perPlatform('channelPoster'),
    crm: shared('crm'),
    crms: perPlatform('crm'),
    helpdesk: shared('helpdesk'),
    helpdesks: perPlatform('helpdesk'),
    threadReaders: perPlatform('threadReader'),
    reactors: perPlatform('reactor'),
    mailer: shared('mailer'),
    pollers: Object.fromEntries(
      registry.flatMap((descriptor) => {
        const section = config.connectors[descriptor.id];
        const poller = descriptor.poller;
        if (!poller || section === undefined) return [];
        if (!clients.has(descriptor.id))
          clients.set(descriptor.id, descriptor.connect?.(section, context));
        const client = clients.get(descriptor.id);
        return [
          [
            descriptor.id,
            {
              feeds: poller.feeds(section),
              poll: (feed: string, from: { cursor: unknown; startedAt: number }) => {
                const page = poller.poll(client, section, feed, from);
                if (!observer) return page;
                return page.then(
                  (answer) => (observer.succeeded(descriptor.id), answer),
                  (error: unknown) => {
                    observer.failed(descriptor.id, error);
                    throw error;
                  },
                );
              },
            },
          ],
        ];
      }),
    ),
  };
}
