import express from 'express';
import type { SlackWebApi } from './web.js';
import type { Answer } from './web-params.js';
import { text } from './web-params.js';
import { serializeUser } from './web-serialize.js';
import type { Workspace } from './workspace.js';

/**
 * /_sandbox/slack/...: what townhall did (messages, calls) and what people do (post messages,
 * join), plus extra tokens for tests of missing scopes.
 */
export function slackInspectionRoutes(workspace: Workspace, web: SlackWebApi) {
  const router = express.Router();

  router.get('/_sandbox/slack/messages', (req, res) => {
    const channel = text(req.query.channel);
    res.json(
      workspace.messages
        .filter((m) => !channel || m.channel === channel)
        .map((m) => ({
          channel: m.channel,
          ts: m.ts,
          thread_ts: m.threadTs,
          text: m.text,
          user: m.user,
          bot_id: m.botId,
          subtype: m.subtype,
          metadata: m.metadata,
        })),
    );
  });

  /** Messages people posted (a thread to reply to, history to page through): one or a list. */
  router.post('/_sandbox/slack/messages', express.json({ limit: '5mb' }), (req, res) => {
    const list = (Array.isArray(req.body) ? req.body : [req.body]) as Answer[];
    const created: { channel: string; ts: string }[] = [];
    for (const item of list) {
      const channel = workspace.conversations.get(text(item?.channel) ?? '');
      const user = workspace.users.get(text(item?.user) ?? '');
      if (!channel || !user || typeof item.text !== 'string') {
        res
          .status(400)
          .json({ error: 'each message needs a known channel, a known user and text' });
        return;
      }
      const message = workspace.post({
        channel: channel.id,
        threadTs: text(item.thread_ts) ?? null,
        user: user.id,
        botId: null,
        appId: null,
        text: item.text,
        subtype: null,
        metadata: null,
      });
      created.push({ channel: message.channel, ts: message.ts });
    }
    res.status(201).json(Array.isArray(req.body) ? created : created[0]);
  });

  /** Every reaction on a message (townhall's own among them), one entry per message and emoji. */
  router.get('/_sandbox/slack/reactions', (req, res) => {
    const channel = text(req.query.channel);
    res.json(
      workspace.messages
        .filter((m) => !channel || m.channel === channel)
        .flatMap((m) =>
          workspace
            .reactionsOn(m.channel, m.ts)
            .map((r) => ({ channel: m.channel, ts: m.ts, ...r })),
        ),
    );
  });

  router.get('/_sandbox/slack/users', (_req, res) => {
    res.json([...workspace.users.values()].map((u) => serializeUser(u, true)));
  });

  router.post('/_sandbox/slack/users', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Answer;
    const name = text(body.name);
    const id = text(body.id);
    if (!name || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      res.status(400).json({ error: 'a user needs a lowercase "name" (the handle)' });
      return;
    }
    if (id !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(id)) {
      res.status(400).json({ error: '"id" must look like a Slack user id, e.g. U0123ABCD' });
      return;
    }
    if (
      (id && workspace.users.has(id)) ||
      [...workspace.users.values()].some((u) => u.name === name)
    ) {
      res.status(409).json({ error: 'a user with that id or name exists' });
      return;
    }
    const user = workspace.addUser({
      ...(id ? { id } : {}),
      name,
      ...(text(body.real_name) ? { realName: text(body.real_name) } : {}),
      email: text(body.email) ?? null,
      isBot: body.is_bot === true,
    });
    res.status(201).json(serializeUser(user, true));
  });

  /** Another token with the given scopes, e.g. one without users:read.email. */
  router.post('/_sandbox/slack/tokens', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { token?: unknown; scopes?: unknown };
    if (typeof body.token !== 'string' || !Array.isArray(body.scopes)) {
      res
        .status(400)
        .json({ error: 'body: { "token": "xoxb-...", "scopes": ["chat:write", ...] }' });
      return;
    }
    web.grant(body.token, body.scopes.map(String));
    res.status(201).json({ token: body.token, scopes: body.scopes });
  });

  router.get('/_sandbox/slack/calls', (_req, res) => {
    res.json(web.calls());
  });

  return router;
}
