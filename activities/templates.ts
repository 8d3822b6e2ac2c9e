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

/** Inline templates without a platform escape; member values are inserted as written. */
const inline = new Liquid(strict);

function templateError(what: string, cause?: unknown): ConnectorError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new ConnectorError('invalid', `${what}${reason}`, { vendor: 'template', cause });
}

/** One engine per escape, made on first use. */
const escapingEngines = new WeakMap<(value: string) => string, Liquid>();
function escapingEngine(escape: (value: string) => string): Liquid {
  let engine = escapingEngines.get(escape);
  if (!engine) {
    engine = new Liquid({ ...strict, outputEscape: (value: unknown) => escape(String(value)) });
    escapingEngines.set(escape, engine);
  }
  return engine;
}

/** Line breaks of every kind (CR, LF, VT, FF, NEL, LS, PS) and the other control characters. */
const BREAKS_AND_CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * A value made one line: line breaks and control characters become one space. A subject or a
 * title is a header or a single line; a member's "Ada\r\nBcc: …" must not become two.
 */
export function oneLine(value: string): string {
  return value.replace(BREAKS_AND_CONTROLS, ' ');
}

/**
 * Member text with no live link: a word joiner (U+2060, invisible) after `.`, `:` and `@`
 * inside a word, so `https://evil.example/reset`, `evil.example` and `a@evil.example` read the
 * same but are never turned into links by a mail client or a chat app.
 */
export function inertLinks(value: string): string {
  return value.replace(/([.:@])(?=\S)/g, '$1\u2060');
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** Member text in an HTML email: markup escaped, links inert. */
export function escapeEmailHtml(value: string): string {
  return inertLinks(value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!));
}

/** Renders one inline template, e.g. a DM text. `what` names it in errors. */
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

/** Every value a one-line template inserts, made one line (and inert, where `escape` says). */
const lineEscapes = new WeakMap<(value: string) => string, (value: string) => string>();
function oneLineThen(escape: ((value: string) => string) | undefined) {
  if (!escape) return oneLine;
  let composed = lineEscapes.get(escape);
  if (!composed) {
    composed = (value: string) => escape(oneLine(value));
    lineEscapes.set(escape, composed);
  }
  return composed;
}

/**
 * Renders a template that must be one line: an email subject, a private message's title. The
 * values it inserts are folded onto one line; a line break in the template itself is the
 * config's mistake, refused with the template's name rather than sent as a broken header.
 */
export async function renderLine(
  source: string,
  vars: Record<string, unknown>,
  what: string,
  escape?: (value: string) => string,
): Promise<string> {
  const line = await renderText(source, vars, what, oneLineThen(escape));
  if (/[\r\n]/.test(line))
    throw templateError(`${what} must be one line: remove the line break from the template`);
  return line;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

/**
 * Email templates: `<name>.txt.liquid` (required) and `<name>.html.liquid` (optional) in one
 * folder. A member's display name is theirs to choose, and must never become markup or a link in
 * a mail sent from the community's own domain: the HTML part escapes every value it inserts, both
 * parts and the subject make links in values inert, and the subject folds them onto one line.
 * (A template's own `| raw` opts out of the escaping: never use it on member values.)
 */
export function createEmailRenderer(templatesDir: string) {
  const text = new Liquid({
    ...strict,
    root: templatesDir,
    cache: true,
    outputEscape: (value: unknown) => inertLinks(String(value)),
  });
  const html = new Liquid({
    ...strict,
    root: templatesDir,
    cache: true,
    outputEscape: (value: unknown) => escapeEmailHtml(String(value)),
  });

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
      subject: await renderLine(subject, vars, `email template "${template}" subject`, inertLinks),
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
