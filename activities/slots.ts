/**
 * At most `size` pieces of work at a time in this process; the rest wait their turn in order.
 * A waiting caller keeps its own heartbeat going (it waits inside its activity), and one whose
 * `signal` aborts (its activity cancelled or timed out) leaves the line without running.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.free > 0) this.free--;
    else await this.turn(signal);
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  /** Resolves once a slot is handed over; rejects, out of the line, if `signal` aborts first. */
  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const handOver = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(handOver), 1);
        const reason: unknown = signal?.reason;
        reject(reason instanceof Error ? reason : new Error('cancelled while waiting for a slot'));
      };
      this.waiting.push(handOver);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
