import express from 'express';
import type { Conforms } from './api-helpers.js';
import { apiContext } from './api-helpers.js';
import { conversationRoutes } from './conversations.js';
import { directoryRoutes } from './directory.js';
import type { IntercomEmitter } from './emit.js';
import type { Workspace } from './store.js';
import { ticketRoutes } from './tickets.js';

/** The REST API routes townhall calls, each checked by `conforms` against the description. */
export function intercomApi(ws: Workspace, emitter: IntercomEmitter, conforms: Conforms) {
  const context = apiContext(ws, conforms);
  const router = express.Router();
  router.use(
    directoryRoutes(context),
    ticketRoutes(context, emitter),
    conversationRoutes(context, emitter),
  );
  return router;
}
