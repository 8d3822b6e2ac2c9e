import { existsSync } from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { ConnectorError } from '../connectors/errors.js';

/**
 * The one template language of every message townhall sends (email, DMs, thread replies):
 * Liquid, with unknown variables and filters as errors, so a typo never sends "Hi ," to everyone
 * who joins. A template that cannot be found or rendered is the step's invalid input: a
 * ConnectorError('invalid'), which fails the step for good instead of retrying it.
 */
const strict = { strictVariables: true, strictFilters: true } as const;

/** Inline templates (subjects, DM text); member values are inserted as written. */
const inline = new Liquid(strict);

function templateError(what: string, cause?: unknown): ConnectorError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new ConnectorError('invalid', `${what}${reason}`, { vendor: 'template', cause });
}

/** One engine per platform escape, made on first use. */
const escapingEngines = new WeakMap<(value: string) => string, Liquid>();
function escapingEngine(escape: (value: string) => string): Liquid {
  let engine = escapingEngines.get(escape);
  if (!engine) {
    engine = new Liquid({ ...strict, outputEscape: (value: unknown) => escape(String(value)) });
    escapingEngines.set(escape, engine);
  }
  return engine;
}

/** Renders one inline template, e.g. a subject or a DM text. `what` names it in errors. */
export async function renderText(
  source: string,
  vars: Record<string, unknown>,
  what: string,
  /** Applied to every value the template inserts: the platform's escape for member text. */
  escape?: (value: string) => string,
): Promise<string> {
  try {
    const engine = escape ? escapingEngine(escape) : inline;
    return String(await engine.parseAndRender(source, vars)).trim();
  } catch (error) {
    throw templateError(`${what} failed to render`, error);
  }
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

/**
 * Email templates: `<name>.txt.liquid` (required) and `<name>.html.liquid` (optional) in one
 * folder. The HTML part escapes every value it inserts: a member's display name is theirs to
 * choose, and must never become markup in a mail sent from the community's own domain.
 */
export function createEmailRenderer(templatesDir: string) {
  const text = new Liquid({ ...strict, root: templatesDir, cache: true });
  const html = new Liquid({ ...strict, root: templatesDir, cache: true, outputEscape: 'escape' });

  return async function render(
    template: string,
    subject: string,
    vars: Record<string, unknown>,
  ): Promise<RenderedEmail> {
    const textFile = path.join(templatesDir, `${template}.txt.liquid`);
    if (!/^[\w-]+$/.test(template) || !existsSync(textFile))
      throw templateError(`email template "${template}" not found (expected ${textFile})`);
    const htmlFile = `${template}.html.liquid`;
    const rendered: RenderedEmail = {
      subject: await renderText(subject, vars, `email template "${template}" subject`),
      text: '',
    };
    try {
      rendered.text = String(await text.renderFile(`${template}.txt.liquid`, vars));
      if (existsSync(path.join(templatesDir, htmlFile)))
        rendered.html = String(await html.renderFile(htmlFile, vars));
    } catch (error) {
      throw templateError(`email template "${template}" failed to render`, error);
    }
    return rendered;
  };
}

export type EmailRenderer = ReturnType<typeof createEmailRenderer>;
