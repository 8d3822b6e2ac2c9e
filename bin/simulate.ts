// `townhall simulate <journey>`: the journey's own step code on a virtual clock, with no
// effects: each step with its virtual date-time, what it would send, what is skipped and why,
// and where it exits. Reads the store only with --member (PGlite: stop townhall first).
import path from 'node:path';
import type { Command } from 'commander';
import { providersOf, resolveProvider } from '../config/capabilities.js';
import { parseDuration } from '../config/duration.js';
import type { LoadedConfig } from '../config/load.js';
import { registry } from '../connectors/index.js';
import type { ScriptedEvent, Simulation, SimulatedMember } from '../runtime/journey-simulation.js';
import {
  SCRIPTED_EVENT_TYPES,
  sampleMember,
  simulateJourney,
} from '../runtime/journey-simulation.js';
import { dataDirFrom } from '../runtime/settings.js';
import { describeMs } from '../workflows/steps/send-gate.js';

/** A mistake in the command: one line, exit 1. */
export class SimulateError extends Error {}

/** `message.posted@3d` → the event and its offset from the start. */
export function parseScriptedEvent(text: string): ScriptedEvent {
  const [type, offset, extra] = text.split('@');
  const atMs = offset === '0' ? 0 : parseDuration(offset ?? '');
  if (extra !== undefined || atMs === undefined)
    throw new SimulateError(
      `--event "${text}": write <event>@<offset>, e.g. message.posted@3d (offsets: 0, 30s, 4h, 2d)`,
    );
  if (!(SCRIPTED_EVENT_TYPES as readonly string[]).includes(type ?? ''))
    throw new SimulateError(
      `--event "${text}": ${type} is not an event (use ${SCRIPTED_EVENT_TYPES.join(', ')})`,
    );
  return { type: type as ScriptedEvent['type'], atMs };
}

async function storedMember(ref: string, platform: string | undefined): Promise<SimulatedMember> {
  // The store is loaded only for --member: a sample simulation starts faster without it.
  const [{ openDb }, { memberFacts }, { getCurrentMember, resolveMember }, { migrateToLatest }] =
    await Promise.all([
      import('../store/db.js'),
      import('../store/member-facts.js'),
      import('../store/member-ref.js'),
      import('../store/migrate.js'),
    ]);
  const { db } = await openDb({
    url: process.env.DATABASE_URL || undefined,
    pgliteDir: path.join(dataDirFrom(process.env), 'pglite'),
  });
  try {
    await migrateToLatest(db);
    const { id } = await resolveMember(db, ref).catch((error: Error) => {
      throw new SimulateError(error.message);
    });
    const member = (await getCurrentMember(db, id))!;
    const facts = await memberFacts(db, id);
    // What the member's messages from other journeys already hold under the caps.
    const slots = await db
      .selectFrom('send_slots')
      .select(['channel', 'taken_at'])
      .where('member_id', '=', id)
      .execute();
    return {
      slots: slots.map((slot) => ({ channel: slot.channel, at: slot.taken_at.getTime() })),
      name: member.name ?? 'there',
      email: member.email,
      platform: platform ?? facts.platforms[0],
      facts,
    };
  } finally {
    await db.destroy();
  }
}

/** The folder of email templates, from the connector that serves email; none: unrendered. */
function templatesDir(loaded: LoadedConfig): string | undefined {
  const mailer = resolveProvider(loaded.config, registry, 'mailer');
  if (!('id' in mailer)) return undefined;
  const section = loaded.config.connectors[mailer.id as keyof typeof loaded.config.connectors] as
    { templatesDir?: string } | undefined;
  return section?.templatesDir ? path.resolve(loaded.dir, section.templatesDir) : undefined;
}

export async function simulate(
  loaded: LoadedConfig,
  name: string,
  options: { member?: string; event?: string[]; start?: string; thread?: boolean },
): Promise<Simulation> {
  const journey = loaded.config.journeys[name];
  if (!journey)
    throw new SimulateError(
      `no journey is called ${name} (the config has ${Object.keys(loaded.config.journeys).join(', ') || 'none'})`,
    );
  const startAt = options.start === undefined ? Date.now() : Date.parse(options.start);
  if (Number.isNaN(startAt))
    throw new SimulateError(
      `--start "${options.start}" is not a date-time (write e.g. 2026-12-01T09:00:00Z)`,
    );
  const events = (options.event ?? []).map(parseScriptedEvent);
  const trigger = journey.trigger;
  // The community platforms: those a member can be messaged on.
  const platforms = providersOf(loaded.config, registry, 'messenger');
  const platform =
    trigger.kind === 'event' && trigger.platforms ? trigger.platforms[0] : platforms[0];
  const member = options.member
    ? await storedMember(
        options.member,
        trigger.kind === 'event' ? trigger.platforms?.[0] : undefined,
      )
    : sampleMember(platforms, platform);
  return simulateJourney({
    name,
    journey,
    limits: loaded.config.limits,
    member,
    events,
    templatesDir: templatesDir(loaded),
    startAt,
    ...(options.thread
      ? {
          thread: {
            channelId:
              trigger.kind === 'event' ? (trigger.channel ?? 'the channel') : 'the channel',
            threadId: 'the thread',
          },
        }
      : {}),
  });
}

const HEARD: Record<Simulation['events'][number]['heard'], string> = {
  exit: 'ends the journey',
  event: 'heard by a wait_until',
  ignored: 'not heard by this journey',
  'after the end': 'after the journey ended',
};

/** Characters a terminal acts on: C0 and DEL, C1 (CSI and the like), bidi overrides. */
const actsOnTerminal = (code: number) =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/**
 * Member text made inert for a terminal: every character it would act on written out as a \\u
 * escape. `keep` spares some: JSON's own line breaks between fields.
 */
function inert(text: string, keep: (code: number) => boolean = () => false): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += actsOnTerminal(code) && !keep(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const offset = (ms: number) => `+${describeMs(ms)}`.padEnd(12);

/** The timeline as people read it: one line a step, events between, the end. */
export function formatSimulation(name: string, run: Simulation, member: string): string {
  const lines = [`journey ${name} for ${member}, from ${stamp(run.startedAt)} UTC (virtual)`];
  // Events first: at the same instant, the event is what ended the step beside it.
  const rows = [
    ...run.events.map((event) => ({
      at: event.at,
      text: `${'(member)'.padEnd(22)} ${event.type.padEnd(18)} ${HEARD[event.heard]}`,
    })),
    ...run.timeline.map((entry) => ({
      at: entry.at,
      text: `${(entry.path ?? '').padEnd(22)} ${entry.type.padEnd(18)} ${entry.outcome}${entry.detail ? `: ${inert(entry.detail)}` : ''}`,
    })),
  ].sort((a, b) => a.at - b.at);
  for (const row of rows)
    lines.push(`  ${offset(row.at)} ${stamp(run.startedAt + row.at)}  ${row.text}`);
  lines.push(
    run.exited
      ? `exited at +${describeMs(run.endedAt)}: ${run.exited}`
      : `completed at +${describeMs(run.endedAt)}`,
  );
  return lines.join('\n');
}

export function registerSimulateCommand(program: Command, load: (file?: string) => LoadedConfig) {
  program
    .command('simulate <journey>')
    .description(
      "run a journey's steps on a virtual clock, with no effects: the timeline of what it would send, skip, defer and where it exits",
    )
    .option('-c, --config <file>', 'config file')
    .option(
      '-m, --member <ref>',
      'a member of the store (email, member id or <platform>:<user id>); a sample member when absent',
    )
    .option(
      '-e, --event <event@offset>',
      'a member event at a time after the start, e.g. message.posted@3d (repeatable)',
      (value: string, list: string[] = []) => [...list, value],
    )
    .option('--start <date-time>', 'the virtual start (ISO 8601); now when absent')
    .option('--thread', 'the trigger came from a thread: thread.reply steps answer there')
    .option('--json', 'print JSON')
    .action(async (name: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{
        config?: string;
        member?: string;
        event?: string[];
        start?: string;
        json?: boolean;
        thread?: boolean;
      }>();
      try {
        const run = await simulate(load(options.config), name, options);
        process.stdout.write(
          `${options.json ? inert(JSON.stringify(run, null, 2), (code) => code === 0x0a) : formatSimulation(name, run, options.member ?? 'a sample member (Ada, ada@example.com)')}\n`,
        );
      } catch (error) {
        if (!(error instanceof SimulateError)) throw error;
        process.stderr.write(`townhall: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
