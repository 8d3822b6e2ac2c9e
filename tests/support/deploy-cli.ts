// The CLI the stack's services and the image run: its command list, from `townhall --help`.
import { execFileSync } from 'node:child_process';
import type { Doc } from './deploy-compose.js';
import { ROOT, townhallServices } from './deploy-compose.js';

export function cliCommands(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => /^Commands:\s*$/.test(line));
  if (start < 0) throw new Error(`no Commands: section in the help:\n${help}`);
  const commands: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next section
    const match = /^ {2}([a-z][\w-]*)/.exec(line); // continuation lines are indented further
    if (match) commands.push(match[1]!);
  }
  return commands;
}

/** `townhall --help`, run once per test file. */
let helpOutput: string | undefined;
export function townhallHelp(): string {
  helpOutput ??= execFileSync(process.execPath, ['bin/townhall.js', '--help'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return helpOutput;
}

/** `[node, bin/townhall.js, <command>, ...]`: the command, or a problem. */
export function townhallCommand(command: unknown): { command?: string; problem?: string } {
  const argv = typeof command === 'string' ? command.split(/\s+/) : (command as string[]);
  if (!Array.isArray(argv) || argv[0] !== 'node' || argv[1] !== 'bin/townhall.js' || !argv[2])
    return { problem: `${JSON.stringify(command)} is not node bin/townhall.js <command>` };
  return { command: argv[2] };
}

export function unknownCommands(doc: Doc, known: string[]): string[] {
  return townhallServices(doc).flatMap(([name, service]) => {
    const { command, problem } = townhallCommand(service.command);
    if (problem) return [`services.${name}.command: ${problem}`];
    return known.includes(command!) ? [] : [`services.${name}.command: no CLI command ${command}`];
  });
}
