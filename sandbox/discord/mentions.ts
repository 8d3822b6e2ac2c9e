/**
 * Who a posted message pings, as Discord decides it (Message Resource, "Allowed Mentions
 * Object"): the mentions its content writes, not escaped with a backslash, as far as the
 * request's `allowed_mentions` allows them. `parse` lists the kinds content may ping
 * (`everyone` covers @everyone and @here, `users` is `<@id>`, `roles` is `<@&id>`); `users` and
 * `roles` list ids allowed besides. Without `allowed_mentions` everything written pings (the
 * sandbox's bot may mention everyone). Replies pinging their author are not modelled.
 */
export interface AllowedMentions {
  parse?: string[] | null;
  users?: string[] | null;
  roles?: string[] | null;
}

export interface Pings {
  /** @everyone or @here pinged the channel: the message's `mention_everyone`. */
  everyone: boolean;
  userIds: string[];
  roleIds: string[];
}

export const NO_PINGS: Pings = { everyone: false, userIds: [], roleIds: [] };

/** An escaped character first, so `\<@1>` and `\@everyone` are passed over as text. */
const MENTION = /\\[\s\S]|@(everyone|here)(?![\w])|<@!?(\d+)>|<@&(\d+)>/g;

export function pingsOf(content: string, allowed: AllowedMentions | null | undefined): Pings {
  const parse = allowed ? new Set(allowed.parse ?? []) : new Set(['everyone', 'users', 'roles']);
  const users = new Set(allowed?.users ?? []);
  const roles = new Set(allowed?.roles ?? []);
  const pings: Pings = { everyone: false, userIds: [], roleIds: [] };
  for (const [, everyone, userId, roleId] of content.matchAll(MENTION)) {
    if (everyone && parse.has('everyone')) pings.everyone = true;
    if (userId && (parse.has('users') || users.has(userId)) && !pings.userIds.includes(userId))
      pings.userIds.push(userId);
    if (roleId && (parse.has('roles') || roles.has(roleId)) && !pings.roleIds.includes(roleId))
      pings.roleIds.push(roleId);
  }
  return pings;
}
