import { existsSync } from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { ConnectorError } from '../errors.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

/**
 * Templates live as `<name>.txt.liquid` (required) and `<name>.html.liquid` (optional) in one
 * folder. Unknown variables are errors, so a typo never mails "Hi ," to a thousand people.
 */
export function createTemplateRenderer(templatesDir: string) {
  const liquid = new Liquid({
    root: templatesDir,
    strictVariables: true,
    strictFilters: true,
    cache: true,
  });

  return async function render(
    template: string,
    subject: string,
    vars: Record<string, unknown>,
  ): Promise<RenderedEmail> {
    const textFile = path.join(templatesDir, `${template}.txt.liquid`);
    if (!/^[\w-]+$/.test(template) || !existsSync(textFile)) {
      throw new ConnectorError(
        'invalid',
        `email template "${template}" not found (expected ${textFile})`,
        {
          vendor: 'email',
        },
      );
    }
    const htmlFile = path.join(templatesDir, `${template}.html.liquid`);
    try {
      return {
        subject: String(await liquid.parseAndRender(subject, vars)).trim(),
        text: String(await liquid.renderFile(`${template}.txt.liquid`, vars)),
        ...(existsSync(htmlFile)
          ? { html: String(await liquid.renderFile(`${template}.html.liquid`, vars)) }
          : {}),
      };
    } catch (error) {
      throw new ConnectorError('invalid', `email template "${template}" failed to render`, {
        vendor: 'email',
        cause: error,
      });
    }
  };
}
