// Encrypted Temporal payloads through the running hub: a member joins and asks for a refund on
// Slack (signed, as Slack sends it), which starts a journey and a support handoff. Their
// histories, read with a client that has no codec, hold no email, name or message text; the
// hub's /codec endpoint (the Temporal UI's codec server) decrypts them with the admin token only.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Payload } from '@temporalio/common';
import { ScheduleNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PayloadEncryptionCodec, parsePayloadKeys } from '../../runtime/codec/index.js';
import { createLogger } from '../../runtime/logger.js';
import { ensureSchedules } from '../../runtime/schedules.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import { createApp } from '../../server/app.js';
import { codecRouters } from '../../server/routes/codec.js';
import { journeyWorkflowId } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { DeskTicket } from '../support/handoff.js';
import { emitSlack } from '../support/handoff.js';
import { testDeployment } from '../support/hub.js';
import { hubClient, testCodec } from '../support/payload-keys.js';
import { sandboxSlackYaml, startTestSandbox, waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl } from '../support/townhall-process.js';

const ADMIN_TOKEN = 'payload-encryption-admin-token-0123456789';
const UI_ORIGIN = 'http://temporal-ui.test:8233';
const member = {
  userId: 'UZELDA001',
  email: 'zelda.quill-7@example.org',
  name: 'Zelda Quillfeather',
};
const asking = `Hi, ${member.name} here: I need a refund, write to ${member.email}`;
const thanking = `Thanks! ${member.name} (${member.email})`;

let sandbox: Sandbox;
let t: TestDb;
let hub: TownhallProcess;
let server: string;
let taskQueue: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  const deployment = testDeployment(
    'payload-encryption',
    `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
  zendesk:
    baseUrl: ${sandbox.url}
    email: ${ZENDESK_DEFAULTS.email}
    apiToken: ${ZENDESK_DEFAULTS.apiToken}
    webhookSecret: ${ZENDESK_DEFAULTS.webhookSecret}
journeys:
  welcome:
    trigger: member.joined
    steps:
      - wait: 10m
handoff:
  quiet_after: 1h
  rules:
    - { on: keyword, platform: slack, helpdesk: zendesk, pattern: 'refund', channels: [C0GENERAL] }
`,
    t,
  );
  taskQueue = deployment.taskQueue;
  hub = await deployment.start({
    TOWNHALL_ADMIN_TOKEN: ADMIN_TOKEN,
    TOWNHALL_CODEC_CORS_ORIGIN: UI_ORIGIN,
  });
  server = printedUrl(hub, 'server');
  sandbox.setTownhallUrl(server);
});
afterAll(async () => {
  hub?.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

/** A payload as history JSON has it: base64 metadata values (`encoding` among them) and data. */
const jsonPayload = z.object({
  metadata: z.record(z.string(), z.string()).refine((metadata) => 'encoding' in metadata),
  data: z.string().optional(),
});
type JsonPayload = z.infer<typeof jsonPayload>;
const utf8 = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

/**
 * Every payload in a history (as the Temporal UI receives it), but search attributes (plain by
 * design: Temporal indexes them; ids only) and patch markers (the SDK's core writes the patch
 * id in clear: `{"id":"activity-ids-from-step-paths"}`).
 */
function payloadsIn(value: unknown, out: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(value)) for (const item of value) payloadsIn(item, out);
  else if (value && typeof value === 'object') {
    if ('markerName' in value && value.markerName === 'core_patch') return out;
    const payload = jsonPayload.safeParse(value);
    if (payload.success) out.push(payload.data);
    else
      for (const [key, child] of Object.entries(value))
        if (key !== 'searchAttributes') payloadsIn(child, out);
  }
  return out;
}

/** A run's history read as anyone with access to Temporal reads it: no codec. */
async function rawHistory(workflowId: string) {
  const raw = createTemporalClient(inject('temporalAddress'), 'default');
  try {
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const json = historyToJSON(history);
    return { json, payloads: payloadsIn(JSON.parse(json)) };
  } finally {
    await raw.connection.close();
  }
}

/** The secrets, and their base64 at every alignment (payload bytes travel as base64). */
const secrets = [member.email, member.name, 'I need a refund', 'Thanks!'];
const base64Forms = (text: string) =>
  [0, 1, 2].map((shift) => {
    const encoded = Buffer.from(`${'x'.repeat(shift)}${text}`).toString('base64');
    // Drop the characters the prefix and the padding touch.
    return encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
  });

function expectNothingInClear(json: string, payloads: JsonPayload[]) {
  const payloadText = payloads
    .map((p) => [...Object.values(p.metadata).map(utf8), utf8(p.data)].join('\n'))
    .join('\n');
  for (const secret of secrets) {
    expect(json, secret).not.toContain(secret);
    expect(payloadText, secret).not.toContain(secret);
    for (const form of base64Forms(secret)) expect(json, `${secret} as base64`).not.toContain(form);
  }
  // Not one payload escaped the codec: each is ciphertext under the test key.
  expect(payloads.length).toBeGreaterThan(0);
  for (const payload of payloads) {
    expect(utf8(payload.metadata.encoding)).toBe('binary/encrypted');
    expect(utf8(payload.metadata['encryption-key-id'])).toBe('test-1');
  }
}

const codec = (route: string, init: RequestInit = {}) => fetch(`${server}/codec/${route}`, init);
const decodeRequest = (payloads: JsonPayload[], headers: Record<string, string> = {}) =>
  codec('decode', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

let handoffId: string;
let journeyId: string;

describe('encrypted workflow payloads', () => {
  it('keeps a member’s email, name and message text out of Temporal history', async () => {
    await fetch(`${sandbox.url}/_sandbox/slack/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'team_join',
        user: {
          id: member.userId,
          name: 'zelda',
          real_name: member.name,
          profile: { email: member.email, real_name: member.name },
        },
      }),
    }).then((response) => expect(response.status).toBe(200));
    const root = await emitSlack(sandbox, { user: member.userId, text: asking });
    const ticket = await waitFor('the ticket', async () => {
      const tickets = (await (
        await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)
      ).json()) as DeskTicket[];
      return tickets.find((found) => found.external_id?.endsWith(`/${root}`));
    });
    expect(ticket.subject).toContain('I need a refund');
    // A reply in the thread reaches the run as a signal carrying the member's text.
    await emitSlack(sandbox, { user: member.userId, text: thanking, thread_ts: root });
    await waitFor('the reply on the ticket', async () => {
      const tickets = (await (
        await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)
      ).json()) as DeskTicket[];
      return tickets
        .find((found) => found.id === ticket.id)
        ?.comments.some((c) => c.body?.includes('Thanks!'))
        ? true
        : undefined;
    });

    const { id: memberId } = await t.db
      .selectFrom('members')
      .select('id')
      .where('email', '=', member.email)
      .executeTakeFirstOrThrow();
    journeyId = journeyWorkflowId('welcome', memberId);
    const client = hubClient();
    try {
      handoffId = await waitFor('the handoff run', async () => {
        for await (const run of client.workflow.list({
          query: `TaskQueue = '${taskQueue}' AND WorkflowType = 'handoff'`,
        }))
          return run.workflowId;
        return undefined;
      });
      // The hub's own client reads what its worker wrote: the codec is on both ends.
      expect((await client.workflow.getHandle(journeyId).describe()).memo).toMatchObject({
        journey: 'welcome',
      });
    } finally {
      await client.connection.close();
    }

    for (const id of [handoffId, journeyId]) {
      const { json, payloads } = await rawHistory(id);
      expectNothingInClear(json, payloads);
    }
    // The workflow ids hold ids, not the member.
    for (const id of [handoffId, journeyId])
      for (const secret of secrets) expect(id).not.toContain(secret);
  });

  it('decodes a history for the Temporal UI with the admin token, and refuses without it', async () => {
    const { payloads } = await rawHistory(handoffId);

    const without = await decodeRequest(payloads);
    expect(without.status).toBe(401);
    const wrong = await decodeRequest(payloads, { authorization: 'Bearer not-the-admin-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain(member.email);

    const answer = await decodeRequest(payloads, bearer);
    expect(answer.status).toBe(200);
    const decoded = ((await answer.json()) as { payloads: JsonPayload[] }).payloads;
    expect(decoded).toHaveLength(payloads.length);
    const text = decoded.map((p) => utf8(p.data)).join('\n');
    // What the history held, readable again: the member's words, their address and name.
    expect(text).toContain(JSON.stringify(thanking));
    expect(text).toContain(`"authorName":"${member.name}"`);
    for (const payload of decoded)
      expect(utf8(payload.metadata.encoding)).not.toBe('binary/encrypted');

    const journey = await decodeRequest((await rawHistory(journeyId)).payloads, bearer);
    expect(journey.status).toBe(200);
    const journeyText = ((await journey.json()) as { payloads: JsonPayload[] }).payloads
      .map((p) => utf8(p.data))
      .join('\n');
    expect(journeyText).toContain('"journey":"welcome"');
  });

  it('answers the Temporal UI’s preflight from its origin only, without the token', async () => {
    const preflight = (origin: string) =>
      codec('decode', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ui.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, X-Namespace',
    );

    const elsewhere = await preflight('https://evil.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(elsewhere.headers.get('access-control-allow-credentials')).toBeNull();

    const { payloads } = await rawHistory(journeyId);
    const fromUi = await decodeRequest(payloads, { ...bearer, origin: UI_ORIGIN });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const fromElsewhere = await decodeRequest(payloads, {
      ...bearer,
      origin: 'https://evil.example',
    });
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('signs a browser in with the admin token, so the UI can decode with its cookie', async () => {
    const form = await codec('session');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');

    const signIn = (token: string) =>
      codec('session', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    const refused = await signIn('not-the-admin-token');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signed = await signIn(ADMIN_TOKEN);
    expect(signed.status).toBe(200);
    const cookie = signed.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^townhall_codec=\d+\.[\w-]{43}; Path=\/codec; Max-Age=43200; HttpOnly/);
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain(ADMIN_TOKEN);
    const session = cookie.split(';')[0]!;

    const { payloads } = await rawHistory(journeyId);
    expect((await decodeRequest(payloads, { cookie: session })).status).toBe(200);
    // A cookie not made by this hub, or past its time, is no session.
    const [expires, mac] = session.split('=')[1]!.split('.');
    const forged = `townhall_codec=${Number(expires) + 1}.${mac}`;
    expect((await decodeRequest(payloads, { cookie: forged })).status).toBe(401);
    expect((await decodeRequest(payloads, { cookie: `townhall_codec=1.${mac}` })).status).toBe(401);
  });

  it('encodes for the UI with the current key, and says why a payload will not decode', async () => {
    const plain = defaultPayloadConverter.toPayload({ hello: member.name });
    const toJson = (payload: Payload): JsonPayload => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v).toString('base64'),
        ]),
      ),
      data: Buffer.from(payload.data ?? []).toString('base64'),
    });
    const encoded = await codec('encode', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer },
      body: JSON.stringify({ payloads: [toJson(plain)] }),
    });
    expect(encoded.status).toBe(200);
    const [cipher] = ((await encoded.json()) as { payloads: JsonPayload[] }).payloads;
    expect(utf8(cipher!.data)).not.toContain(member.name);
    const [back] = await testCodec().decode([
      {
        metadata: Object.fromEntries(
          Object.entries(cipher!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(cipher!.data!, 'base64'),
      },
    ]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual({ hello: member.name });

    // A byte changed in transit: refused, naming the key id, never the key.
    const data = Buffer.from(cipher!.data!, 'base64');
    data[data.length - 1]! ^= 0xff;
    const tampered = await decodeRequest(
      [{ metadata: cipher!.metadata, data: data.toString('base64') }],
      bearer,
    );
    expect(tampered.status).toBe(422);
    expect(((await tampered.json()) as { error: string }).error).toContain(
      'key id "test-1") failed authentication',
    );

    expect((await decodeRequest([{ metadata: {}, data: '%%%' }], bearer)).status).toBe(400);
    const notJson = await codec('decode', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(notJson.status).toBe(415);
  });

  it('lets a worker start beside schedules whose memos another deployment’s key encrypted', async () => {
    const queue = `payload-schedules-${Date.now()}`;
    const ours = hubClient();
    const theirs = createTemporalClient(
      inject('temporalAddress'),
      'default',
      new PayloadEncryptionCodec(parsePayloadKeys(`other-1:${randomBytes(32).toString('base64')}`)),
    );
    const create = (client: typeof ours, scheduleId: string) =>
      client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'noop', taskQueue: queue, args: [] },
        state: { paused: true },
        memo: { managedBy: 'townhall', taskQueue: queue },
      });
    try {
      await create(theirs, `${queue}-theirs`);
      await create(ours, `${queue}-stale`);
      const listed = async () =>
        ((await ours.workflowService.listSchedules({ namespace: 'default' })).schedules ?? []).map(
          (raw) => raw.scheduleId,
        );
      await waitFor('both schedules listed', async () => {
        const ids = await listed();
        return ids.includes(`${queue}-theirs`) && ids.includes(`${queue}-stale`) ? true : undefined;
      });
      const logger = createLogger('test');
      logger.level = 'silent';
      // The config asks for none: this deployment's stale one goes; the one it cannot read is
      // skipped (the SDK's own list would throw on it, and the worker would not start).
      await ensureSchedules(ours, [], { taskQueue: queue, logger });
      await expect(ours.schedule.getHandle(`${queue}-stale`).describe()).rejects.toThrow(
        ScheduleNotFoundError,
      );
      expect((await theirs.schedule.getHandle(`${queue}-theirs`).describe()).memo).toEqual({
        managedBy: 'townhall',
        taskQueue: queue,
      });
    } finally {
      await theirs.schedule
        .getHandle(`${queue}-theirs`)
        .delete()
        .catch(() => undefined);
      await ours.schedule
        .getHandle(`${queue}-stale`)
        .delete()
        .catch(() => undefined);
      await Promise.all([ours.connection.close(), theirs.connection.close()]);
    }
  });

  it('is not there at all without an admin token', async () => {
    const logger = createLogger('test');
    logger.level = 'silent';
    const app = createApp({
      logger,
      checks: {},
      webhooks: {},
      routers: codecRouters({ codec: testCodec(), logger, origins: [UI_ORIGIN] }, undefined),
    });
    const listening = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const address = listening.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${address.port}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(response.status).toBe(404);
    } finally {
      listening.close();
    }
  });
});
