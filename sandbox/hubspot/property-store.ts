import type { ValueProblem } from './errors.js';
import { text } from './store.js';

/** A contact property definition as the Properties API returns it. */
export interface SandboxProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  description: string;
  groupName: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined?: boolean;
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyValue: boolean;
  };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface SandboxPropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export const FIELD_TYPES: Record<string, readonly string[]> = {
  string: ['text', 'textarea', 'phonenumber', 'html', 'file'],
  number: ['number'],
  date: ['date'],
  datetime: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  bool: ['booleancheckbox'],
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SINCE = '2019-08-06T02:43:01.930Z';
const LIFECYCLE = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

type Spec = [name: string, label: string, type?: string, fieldType?: string, options?: string[]];

/** A few of HubSpot's own contact properties: enough for what townhall and people set. */
const BUILT_IN: Spec[] = [
  ['email', 'Email'],
  ['firstname', 'First Name'],
  ['lastname', 'Last Name'],
  ['phone', 'Phone Number', 'string', 'phonenumber'],
  ['company', 'Company Name'],
  ['website', 'Website URL'],
  ['jobtitle', 'Job Title'],
  ['city', 'City'],
  ['country', 'Country/Region'],
  ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', LIFECYCLE],
  ['hs_object_id', 'Record ID', 'number', 'number'],
  ['createdate', 'Create Date', 'datetime', 'date'],
  ['lastmodifieddate', 'Last Modified Date', 'datetime', 'date'],
];
/** Set by HubSpot only: writing them is refused. */
export const READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);

function builtIn(
  [name, label, type = 'string', fieldType = 'text', options = []]: Spec,
  i: number,
) {
  return {
    name,
    label,
    type,
    fieldType,
    description: '',
    groupName: 'contactinformation',
    options: options.map((value, displayOrder) => ({
      label: value,
      value,
      displayOrder,
      hidden: false,
    })),
    displayOrder: i,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: false,
    hidden: false,
    formField: !READ_ONLY.has(name),
    hubspotDefined: true,
    modificationMetadata: {
      archivable: false,
      readOnlyDefinition: true,
      readOnlyValue: READ_ONLY.has(name),
    },
    createdAt: SINCE,
    updatedAt: SINCE,
    archived: false,
  } satisfies SandboxProperty;
}

/** Why `value` cannot be stored in `property`, or undefined when it can. */
function valueProblem(property: SandboxProperty, value: string): ValueProblem | undefined {
  const problem = (error: string, message: string) => ({ name: property.name, error, message });
  if (value === '') return undefined; // an empty string clears the value
  if (property.name === 'email' && !EMAIL.test(value))
    return problem('INVALID_EMAIL', `Email address ${value} is invalid`);
  switch (property.type) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value)
        ? undefined
        : problem('INVALID_DECIMAL', `${value} is not a valid number`);
    case 'bool':
      return /^(true|false)$/.test(value)
        ? undefined
        : problem('INVALID_BOOLEAN', `${value} is not a valid boolean (true or false)`);
    case 'date':
    case 'datetime':
      return /^\d+$/.test(value) || !Number.isNaN(Date.parse(value))
        ? undefined
        : problem('INVALID_DATE', `${value} is not a valid date (ISO 8601 or epoch milliseconds)`);
    case 'enumeration': {
      const allowed = property.options.map((o) => o.value);
      const chosen = property.fieldType === 'checkbox' ? value.split(';') : [value];
      const bad = chosen.find((choice) => !allowed.includes(choice));
      return bad === undefined
        ? undefined
        : problem(
            'INVALID_OPTION',
            `${bad} was not one of the allowed options: [${allowed.join(', ')}]`,
          );
    }
    default:
      return undefined;
  }
}

/** The contact property definitions and groups of one sandbox account. */
export function createPropertyStore() {
  const properties = new Map<string, SandboxProperty>();
  const groups = new Map<string, SandboxPropertyGroup>();

  function reset(): void {
    properties.clear();
    groups.clear();
    groups.set('contactinformation', {
      name: 'contactinformation',
      label: 'Contact information',
      displayOrder: 0,
      archived: false,
    });
    BUILT_IN.forEach((spec, i) => properties.set(spec[0], builtIn(spec, i)));
  }
  reset();

  return {
    properties,
    groups,
    reset,
    /** The custom properties defined with unique values (email is unique besides these). */
    uniqueNames: () =>
      [...properties.values()].filter((p) => p.hasUniqueValue && !p.archived).map((p) => p.name),
    /** Every problem with a set of values a client wants to write (HubSpot reports all). */
    validate(values: Record<string, unknown>): ValueProblem[] {
      const problems: ValueProblem[] = [];
      for (const [name, raw] of Object.entries(values)) {
        const property = properties.get(name);
        if (!property) {
          problems.push({
            name,
            error: 'PROPERTY_DOESNT_EXIST',
            message: `Property "${name}" does not exist`,
          });
          continue;
        }
        if (READ_ONLY.has(name)) {
          problems.push({
            name,
            error: 'READ_ONLY_VALUE',
            message: `${name} is a read only property`,
          });
          continue;
        }
        const problem = valueProblem(property, text(raw));
        if (problem) problems.push(problem);
      }
      return problems;
    },
  };
}
export type PropertyStore = ReturnType<typeof createPropertyStore>;
