// `townhall members ...`: the single member view, merges, unmerges and merge suggestions, read
// and written straight in the store (no server or worker needs to run).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { MembersConfig } from '../config/members.js';
import { DEFAULT_MEMBERS_CONFIG } from '../config/members.js';
import { registry } from '../connectors/index.js';
import { dataDirFrom } from '../runtime/settings.js';
import type { MemberDetails } from '../server/member-details.js';
import { memberDetails } from '../server/member-details.js';
import type { Db } from '../store/db.js';
import { openDb } from '../store/db.js';
import { MergeError, mergeMembers } from '../store/merges.js';
import { unmergeMerge } from '../store/unmerges.js';
import { MemberRefError, resolveMember } from '../store/member-ref.js';
import type { Suggestions } from '../store/member-suggestions.js';
import { suggestMerges } from '../store/member-suggestions.js';
import { migrateToLatest } from '../store/migrate.js';

interface Context {
  db: Db;
  members: MembersConfig;
  connectors: Record<string, unknown>;
}

/** An expected failure: printed as one line, exit 1. */
class Refused extends Error {}

/**
 * The config's `members:` and `connectors:` sections when a config file is named or present
 * (a broken one is reported, exit 1), the defaults when there is none: reading a member needs no
 * config. The store is opened as the server opens it: DATABASE_URL, else the PGlite database in
 * $TOWNHALL_DATA_DIR (which one process may hold at a time: with PGlite, stop townhall first).
 */
async function withStore(
  options: { config?: string },
  action: (context: Context) => Promise<void>,
): Promise<void> {
  const env = process.env;
  const named = options.config ?? env.TOWNHALL_CONFIG;
  const file = named ? path.resolve(named) : path.resolve(DEFAULT_CONFIG_FILE);
  let members = DEFAULT_MEMBERS_CONFIG;
  let connectors: Record<string, unknown> = {};
  try {
    if (named || existsSync(file)) {
      const { config } = loadConfig(file, env);
      members = config.members;
      connectors = config.connectors;
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  const { db } = await openDb({
    url: env.DATABASE_URL || undefined,
    pgliteDir: path.join(dataDirFrom(env), 'pglite'),
  });
  let code = 0;
  try {
    await migrateToLatest(db);
    await action({ db, members, connectors });
  } catch (error) {
    if (!(
      error instanceof Refused ||
      error instanceof MemberRefError ||
      error instanceof MergeError
    ))
      throw error;
    process.stderr.write(`townhall: ${error.message}\n`);
    code = 1;
  } finally {
    await db.destroy();
  }
  if (code !== 0) process.exit(code);
}

const print = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

function when(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const days = Math.floor((now - Date.parse(iso)) / 86_400_000);
  const ago = days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
  return `${iso.slice(0, 16).replace('T', ' ')} UTC (${ago})`;
}

/** One table of counts: a row per key, 7/30/90 days and total. */
function countsTable(title: string, rows: [string, number, number, number, number][]): string[] {
  if (rows.length === 0) return [`${title}: none`];
  const width = Math.max(title.length, ...rows.map(([key]) => key.length));
  const cell = (value: string | number) => String(value).padStart(7);
  return [
    `${title.padEnd(width)}${['7d', '30d', '90d', 'total'].map(cell).join('')}`,
    ...rows.map(([key, ...counts]) => `  ${key.padEnd(width - 2)}${counts.map(cell).join('')}`),
  ];
}

export function formatMember(view: MemberDetails, now = Date.now()): string {
  const { activity } = view;
  const keys = (...counts: Record<string, number>[]) =>
    [...new Set(counts.flatMap((c) => Object.keys(c)))].sort();
  const byType = keys(activity.byType, activity.last90Days).map(
    (type): [string, number, number, number, number] => [
      type,
      activity.last7Days[type] ?? 0,
      activity.last30Days[type] ?? 0,
      activity.last90Days[type] ?? 0,
      activity.byType[type] ?? 0,
    ],
  );
  const byPlatform = keys(activity.byPlatform, activity.byPlatformLast90Days).map(
    (platform): [string, number, number, number, number] => [
      platform,
      activity.byPlatformLast7Days[platform] ?? 0,
      activity.byPlatformLast30Days[platform] ?? 0,
      activity.byPlatformLast90Days[platform] ?? 0,
      activity.byPlatform[platform] ?? 0,
    ],
  );
  const lines = [
    `${view.name ?? '(no name)'}${view.email ? ` <${view.email}>` : ''}`,
    `  member       ${view.id}`,
    `  platforms    ${view.platforms.join(', ') || 'none'}`,
    `  first seen   ${when(view.firstSeenAt, now)}`,
    `  last active  ${when(view.lastActiveAt, now)}`,
    `  engagement   ${view.engagement.level ?? 'none'} (30-day score ${view.engagement.score30Days}${view.engagement.since ? `, since ${view.engagement.since.slice(0, 10)}` : ''})`,
    '',
    'Identities',
    ...view.identities.map(
      (identity) =>
        `  ${identity.platform.padEnd(10)} ${identity.handle ?? identity.userId}` +
        `${identity.displayName ? ` (${identity.displayName})` : ''}` +
        `  id ${identity.userId} in ${identity.communityId}${identity.staff ? '  [staff]' : ''}` +
        `\n${' '.repeat(13)}first seen ${identity.firstSeenAt.slice(0, 10)}, last seen ${identity.lastSeenAt?.slice(0, 10) ?? 'never'}` +
        `${identity.profileUrl ? `  ${identity.profileUrl}` : ''}`,
    ),
    '',
    ...countsTable('Activity by type', byType),
    '',
    ...countsTable('Activity by platform', byPlatform),
    `Total: ${activity.total}`,
    '',
    `Milestones: ${view.milestones.map((m) => `${m.name} (${m.reachedAt.slice(0, 10)})`).join(', ') || 'none'}`,
    `Consent: ${view.consent.map((c) => `${c.channel} ${c.status} (${c.source}, ${c.updatedAt.slice(0, 10)})`).join(', ') || 'nothing recorded'}`,
    `CRM: ${view.crm.map((link) => `${link.crm} ${link.personId} (last sync ${when(link.syncedAt, now)})`).join(', ') || 'not linked'}`,
    ...view.merges.map(
      (merge) =>
        `Merge ${merge.id}: ${merge.mergedMemberId} into ${merge.keptMemberId} by ${merge.actor}, ${merge.at.slice(0, 10)} ("${merge.reason}")` +
        `${merge.undoneAt ? `, undone ${merge.undoneAt.slice(0, 10)} by ${merge.undoneBy ?? 'unknown'}` : ''}`,
    ),
    `Journeys: ${view.journeys.length === 0 ? 'none' : view.journeys.length}`,
    `Tickets: ${view.tickets.length === 0 ? 'none' : view.tickets.length}`,
  ];
  return lines.join('\n');
}

function formatSuggestions(result: Suggestions): string {
  const who = (m: Suggestions['suggestions'][number]['keep']) =>
    `${m.name ?? '(no name)'}${m.email ? ` <${m.email}>` : ''} [${m.platforms.join(', ')}] ${m.id}`;
  const lines = result.suggestions.flatMap((s) => [
    `${s.confidence.toFixed(2)}  ${s.reasons.map((r) => r.detail).join('; ')}`,
    `      keep  ${who(s.keep)}`,
    `      merge ${who(s.merge)}`,
    `      townhall members merge ${s.keep.id} ${s.merge.id} --reason "..."`,
  ]);
  return [
    ...(lines.length ? lines : ['No merge suggestions.']),
    ...result.notChecked.map((n) => `Not checked: ${n.kind}: ${n.why}.`),
  ].join('\n');
}

function actorOf(option: string | undefined): string {
  const actor = option ?? process.env.USER ?? process.env.USERNAME;
  if (!actor) throw new Refused('who is doing this? set $USER or pass --actor <name>');
  return actor;
}

export function registerMembersCommands(program: Command): void {
  const members = program
    .command('members')
    .description('the single member view: show, merge, unmerge, merge suggestions');
  const configOption = [
    '-c, --config <file>',
    'config file (members and connectors sections)',
  ] as const;

  members
    .command('show <ref>')
    .description('one member across every platform: <email>, <member id> or <platform>:<user id>')
    .option(...configOption)
    .option('--json', 'print the view as JSON (as GET /api/members/:id returns it)')
    .action((ref: string, options: { config?: string; json?: boolean }) =>
      withStore(options, async (context) => {
        const { id, mergedFrom } = await resolveMember(context.db, ref);
        const view = await memberDetails({ ...context, registry }, id);
        if (!view) throw new Refused(`no member matches "${ref}"`);
        if (options.json) printJson(view);
        else {
          if (mergedFrom) print(`(member ${mergedFrom} was merged into ${id})\n`);
          print(formatMember(view));
        }
      }),
    );

  members
    .command('merge <keep> <merge>')
    .description('merge the second member into the first (reversible: members unmerge)')
    .requiredOption('--reason <text>', 'why they are one person (kept in the audit)')
    .option('--actor <name>', 'who is merging (default: $USER)')
    .option('--json', 'print the outcome as JSON')
    .option(...configOption)
    .action(
      (
        keepRef: string,
        mergeRef: string,
        options: { reason: string; actor?: string; json?: boolean; config?: string },
      ) =>
        withStore(options, async ({ db, members: config }) => {
          const actor = actorOf(options.actor);
          const keep = await resolveMember(db, keepRef);
          const merge = await resolveMember(db, mergeRef);
          const outcome = await mergeMembers(db, keep.id, merge.id, {
            reason: options.reason,
            actor,
            config,
          });
          if (options.json) printJson(outcome);
          else
            print(
              `merged ${outcome.mergedMemberId} into ${outcome.keptMemberId} (merge ${outcome.mergeId}); undo with: townhall members unmerge ${outcome.mergeId}`,
            );
        }),
    );

  members
    .command('unmerge <merge-id>')
    .description('undo a merge: both members back as they were')
    .option('--reason <text>', 'why (kept in the audit)')
    .option('--actor <name>', 'who is unmerging (default: $USER)')
    .option('--json', 'print the outcome as JSON')
    .option(...configOption)
    .action(
      (
        mergeId: string,
        options: { reason?: string; actor?: string; json?: boolean; config?: string },
      ) =>
        withStore(options, async ({ db, members: config }) => {
          const outcome = await unmergeMerge(db, mergeId, {
            actor: actorOf(options.actor),
            reason: options.reason,
            config,
          });
          if (options.json) printJson(outcome);
          else
            print(
              `unmerged ${outcome.mergedMemberId} from ${outcome.keptMemberId} (merge ${outcome.mergeId})`,
            );
        }),
    );

  members
    .command('suggestions')
    .description('members that may be one person, with reasons and confidence (nothing applied)')
    .option('--min-confidence <n>', 'leave out suggestions below this confidence (0..1)', '0')
    .option('--json', 'print the suggestions as JSON')
    .option(...configOption)
    .action((options: { minConfidence: string; json?: boolean; config?: string }) =>
      withStore(options, async ({ db }) => {
        const minConfidence = Number(options.minConfidence);
        if (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 1)
          throw new Refused(
            `--min-confidence ${options.minConfidence} is not a number from 0 to 1`,
          );
        const result = await suggestMerges(db, { minConfidence });
        if (options.json) printJson(result);
        else print(formatSuggestions(result));
      }),
    );
}
