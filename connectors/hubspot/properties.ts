import type { Client } from '@hubspot/api-client';
import type {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { ConnectorError } from '../errors.js';
import type { CommunityProperty, HubSpotConfig } from './config.js';
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

/** A create that lost a race to another worker: HubSpot answers 409, which means "it exists". */
const isConflict = (error: unknown) => error instanceof ConnectorError && error.code === 'conflict';
const isNotFound = (error: unknown) =>
  error instanceof ConnectorError && error.code === 'not_found';

export function propertyActions(
  client: Client,
  call: Call,
  config: Pick<HubSpotConfig, 'propertyGroup' | 'properties'>,
) {
  const { coreApi, groupsApi } = client.crm.properties;
  const group = config.propertyGroup;

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

  async function create(property: CommunityProperty): Promise<boolean> {
    try {
      await call(`property create (${property.name})`, () =>
        coreApi.create(OBJECT_TYPE, {
          name: property.name,
          label: property.label,
          type: property.type as PropertyCreateTypeEnum,
          fieldType: property.fieldType as PropertyCreateFieldTypeEnum,
          groupName: group.name,
          ...(property.description ? { description: property.description } : {}),
          ...(property.options
            ? {
                options: property.options.map((option, displayOrder) => ({
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

  return {
    /**
     * Makes sure the community property group and every configured custom contact property
     * exist. Reads first, creates only what is missing, and takes a 409 as "another worker
     * created it": safe to run on every worker start and concurrently.
     */
    async ensureCommunityProperties(): Promise<PropertySetup> {
      const groupCreated = await ensureGroup();
      const { results } = await call('property list', () => coreApi.getAll(OBJECT_TYPE, false));
      const present = new Set(results.map((property) => property.name));
      const setup: PropertySetup = { groupCreated, created: [], existing: [] };
      for (const property of config.properties) {
        const made = !present.has(property.name) && (await create(property));
        (made ? setup.created : setup.existing).push(property.name);
      }
      return setup;
    },
  };
}
