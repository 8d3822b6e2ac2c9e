import type { Channel } from 'discord.js';
import type { ChannelInfo } from './normalize.js';

/** A dispatch waiting for route(): what it carried and what the channel cache knew of it. */
export interface Queued {
  t: string;
  d: unknown;
  s: number;
  sessionId: string;
  receivedAt: Date;
  /** The channels the payload names, as the cache knew them on arrival. */
  channels: Map<string, ChannelInfo>;
}

export const toSpool = (item: Queued) => ({ ...item, channels: [...item.channels] });

/** A spooled dispatch back from JSON (its Map of channels and Date were flattened). */
export function fromSpool(value: unknown): Queued | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.t !== 'string' || typeof v.s !== 'number' || typeof v.sessionId !== 'string')
    return undefined;
  const channels = new Map<string, ChannelInfo>(
    Array.isArray(v.channels) ? (v.channels as [string, ChannelInfo][]) : [],
  );
  return {
    t: v.t,
    d: v.d,
    s: v.s,
    sessionId: v.sessionId,
    receivedAt: new Date(typeof v.receivedAt === 'string' ? v.receivedAt : Date.now()),
    channels,
  };
}

export function channelInfo(channel: Channel | null | undefined): ChannelInfo | undefined {
  if (!channel) return undefined;
  return {
    type: channel.type,
    parentId:
      'parentId' in channel && typeof channel.parentId === 'string' ? channel.parentId : null,
  };
}
