/**
 * Every connector townhall has, listed explicitly (no folder scanning): config schema, webhook
 * routes, listeners, capabilities, log redaction and the sandbox all loop over this list. A new
 * vendor is its folder plus one line here.
 */
import type { AnyConnector } from './descriptor.js';
import { discord } from './discord/index.js';
import { discourse } from './discourse/index.js';
import { email } from './email/index.js';
import { freshdesk } from './freshdesk/index.js';
import { reddit } from './reddit/index.js';
import { hubspot } from './hubspot/index.js';
import { intercom } from './intercom/index.js';
import { salesforce } from './salesforce/index.js';
import { slack } from './slack/index.js';
import { zendesk } from './zendesk/index.js';

export const connectors = [
  slack,
  discord,
  discourse,
  hubspot,
  salesforce,
  zendesk,
  intercom,
  freshdesk,
  reddit,
  email,
] as const;

export type Connectors = typeof connectors;

/** The registry as code that loops over it sees it. */
export const registry: readonly AnyConnector[] = connectors;
