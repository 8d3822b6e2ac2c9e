import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../connectors/index.js';

/**
 * Vendor knowledge lives in connectors/<vendor>/ (and its emulator in sandbox/<vendor>/): the
 * code around them loops over the registry. Comments may name vendors (they explain); code and
 * messages may not. Email is left out: it is a channel every member has, not a vendor.
 */
const FOLDERS = ['server', 'runtime', 'config', 'workflows', 'activities', 'bin'];
const VENDORS = registry.map((connector) => connector.id).filter((id) => id !== 'email');

/** The file without its comments (line and block), keeping strings: those are what users see. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function offenders(files: string[], read: (file: string) => string): string[] {
  return files.flatMap((file) => {
    const code = withoutComments(read(file));
    return VENDORS.filter((vendor) => new RegExp(`\\b${vendor}\\b`, 'i').test(code)).map(
      (vendor) => `${file}: ${vendor}`,
    );
  });
}

describe('nothing outside a connector names a vendor', () => {
  it('holds for server, runtime, config, workflows, activities and bin', () => {
    const files = execFileSync(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', ...FOLDERS],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((file) => file.endsWith('.ts') && !file.startsWith('config/examples/'));
    expect(files.length).toBeGreaterThan(20);
    expect(offenders(files, (file) => readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('would catch one that did', () => {
    const planted = {
      'server/a.ts': "const route = '/webhooks/zendesk';",
      'server/b.ts': '// Zendesk signs with base64 HMAC\nconst ok = true;',
      'server/c.ts': '/* Slack\n retries */ const text = `Hubspot says ${x}`;',
    };
    expect(
      offenders(Object.keys(planted), (file) => planted[file as keyof typeof planted]),
    ).toEqual(['server/a.ts: zendesk', 'server/c.ts: hubspot']);
  });
});
