import express from 'express';
import type { SlackConfig } from '../../connectors/slack/config.js';
import type { Emulator, EmulatorDefinition } from '../emulator.js';
import { createSlackEmitter } from './events.js';
import { slackInspectionRoutes } from './inspect.js';
import { createSlackWebApi } from './web.js';
import type { Workspace } from './workspace.js';
import { createWorkspace } from './workspace.js';

export interface SlackEmulatorOptions {
  /** Signs the Events API deliveries and slash commands sent to townhall. */
  signingSecret: string;
  /** The bot token (xoxb-...) the Web API accepts, with every scope townhall uses. */
  botToken: string;
  /** Waits before the emitter's retries 1..3; 0.5 s, 1 s, 2 s by default. */
  retryDelaysMs: readonly number[];
  /** The Slack Web API description; sandbox/specs/slack/web-api.openapi.json by default. */
  specPath: string;
}

export interface SlackEmulator extends Emulator {
  /** The one workspace both halves share: its people, conversations and messages. */
  readonly workspace: Workspace;
}

/** The credentials config/examples/sandbox.yaml uses. */
export const SLACK_DEFAULTS = {
  signingSecret: 'sandbox-slack-signing-secret',
  botToken: 'xoxb-sandbox-bot-token',
} as const;

/**
 * Slack: the Web API (/api/<method>) and the Events API emitter (/_sandbox/slack/emit,
 * /_sandbox/slack/command) around one workspace, so emitted joins and messages are what the
 * Web API then finds.
 */
export const slackEmulator: EmulatorDefinition<SlackConfig, SlackEmulatorOptions, SlackEmulator> = {
  create(options, context) {
    const workspace = createWorkspace();
    const web = createSlackWebApi({
      workspace,
      botToken: options.botToken ?? SLACK_DEFAULTS.botToken,
      faults: context.faults,
      ...(options.specPath ? { specPath: options.specPath } : {}),
    });
    const emitter = createSlackEmitter({
      signingSecret: options.signingSecret ?? SLACK_DEFAULTS.signingSecret,
      townhallUrl: () => context.townhallUrl(),
      workspace,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    });
    const router = express.Router();
    router.use(emitter.router, web.router, slackInspectionRoutes(workspace, web));
    return {
      router,
      workspace,
      reset() {
        workspace.reset();
        web.reset();
      },
      examples: (url: string) => ({
        join:
          `curl -s -X POST ${url}/_sandbox/slack/emit -H 'content-type: application/json' \\\n` +
          `    -d '{"type":"team_join","user":{"id":"U123","name":"ada","profile":{"email":"ada@example.com","real_name":"Ada Lovelace"}}}'`,
        inspect: `curl -s ${url}/_sandbox/slack/messages`,
      }),
    };
  },

  fromConfig(config) {
    return {
      signingSecret: config.signingSecret,
      // Without one, townhall makes no Web API calls; the emulator keeps its own.
      ...(config.botToken ? { botToken: config.botToken } : {}),
    };
  },
};
