import {
  SearchAttributeType,
  TypedSearchAttributes,
  defineSearchAttributeKey,
} from '@temporalio/common';

/**
 * The journeys' custom search attributes: which journey, which member (townhall's id, no PII),
 * and the step a run last waited at (`steps[1] wait`): a `wait`, a `wait_until`, or a message
 * held for its send window or cap. Steps that pass without waiting do not move it (each upsert is
 * a billed action, and a journey with `mark_waits: false` makes none; the `position` query says
 * where a run is at any step). Ops list parked runs with them in the Temporal UI:
 * `TownhallJourney = "re-engagement" AND TownhallStep = "steps[1] wait"`.
 */
export const JOURNEY_KEY = defineSearchAttributeKey('TownhallJourney', SearchAttributeType.KEYWORD);
export const MEMBER_KEY = defineSearchAttributeKey('TownhallMember', SearchAttributeType.KEYWORD);
export const STEP_KEY = defineSearchAttributeKey('TownhallStep', SearchAttributeType.KEYWORD);

/** A run that an exit ended keeps `TownhallStep = "exited <reason>"`. */
export const EXITED_PREFIX = 'exited ';

export const JOURNEY_SEARCH_ATTRIBUTES = [JOURNEY_KEY, MEMBER_KEY, STEP_KEY] as const;

/** `temporal server start-dev` flags that register them. */
export const searchAttributeFlags = (): string[] =>
  JOURNEY_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);

/** What a run of `journey` for `memberId` starts with. */
export const journeySearchAttributes = (journey: string, memberId: string) =>
  new TypedSearchAttributes([
    { key: JOURNEY_KEY, value: journey },
    { key: MEMBER_KEY, value: memberId },
  ]);
