/** A contact as HubSpot's CRM v3 API returns it (SimplePublicObject). */
export interface SandboxContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** What happened to a contact, for the webhook emitter (HubSpot's subscription types). */
export type ContactChange =
  | { subscriptionType: 'contact.creation'; objectId: string }
  | {
      subscriptionType: 'contact.propertyChange';
      objectId: string;
      propertyName: string;
      propertyValue: string;
    }
  | { subscriptionType: 'contact.deletion' | 'contact.privacyDeletion'; objectId: string }
  | {
      subscriptionType: 'contact.merge';
      /** HubSpot sends the primary contact's id as the event's object. */
      objectId: string;
      primaryObjectId: string;
      mergedObjectIds: string[];
      /** The contact the merge resulted in: the primary one, as contacts merge today. */
      newObjectId: string;
      numberOfPropertiesMoved: number;
    };

/** HubSpot stores every property value as text: numbers and booleans too; null clears. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Kept by HubSpot itself: never reported as a property change. */
const SYSTEM = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);
/** The ids of the contacts merged into this one, `;`-separated (a HubSpot-kept property). */
const MERGED_IDS = 'hs_merged_object_ids';

/** Properties a read returns when the caller names none (HubSpot's default set). */
export const DEFAULT_PROPERTIES = [
  'createdate',
  'email',
  'firstname',
  'hs_object_id',
  'lastmodifieddate',
  'lastname',
];

/** The contacts of one sandbox account; every write is reported to `onChange`. */
export function createContactStore(onChange: (changes: ContactChange[]) => void) {
  const contacts = new Map<string, SandboxContact>();
  /** Contacts merged into another: their ids keep resolving to the one they became part of. */
  const mergedInto = new Map<string, string>();
  let nextId = 1001;
  /**
   * Contact ids by property value (emails lower-cased), as HubSpot's unique lookups are
   * indexed: a 10,000-contact backfill must not make each upsert scan every contact. Values are
   * added as they are set and never removed; a lookup checks each candidate against the contact.
   */
  const index = new Map<string, Map<string, Set<string>>>();
  const indexKey = (name: string, value: string) =>
    name === 'email' ? value.trim().toLowerCase() : value;
  function indexValues(id: string, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const byValue = index.get(name) ?? new Map<string, Set<string>>();
      index.set(name, byValue);
      const ids = byValue.get(indexKey(name, value)) ?? new Set<string>();
      byValue.set(indexKey(name, value), ids);
      ids.add(id);
    }
  }
  /** The first live contact (in creation order) whose `name` is `value`. */
  function lookup(name: string, value: string): SandboxContact | undefined {
    const key = indexKey(name, value);
    const found = [...(index.get(name)?.get(key) ?? [])]
      .map((id) => contacts.get(id))
      .filter(
        (c): c is SandboxContact =>
          c !== undefined &&
          !c.archived &&
          c.properties[name] !== undefined &&
          indexKey(name, c.properties[name]) === key,
      );
    return found.sort((a, b) => Number(a.id) - Number(b.id))[0];
  }

  const byEmail = (email: string) => lookup('email', email);

  /** Live (not archived) contact by id, or by the value of `idProperty`. */
  function find(id: string, idProperty?: string): SandboxContact | undefined {
    if (!idProperty || idProperty === 'hs_object_id') {
      let current = id;
      for (let hops = 0; mergedInto.has(current) && hops < 100; hops++)
        current = mergedInto.get(current)!;
      const contact = contacts.get(current);
      return contact && !contact.archived ? contact : undefined;
    }
    if (idProperty === 'email') return byEmail(id);
    return lookup(idProperty, id);
  }

  /** Creates (no `existing`) or updates a contact with string values. */
  function write(existing: SandboxContact | undefined, values: Record<string, string>) {
    const now = new Date().toISOString();
    if (existing) {
      const changed = Object.entries(values).filter(
        ([name, value]) => !SYSTEM.has(name) && existing.properties[name] !== value,
      );
      existing.properties = { ...existing.properties, ...values, lastmodifieddate: now };
      indexValues(existing.id, values);
      existing.updatedAt = now;
      onChange(
        changed.map(([propertyName, propertyValue]) => ({
          subscriptionType: 'contact.propertyChange',
          objectId: existing.id,
          propertyName,
          propertyValue,
        })),
      );
      return existing;
    }
    const id = String(nextId++);
    const contact: SandboxContact = {
      id,
      properties: { ...values, hs_object_id: id, createdate: now, lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    contacts.set(id, contact);
    indexValues(id, contact.properties);
    onChange([{ subscriptionType: 'contact.creation', objectId: id }]);
    return contact;
  }

  function archive(ids: readonly string[]): void {
    const archived = ids.map((id) => find(id)).filter((c): c is SandboxContact => c !== undefined);
    for (const contact of archived) {
      contact.archived = true;
      contact.updatedAt = new Date().toISOString();
    }
    onChange(archived.map((c) => ({ subscriptionType: 'contact.deletion', objectId: c.id })));
  }

  /**
   * Merges `secondary` into `primary`, as HubSpot's merge does: the primary keeps its values
   * (its email and unique values too: two contacts' unique values cannot both survive), and
   * takes the secondary's where it has none; the secondary is gone, its id resolving to the
   * primary from now on. Returns how many values moved.
   */
  function merge(primary: SandboxContact, secondary: SandboxContact): number {
    let moved = 0;
    for (const [name, value] of Object.entries(secondary.properties)) {
      if (SYSTEM.has(name) || name === MERGED_IDS || value === '') continue;
      const mine = primary.properties[name];
      if (mine !== undefined && mine !== '') continue;
      primary.properties[name] = value;
      indexValues(primary.id, { [name]: value });
      moved++;
    }
    const now = new Date().toISOString();
    const earlier = primary.properties[MERGED_IDS]?.split(';').filter(Boolean) ?? [];
    const theirs = secondary.properties[MERGED_IDS]?.split(';').filter(Boolean) ?? [];
    primary.properties[MERGED_IDS] = [...earlier, secondary.id, ...theirs].join(';');
    primary.properties.lastmodifieddate = now;
    primary.updatedAt = now;
    contacts.delete(secondary.id);
    mergedInto.set(secondary.id, primary.id);
    onChange([
      {
        subscriptionType: 'contact.merge',
        objectId: primary.id,
        primaryObjectId: primary.id,
        mergedObjectIds: [secondary.id],
        newObjectId: primary.id,
        numberOfPropertiesMoved: moved,
      },
    ]);
    return moved;
  }

  /** GDPR delete: gone for good, not archived. */
  function purge(contact: SandboxContact): void {
    contacts.delete(contact.id);
    onChange([{ subscriptionType: 'contact.privacyDeletion', objectId: contact.id }]);
  }

  return {
    find,
    byEmail,
    write,
    archive,
    purge,
    merge,
    live: () => [...contacts.values()].filter((c) => !c.archived),
    list: () => [...contacts.values()],
    reset: () => {
      contacts.clear();
      mergedInto.clear();
      index.clear();
    },
  };
}
export type ContactStore = ReturnType<typeof createContactStore>;

/** The contact as a read returns it: only the requested properties (or the default set). */
export function view(contact: SandboxContact, requested: readonly string[] = []) {
  const names = requested.length > 0 ? requested : DEFAULT_PROPERTIES;
  const properties: Record<string, string | null> = {};
  for (const name of names) properties[name] = contact.properties[name] ?? null;
  // HubSpot always includes these three.
  for (const name of SYSTEM) properties[name] = contact.properties[name] ?? null;
  return { ...contact, properties };
}
