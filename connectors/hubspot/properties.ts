import type { Client } from '@hubspot/api-client';
import type {
  Option,
  Property,
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { ConnectorError } from '../errors.js';
import type { HubSpotConfig, PropertyDefinition } from './config.js';
import { PLATFORMS_PROPERTY, communityProperties } from './config.js';
import type { PropertyOption } from './platforms.js';
import { knownPlatforms, optionFor } from './platforms.js';
import type { Call } from './sdk.js';

export interface PropertySetup {
  /** Whether this call created the property group (false: it was there already). */
  groupCreated: boolean;
  /** Properties this call created. */
  created: string[];
  /** Properties that were there already (or that another worker created meanwhile). */
  existing: string[];
}

const OBJECT_TYPE = 'contacts';
/** Reads and updates of one property's options before giving up on a race with other writers. */
const OPTION_ATTEMPTS = 3;

/** A create that lost a race to another worker: HubSpot answers 409, which means "it exists". */
const isConflict = (error: unknown) => error instanceof ConnectorError && error.code === 'conflict';
const isNotFound = (error: unknown) =>
  error instanceof ConnectorError && error.code === 'not_found';

/** A property townhall keys contacts by that HubSpot does not keep unique cannot serve. */
function notUnique(name: string): ConnectorError {
  return new ConnectorError(
    'invalid',
    `HubSpot contact property ${name} exists without unique values, and townhall updates contacts by it. ` +
      'HubSpot makes a property unique only when it is created: archive this one (Settings > Properties) and townhall creates it again',
    { vendor: 'hubspot' },
  );
}

export function propertyActions(
  client: Client,
  call: Call,
  config: Pick<HubSpotConfig, 'propertyGroup' | 'properties'>,
) {
  const { coreApi, groupsApi } = client.crm.properties;
  const group = config.propertyGroup;
  const definitions = communityProperties(config);
  /** The option values of enumeration properties as last read or written by this process. */
  const optionsOf = new Map<string, Set<string>>();

  async function ensureGroup(): Promise<boolean> {
    try {
      await call('property group read', () => groupsApi.getByName(OBJECT_TYPE, group.name));
      return false;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await call('property group create', () =>
        groupsApi.create(OBJECT_TYPE, { name: group.name, label: group.label }),
      );
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async function create(
    property: PropertyDefinition,
    options: readonly PropertyOption[] | undefined,
  ): Promise<boolean> {
    try {
      await call(`property create (${property.name})`, () =>
        coreApi.create(OBJECT_TYPE, {
          name: property.name,
          label: property.label,
          type: property.type as PropertyCreateTypeEnum,
          fieldType: property.fieldType as PropertyCreateFieldTypeEnum,
          groupName: group.name,
          ...(property.description ? { description: property.description } : {}),
          ...(property.hasUniqueValue ? { hasUniqueValue: true } : {}),
          ...(options
            ? {
                options: options.map((option, displayOrder) => ({
                  ...option,
                  displayOrder,
                  hidden: false,
                })),
              }
            : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Makes sure an enumeration property offers every option in `wanted`, adding the missing ones
   * after the existing ones (HubSpot's update replaces the whole list). Another worker may
   * replace the list at the same moment with its own additions, so each update is read back
   * and made again until both are there.
   */
  async function addOptions(
    name: string,
    wanted: readonly PropertyOption[],
    listed?: readonly Option[],
  ): Promise<void> {
    let current = listed;
    for (let attempt = 0; attempt < OPTION_ATTEMPTS; attempt++) {
      current ??= (
        await call(`property read (${name})`, () => coreApi.getByName(OBJECT_TYPE, name, false))
      ).options;
      const have = new Set(current.map((option) => option.value));
      const missing = wanted.filter((option) => !have.has(option.value));
      if (missing.length === 0) {
        optionsOf.set(name, have);
        return;
      }
      const options = [
        ...current.map(({ label, value, displayOrder, hidden, description }) => ({
          label,
          value,
          hidden,
          ...(displayOrder !== undefined ? { displayOrder } : {}),
          ...(description ? { description } : {}),
        })),
        ...missing.map((option, i) => ({
          ...option,
          displayOrder: current!.length + i,
          hidden: false,
        })),
      ];
      await call(`property update (${name})`, () => coreApi.update(OBJECT_TYPE, name, { options }));
      current = undefined;
    }
    throw new ConnectorError(
      'unavailable',
      `HubSpot property ${name}: its options kept changing while townhall added its own`,
      { vendor: 'hubspot' },
    );
  }

  return {
    /**
     * Makes sure the community property group, townhall's fixed community properties and the
     * configured extras exist, and that `community_platforms` offers every platform townhall
     * knows. Reads first, creates only what is missing, and takes a 409 as "another worker
     * created it": safe to run on every worker start and concurrently. A `townhall_member_id`
     * that exists without unique values is an error naming it (it could not key upserts).
     */
    async ensureCommunityProperties(): Promise<PropertySetup> {
      const groupCreated = await ensureGroup();
      const { results } = await call('property list', () => coreApi.getAll(OBJECT_TYPE, false));
      const present = new Map<string, Property>(
        results.map((property) => [property.name, property]),
      );
      const platforms = await knownPlatforms();
      const setup: PropertySetup = { groupCreated, created: [], existing: [] };
      for (const property of definitions) {
        const found = present.get(property.name);
        if (found && property.hasUniqueValue && !found.hasUniqueValue)
          throw notUnique(property.name);
        const options = property.name === PLATFORMS_PROPERTY ? platforms : property.options;
        const made = !found && (await create(property, options));
        (made ? setup.created : setup.existing).push(property.name);
        if (property.name !== PLATFORMS_PROPERTY) continue;
        if (made) optionsOf.set(property.name, new Set(platforms.map((option) => option.value)));
        else await addOptions(property.name, platforms, found?.options);
      }
      return setup;
    },

    /**
     * Makes sure an enumeration property offers these values (a platform townhall writes that
     * its options lack is added, labelled after its id): HubSpot refuses a value that is not
     * an option. No call when this process already saw them all.
     */
    async ensurePropertyOptions(name: string, values: readonly string[]): Promise<void> {
      const known = optionsOf.get(name);
      const missing = values.filter((value) => !known?.has(value));
      if (missing.length === 0) return;
      await addOptions(name, missing.map(optionFor));
    },
  };
}
