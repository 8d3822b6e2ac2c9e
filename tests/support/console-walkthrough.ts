// The console as a person uses it, in headless Chromium: sign in with the admin token, look at
// ops, find a member who joined on two platforms and open their view, then watch a handoff
// appear in the support view after a 🎫 in the sandbox, with the messages carried each way.
// Screenshots of each view go to tests/e2e/screenshots/ for review.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { launchChromium } from './browser.js';
import type { DeskTicket } from './handoff.js';
import { agentAction, emitSlack } from './handoff.js';
import { waitFor } from './sandbox.js';

export const SCREENSHOTS = fileURLToPath(new URL('../e2e/screenshots/', import.meta.url));

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The text of each cell in the table row whose first cell is `first`. */
async function row(page: Page, caption: string, first: string): Promise<string[]> {
  const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) });
  const found = table.locator('tbody tr', {
    has: page.locator('td:first-child', { hasText: first }),
  });
  await found.first().waitFor();
  return found.first().locator('td').allInnerTexts();
}

export interface Walkthrough {
  server: string;
  sandbox: string;
  token: string;
  /** A member already known from one platform, by name and email, and the other platform's id. */
  member: { name: string; email: string; slackUserId: string };
}

export async function walkTheConsole({ server, sandbox, token, member }: Walkthrough) {
  const sb = { url: sandbox } as Sandbox;
  // The member joins Slack with the address they have on the forum: one member, two platforms.
  await emitSlack(sb, {
    type: 'team_join',
    user: {
      id: member.slackUserId,
      name: member.name.split(' ')[0]!.toLowerCase(),
      profile: { email: member.email, real_name: member.name },
    },
  }).catch(() => undefined);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // Signed out: the sign-in form. A wrong token is refused, saying so.
    await page.goto(`${server}/console`);
    await page.getByLabel('Admin token').fill('not-the-admin-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Ops: the journeys as configured, with live counts.
    await page.getByRole('heading', { name: 'Ops' }).waitFor();
    const onboarding = await row(page, 'Journeys', 'onboarding');
    expect(onboarding[1]).toBe('on');
    expect(Number(onboarding[2]) + Number(onboarding[3])).toBeGreaterThan(0);
    expect((await row(page, 'Support handoff rules', 'reaction on slack'))[4]).toBe('zendesk');
    expect((await row(page, 'Connectors', 'hubspot'))[1]).toBe('ok');
    await shoot(page, 'ops');

    // Marketing: search, then the member's single view.
    await page.getByRole('link', { name: 'Marketing' }).click();
    await page.getByLabel('Search members by email, handle or name').fill(member.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: member.name }).waitFor();
    await shoot(page, 'marketing-search');
    await page.getByRole('link', { name: member.name }).click();
    await page.getByRole('heading', { name: member.name }).waitFor();
    expect((await row(page, 'Identities', 'discourse'))[2]).toBe(member.name);
    expect((await row(page, 'Identities', 'slack'))[3]).toBe(member.slackUserId);
    expect((await row(page, 'Journeys', 'onboarding'))[1]).toMatch(/Running|Completed/);
    // The activity chart is drawn by Chart.js on its canvas.
    // (Strings: page functions run in the browser, and this project's types have no DOM.)
    await page.waitForFunction(
      "Boolean(window.Chart && document.querySelector('figure canvas') && window.Chart.getChart(document.querySelector('figure canvas')))",
    );

    // Support: 🎫 on the member's question in #general; the view shows the handoff by itself.
    await page.getByRole('link', { name: 'Support' }).click();
    await page.getByRole('heading', { name: 'Support' }).waitFor();
    const root = await emitSlack(sb, {
      user: member.slackUserId,
      text: 'The export button does nothing',
    });
    await emitSlack(sb, {
      type: 'reaction_added',
      user: member.slackUserId,
      reaction: 'ticket',
      item: { type: 'message', channel: 'C0GENERAL', ts: root },
    });
    const ticket = await waitFor('the ticket', async () => {
      const tickets = (await (
        await fetch(`${sandbox}/_sandbox/zendesk/tickets`)
      ).json()) as DeskTicket[];
      return tickets.find((t) => t.external_id?.endsWith(`/${root}`));
    });
    await page.getByRole('link', { name: `#${ticket.id}` }).waitFor({ timeout: 30_000 });
    // Member text is data: markup in a message shows as text and runs nothing.
    const hostile = '<img src=x onerror="window.__pwned=1"> still nothing';
    await emitSlack(sb, { user: member.slackUserId, text: hostile, thread_ts: root });
    await agentAction(sb, 'zendesk', ticket.id, 'reply', { body: 'Try the CSV export instead' });
    await page.getByText('Try the CSV export instead').waitFor({ timeout: 30_000 });
    await page.getByText(hostile).waitFor({ timeout: 30_000 });
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    await shoot(page, 'support');

    // Back to the member: the ticket is in their view now.
    await page.goBack();
    await page.getByRole('heading', { name: member.name }).waitFor();
    expect((await row(page, 'Tickets', 'zendesk'))[1]).toBe(String(ticket.id));
    await shoot(page, 'marketing-member');
    expect(errors).toEqual([]);
  } catch (error) {
    // What the browser showed when it went wrong, for the failure's reader.
    for (const page of browser.contexts().flatMap((context) => context.pages()))
      await shoot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}
