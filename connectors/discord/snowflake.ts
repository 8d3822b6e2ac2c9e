/** Discord's epoch (2015-01-01T00:00:00Z); a snowflake's top 42 bits count milliseconds since. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** When a snowflake (message, interaction, user ...) was created. */
export function snowflakeTime(id: string): Date {
  return new Date(Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

export const isSnowflake = (value: string) => /^\d{1,20}$/.test(value);
