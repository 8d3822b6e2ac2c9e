import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * A write-ahead file of gateway dispatches not yet accepted by route(): each is written as it
 * arrives and marked done once accepted, so a crash while the store or Temporal is down loses
 * none of them (Discord replays only to the session that missed them, which dies with the
 * process). Replaying one twice is harmless: the router deduplicates by event id.
 * Lines are `{"add": {key, item}}` or `{"done": key}`.
 */
export interface Spool<T> {
  /** Items added and not marked done (left by a previous run), oldest first. */
  pending(): { key: string; item: T }[];
  add(key: string, item: T): void;
  done(key: string): void;
  /** Rewrites the file with only the pending items. */
  compact(): void;
}

export function openSpool<T>(
  file: string,
  /** Items to and from JSON-safe values. */
  codec: { toJson: (item: T) => unknown; fromJson: (value: unknown) => T | undefined },
): Spool<T> {
  function read(): Map<string, T> {
    const pending = new Map<string, T>();
    if (!existsSync(file)) return pending;
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let line: { add?: { key?: unknown; item?: unknown }; done?: unknown };
      try {
        line = JSON.parse(text) as typeof line;
      } catch {
        continue; // a torn last line from a crash mid-write
      }
      if (typeof line.done === 'string') pending.delete(line.done);
      else if (typeof line.add?.key === 'string') {
        const item = codec.fromJson(line.add.item);
        if (item !== undefined) pending.set(line.add.key, item);
      }
    }
    return pending;
  }
  const write = (lines: unknown[]) =>
    appendFileSync(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), {
      mode: 0o600,
    });

  return {
    pending: () => [...read()].map(([key, item]) => ({ key, item })),
    add: (key, item) => write([{ add: { key, item: codec.toJson(item) } }]),
    done: (key) => write([{ done: key }]),
    compact() {
      const lines = [...read()].map(
        ([key, item]) => `${JSON.stringify({ add: { key, item: codec.toJson(item) } })}\n`,
      );
      writeFileSync(`${file}.tmp`, lines.join(''), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}
