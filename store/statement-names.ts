/** Distinct statements named at most; past it, statements run unnamed as before. */
const MOST_NAMED = 1_000;
/** Texts remembered as seen once; past it the memory starts over. */
const MOST_SEEN = 5_000;

/**
 * Names for prepared statements, shared by a pool's sessions: a statement text is named on its
 * second run, so one-off texts (an `in` list of a length seen once) never hold a plan.
 */
export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #seen = new Set<string>();
  /** Never reused: a session may still hold a statement under a name this has let go. */
  #issued = 0;

  /**
   * Runs `text` through `run`, with the name to prepare it under (undefined: run it unnamed),
   * and lets the name go when the failure can have broken it.
   */
  async run<T>(text: string, run: (name: string | undefined) => Promise<T>): Promise<T> {
    const name = this.nameOf(text);
    if (name === undefined) return run(undefined);
    try {
      return await run(name);
    } catch (error) {
      this.failed(text, name, error);
      throw error;
    }
  }

  /** The name to prepare `text` under, or undefined to run it unnamed. */
  nameOf(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined || this.#names.size >= MOST_NAMED) return name;
    if (!this.#seen.has(text)) {
      if (this.#seen.size >= MOST_SEEN) this.#seen.clear();
      this.#seen.add(text);
      return undefined;
    }
    this.#seen.delete(text);
    const issued = `townhall_${this.#issued++}`;
    this.#names.set(text, issued);
    return issued;
  }

  /**
   * After `text` failed under `name`: a new name next time where the failure can leave the name
   * broken on a session. The server says so in its fields, never its message: no SQLSTATE (the
   * client failed to send the values, and pg closed the statement it had parsed), 26000 (the
   * session has no such statement), or the routine that refuses a statement whose result
   * columns a migration changed. Other failures (a value a column refuses) leave it sound. A
   * text let go is named again as a new text is, from its second run on.
   */
  failed(text: string, name: string, error: unknown): void {
    const { code, routine } = (typeof error === 'object' && error !== null ? error : {}) as {
      code?: unknown;
      routine?: unknown;
    };
    const broken =
      typeof code !== 'string' || code === '26000' || routine === 'RevalidateCachedQuery';
    if (broken && this.#names.get(text) === name) this.#names.delete(text);
  }
}
