import { describe, expect, it } from 'vitest';
import { StatementNames } from '../../store/statement-names.js';

/** Runs `text` until it is named (its second run), and returns the name. */
const named = (names: StatementNames, text: string) => names.nameOf(text) ?? names.nameOf(text);

describe('StatementNames', () => {
  it('names a statement on its second run, and keeps the name', () => {
    const names = new StatementNames();
    expect(names.nameOf('select $1')).toBeUndefined();
    const name = names.nameOf('select $1');
    expect(name).toMatch(/^townhall_\d+$/);
    expect(names.nameOf('select $1')).toBe(name);
    expect(named(names, 'select $1 + 1')).not.toBe(name);
  });

  it('keeps a name after a failure the server reports on a sound statement', () => {
    const names = new StatementNames();
    const name = named(names, 'select 1 / $1')!;
    names.failed('select 1 / $1', name, { code: '22012', severity: 'ERROR' });
    expect(names.nameOf('select 1 / $1')).toBe(name);
  });

  it.each([
    ['the client could not send the values', new TypeError('circular')],
    ['the session has no such statement', { code: '26000' }],
    ['a migration changed its result columns', { code: '0A000', routine: 'RevalidateCachedQuery' }],
  ])('gives a statement a new name when %s', (_, error) => {
    const names = new StatementNames();
    const name = named(names, 'select * from t where a = $1')!;
    names.failed('select * from t where a = $1', name, error);
    // Let go: the text is named again as a new text is, on its second run from here.
    const renamed = named(names, 'select * from t where a = $1');
    expect(renamed).toMatch(/^townhall_\d+$/);
    expect(renamed).not.toBe(name);
  });

  it('names 1,000 statements at most, and still renames one of them at the cap', () => {
    const names = new StatementNames();
    for (let i = 0; i < 1_000; i++) expect(named(names, `select $1, ${i}`)).toBeDefined();
    expect(named(names, 'select $1, 1000')).toBeUndefined();
    const name = names.nameOf('select $1, 7')!;
    names.failed('select $1, 7', name, { code: '26000' });
    const renamed = named(names, 'select $1, 7');
    expect(renamed).toMatch(/^townhall_\d+$/);
    expect(renamed).not.toBe(name);
  });
});
