// What the chaos run left behind, counted where it landed: the events in the store, and each
// member's contact, welcome email and DM in the sandbox; then the table.
import pg from 'pg';
import type { Sandbox } from '../../sandbox/index.js';
import { DM_TEXT, WELCOME_SUBJECT } from './hub.js';
import type { KillStats } from './kills.js';
import type { ChaosMember, SendStats } from './load.js';

export type EffectKind = 'crm contact' | 'welcome email' | 'dm';
export const EFFECT_KINDS: EffectKind[] = ['crm contact', 'welcome email', 'dm'];

/** Per member, how many of each effect the sandbox holds. */
export async function countEffects(
  sandbox: Sandbox,
  members: ChaosMember[],
): Promise<Map<ChaosMember, Record<EffectKind, number>>> {
  const tally = (keys: string[]) => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    return counts;
  };
  const contacts = tally(
    sandbox.emulators.hubspot.list().map((contact) => contact.properties.email ?? ''),
  );
  const emails = tally(
    sandbox.emulators.email
      .list()
      .filter((mail) => mail.subject.startsWith(WELCOME_SUBJECT))
      .flatMap((mail) => mail.to),
  );
  const slackDms = tally(
    sandbox.emulators.slack.workspace.messages
      .filter((message) => message.text.startsWith(DM_TEXT))
      .map((message) => message.text),
  );
  const forumMessages = (await (
    await fetch(`${sandbox.url}/_sandbox/discourse/messages`)
  ).json()) as Array<{ kind: string; raw: string; target_recipients?: string[] }>;
  const forumDms = tally(
    forumMessages
      .filter((message) => message.kind === 'private_message' && message.raw.startsWith(DM_TEXT))
      .flatMap((message) => message.target_recipients ?? []),
  );
  const counts = new Map<ChaosMember, Record<EffectKind, number>>();
  for (const member of members)
    counts.set(member, {
      'crm contact': contacts.get(member.email) ?? 0,
      'welcome email': [...emails]
        .filter(([to]) => to.includes(member.email))
        .reduce((n, [, c]) => n + c, 0),
      dm:
        member.platform === 'slack'
          ? (slackDms.get(`${DM_TEXT}${member.name}`) ?? 0)
          : (forumDms.get(member.handle) ?? 0),
    });
  return counts;
}

/** The send ledger by channel and status: what the hub itself says became of each send. */
export async function ledger(databaseUrl: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ channel: string; status: string; n: string }>(
      'select channel, status, count(*) as n from deliveries group by channel, status order by 1, 2',
    );
    return Object.fromEntries(rows.map((row) => [`${row.channel} ${row.status}`, Number(row.n)]));
  } finally {
    await client.end();
  }
}

/** The acknowledged event ids the store does not hold. */
export async function missingFromStore(databaseUrl: string, eventIds: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ event_id: string }>(
      'select event_id from received_events where event_id = any($1)',
      [eventIds],
    );
    const stored = new Set(rows.map((row) => row.event_id));
    return eventIds.filter((id) => !stored.has(id));
  } finally {
    await client.end();
  }
}

export interface ChaosResult {
  members: number;
  platforms: Record<string, number>;
  send: SendStats;
  kills: KillStats;
  missingFromStore: string[];
  /** The send ledger: "<channel> <status>" → rows (unconfirmed: a kill came mid-send). */
  ledger: Record<string, number>;
  /** Per kind: members expected to have it (each once), and what was counted in all. */
  effects: Record<EffectKind, { expected: number; counted: number; exactlyOnce: number }>;
  /** Members with a count other than one of some effect: "name: kind ×n". */
  wrong: string[];
  /** Events that had a non-2xx answer, then a 2xx, whose member lacks an effect. */
  lostAfterRedelivery: string[];
  durationSeconds: number;
  drainSeconds: number;
  /** Members without a welcome email (each must be an email in doubt in the ledger). */
  missingEmails: string[];
  passed: boolean;
  /** The tail of the worker's and server's output, for a failed run. */
  hubOutput?: string;
}

export function summarize(
  input: Omit<
    ChaosResult,
    'effects' | 'wrong' | 'lostAfterRedelivery' | 'missingEmails' | 'passed'
  > & {
    counts: Map<ChaosMember, Record<EffectKind, number>>;
  },
): ChaosResult {
  const { counts, ...rest } = input;
  const effects = Object.fromEntries(
    EFFECT_KINDS.map((kind) => [kind, { expected: counts.size, counted: 0, exactlyOnce: 0 }]),
  ) as ChaosResult['effects'];
  const wrong: string[] = [];
  const lostAfterRedelivery: string[] = [];
  const missingEmails: string[] = [];
  for (const [member, count] of counts) {
    for (const kind of EFFECT_KINDS) {
      effects[kind].counted += count[kind];
      if (count[kind] === 1) effects[kind].exactlyOnce++;
      else if (kind === 'welcome email' && count[kind] === 0) missingEmails.push(member.handle);
      else wrong.push(`${member.handle} (${member.platform}): ${kind} ×${count[kind]}`);
    }
    if (
      input.send.redeliveredEventIds.has(member.eventId) &&
      EFFECT_KINDS.some((kind) => count[kind] === 0)
    )
      lostAfterRedelivery.push(member.eventId);
  }
  // SMTP cannot be asked whether a message went out: an email whose worker died between the
  // ledger's commit mark and the relay's answer is in doubt and never resent (at most once). A
  // missing email passes only as one of those, which `townhall deliveries in-doubt` lists.
  const emailsInDoubt = rest.ledger['email unconfirmed'] ?? 0;
  if (missingEmails.length > emailsInDoubt)
    wrong.push(
      `${missingEmails.length} members without a welcome email, ${emailsInDoubt} in doubt in the ledger: ${missingEmails.slice(0, 5).join(', ')}`,
    );
  const passed =
    rest.send.gaveUp === 0 &&
    rest.send.acknowledgedEventIds.size === counts.size &&
    rest.missingFromStore.length === 0 &&
    wrong.length === 0 &&
    lostAfterRedelivery.length === 0;
  return { ...rest, effects, wrong, lostAfterRedelivery, missingEmails, passed };
}

/** The table, as Markdown: what was sent and done to the hub, then what it did. */
export function chaosTable(result: ChaosResult): string {
  const { send, kills } = result;
  const statuses = Object.entries(send.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    [
      'members (join events)',
      `${result.members} (${Object.entries(result.platforms)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ')})`,
    ],
    [
      'deliveries planned (events + duplicates)',
      `${send.deliveries} (${result.members} + ${send.duplicates})`,
    ],
    ['HTTP requests sent (redeliveries included)', String(send.requests)],
    ['deliveries acknowledged (2xx)', String(send.acknowledged)],
    [
      'events acknowledged / in the store',
      `${send.acknowledgedEventIds.size} / ${send.acknowledgedEventIds.size - result.missingFromStore.length}`,
    ],
    ['duplicates absorbed (2xx, no second effect)', `${send.duplicatesAcknowledged}`],
    ['non-2xx answers, each redelivered', `${send.non2xx}${statuses ? ` (${statuses})` : ''}`],
    [
      'deliveries acknowledged after a redelivery / lost after one',
      `${send.redeliveredToAck} / ${result.lostAfterRedelivery.length}`,
    ],
    ['deliveries given up (cap reached)', String(send.gaveUp)],
    [
      'send ledger (channel status: rows)',
      Object.entries(result.ledger)
        .map(([key, n]) => `${key}: ${n}`)
        .join(', '),
    ],
    ['worker SIGKILLs', String(kills.workerKills)],
    ['Temporal dev server kills + restarts', String(kills.temporalRestarts)],
    ['PostgreSQL restarts', String(kills.postgresRestarts)],
  ];
  for (const [kind, effect] of Object.entries(result.effects))
    rows.push([
      `${kind}s: expected / counted (members with exactly one)`,
      `${effect.expected} / ${effect.counted} (${effect.exactlyOnce})`,
    ]);
  rows.push(
    [
      'welcome emails missing / in doubt (unconfirmed, never resent)',
      `${result.missingEmails.length} / ${result.ledger['email unconfirmed'] ?? 0}`,
    ],
    [
      'duration (first delivery to last effect counted)',
      `${result.durationSeconds.toFixed(0)} s (drain after the last delivery: ${result.drainSeconds.toFixed(0)} s)`,
    ],
    [
      'result',
      result.passed
        ? 'PASS'
        : `FAIL${result.wrong.length ? `: ${result.wrong.slice(0, 5).join('; ')}` : ''}`,
    ],
  );
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return [
    `| ${'measure'.padEnd(width)} | ${'value'.padEnd(valueWidth)} |`,
    `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`,
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value.padEnd(valueWidth)} |`),
  ].join('\n');
}
