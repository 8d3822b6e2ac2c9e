import type { Session } from './gateway-protocol.js';
import { serializeChannel, serializeMember, serializeRole, serializeUser } from './serialize.js';
import type { GuildState } from './store.js';

/** READY: who the bot is, the guild (unavailable until GUILD_CREATE), where to resume. */
export function readyPayload(state: GuildState, session: Session, resumeUrl: string) {
  const bot = state.users.get(state.ids.bot)!;
  return {
    v: 10,
    user: { ...serializeUser(bot), verified: true, mfa_enabled: false, email: null },
    guilds: [{ id: state.ids.guild, unavailable: true }],
    session_id: session.id,
    session_type: 'normal',
    resume_gateway_url: resumeUrl,
    shard: session.shard,
    application: { id: state.ids.application, flags: 0 },
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: ['sandbox'],
    user_settings: {},
    auth: {},
    _trace: ['["sandbox-gateway",{"micros":0}]'],
  };
}

/** GUILD_CREATE after READY: the whole guild, its members, channels and threads. */
export function guildCreatePayload(state: GuildState) {
  const channels = [...state.channels.values()].filter((c) => c.type !== 1 && c.type !== 11);
  const threads = [...state.channels.values()].filter((c) => c.type === 11);
  const strip = (channel: ReturnType<typeof serializeChannel>) => {
    const { guild_id: _guild, ...rest } = channel as { guild_id?: string };
    return rest;
  };
  return {
    id: state.ids.guild,
    name: 'townhall sandbox',
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: state.ids.users.ada,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    system_channel_id: state.ids.channels.general,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    features: [],
    emojis: [],
    stickers: [],
    roles: [...state.roles.values()].map(serializeRole),
    application_id: null,
    joined_at: state.members.get(state.ids.bot)?.joinedAt,
    large: false,
    unavailable: false,
    lazy: true,
    member_count: state.members.size,
    members: [...state.members.values()].map((member) => serializeMember(state, member)),
    channels: channels.map((channel) => strip(serializeChannel(state, channel))),
    threads: threads.map((thread) => serializeChannel(state, thread)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
  };
}
