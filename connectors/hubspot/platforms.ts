/**
 * The values of `community_platforms`, a multiple-checkbox enumeration: HubSpot refuses a value
 * that is not one of the property's options (VALIDATION_ERROR, INVALID_OPTION), and, since
 * January 2025, one with leading or trailing whitespace (LEADING_TRAILING_WHITESPACE). Several
 * values travel as one string separated by `;`.
 */

export interface PropertyOption {
  label: string;
  value: string;
}

/**
 * The community platforms townhall has connectors for (connectors/index.ts: those with community
 * webhooks or a listener), as options: the connector id as the value, its title as the label.
 * Read lazily: the registry lists this connector, so it cannot be imported when this loads.
 */
export async function knownPlatforms(): Promise<PropertyOption[]> {
  const { registry } = await import('../index.js');
  return registry
    .filter(
      (connector) =>
        connector.listener !== undefined ||
        (connector.inbound ?? []).some((route) => route.family === 'community'),
    )
    .map((connector) => ({ value: connector.id, label: connector.title }));
}

/** `slack; discord;;slack` → `discord;slack`: trimmed, without blanks or repeats, sorted. */
export function platformValues(text: string): string[] {
  const values = text
    .split(/[;,]/)
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  return [...new Set(values)].sort();
}

/** How an option townhall adds for a platform it writes is labelled: `reddit` → `Reddit`. */
export const optionFor = (value: string): PropertyOption => ({
  value,
  label: value.charAt(0).toUpperCase() + value.slice(1),
});
