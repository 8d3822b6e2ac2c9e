import type { Request, RequestHandler, Response } from 'express';
import { fail, notFound } from './errors.js';
import type { FieldValue } from './search.js';
import { SearchError, compileQuery, page } from './search.js';
import type { Method } from './spec.js';
import type { Contact, Conversation, Part, Ticket, Workspace } from './store.js';

/** What the API routes share: the spec check, contact references, search, replies. */

/** A route's spec check: the operation as the description names it (method + path template). */
export type Conforms = (method: Method, template: string) => RequestHandler;

export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const lower = (value: string | null | undefined) => value?.toLowerCase() ?? null;
export const searchable = <T extends { searchableAt: number }>(records: Iterable<T>) =>
  [...records].filter((record) => record.searchableAt <= Date.now());

export interface ApiContext {
  ws: Workspace;
  conforms: Conforms;
  /** A contact by id, external_id or email, as request bodies name them. */
  contactRef: (ref: { id?: string; external_id?: string; email?: string }) => Contact | undefined;
  /** Runs a search body against records; answers 400 (and undefined) for unknown fields. */
  search: <T>(
    req: Request,
    res: Response,
    records: T[],
    read: (record: T, field: string) => FieldValue,
    known: (field: string) => boolean,
    defaultPerPage: number,
  ) => ReturnType<typeof page<T>> | undefined;
  /** An admin comment or note, or a contact's comment; undefined once a failure is sent. */
  replyPart: (res: Response, target: Ticket | Conversation, body: ReplyBody) => Part | undefined;
}

export interface ReplyBody {
  type: 'admin' | 'user';
  message_type: string;
  body?: string;
  admin_id?: string;
  intercom_user_id?: string;
  user_id?: string;
  email?: string;
}

export function apiContext(ws: Workspace, conforms: Conforms): ApiContext {
  function contactRef(ref: { id?: string; external_id?: string; email?: string }) {
    const all = [...ws.contacts.values()];
    if (ref.id !== undefined) return ws.contacts.get(ref.id);
    if (ref.external_id !== undefined) return all.find((c) => c.externalId === ref.external_id);
    return all.find((c) => lower(c.email) === lower(ref.email));
  }

  /** Runs a search body against records; answers 400 for fields the object does not have. */
  function search<T>(
    req: Request,
    res: Response,
    records: T[],
    read: (record: T, field: string) => FieldValue,
    known: (field: string) => boolean,
    defaultPerPage: number,
  ) {
    const body = req.body as { query: unknown; pagination?: unknown };
    try {
      const matches = compileQuery(body.query, read, known);
      return page(records.filter(matches), body.pagination, defaultPerPage);
    } catch (error) {
      if (!(error instanceof SearchError)) throw error;
      fail(res, 400, { code: error.code, message: error.message });
      return undefined;
    }
  }

  function replyPart(
    res: Response,
    target: Ticket | Conversation,
    body: ReplyBody,
  ): Part | undefined {
    if (body.type === 'admin') {
      const admin = ws.admins.get(String(body.admin_id));
      if (!admin) {
        fail(res, 404, { code: 'admin_not_found', message: 'Admin not found' });
        return undefined;
      }
      if (body.message_type !== 'quick_reply' && !body.body?.trim()) {
        fail(res, 400, { code: 'parameter_not_found', message: 'Body is required' });
        return undefined;
      }
      return ws.addPart(target, {
        partType: body.message_type,
        body: body.body ?? null,
        author: { type: 'admin', id: admin.id, name: admin.name, email: admin.email },
      });
    }
    const contact = contactRef(
      body.intercom_user_id !== undefined
        ? { id: body.intercom_user_id }
        : body.user_id !== undefined
          ? { external_id: body.user_id }
          : { email: body.email ?? '' },
    );
    if (!contact) {
      notFound(res, 'User Not Found');
      return undefined;
    }
    return ws.addPart(target, {
      partType: 'comment',
      body: body.body ?? null,
      author: { type: 'user', id: contact.id, name: contact.name, email: contact.email ?? '' },
    });
  }

  return { ws, conforms, contactRef, search, replyPart };
}
