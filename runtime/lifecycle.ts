/**
 * Stops what was started, last first, once, on SIGINT/SIGTERM. A second signal forces exit.
 */
export function onShutdown(log: (line: string) => void) {
  const stoppers: { name: string; stop: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;

  async function stopAll(): Promise<void> {
    for (const { name, stop } of stoppers.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`error while stopping ${name}: ${(error as Error).message}`);
      }
    }
  }

  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    log(`${signal}: shutting down...`);
    stopping = stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);

  return {
    add(name: string, stop: () => Promise<void>) {
      stoppers.push({ name, stop });
    },
    stopAll: () => (stopping ??= stopAll()),
  };
}
