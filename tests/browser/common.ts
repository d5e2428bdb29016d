// common.ts — what every browser test does: watch each page for console
// errors and requests to other origins, log a person in, find an Element
// Plus input, photograph a page, call the issuer's API with a bearer token.
import { expect, type Browser, type Page, type ConsoleMessage } from '@playwright/test';
import path from 'node:path';

export const API = process.env.ESEAL_API!;
export const WORK = process.env.ESEAL_WORK!;
export const SHOTS = process.env.ESEAL_SCREENSHOTS!;
export const ORIGIN = new URL(API).origin;

/* Failed loads a step provokes on purpose: "METHOD path status". */
export const state = { expected: [] as string[] };
export const problems: string[] = [];

/* watch records console errors and requests leaving |origin| (the issuer's
 * by default; the public pages' tests pass the verifier's or publisher's). */
export function watch(page: Page, origin = ORIGIN): void {
  const failed = new Map<string, number>();
  page.on('response', (r) => {
    if (r.status() >= 400) failed.set(r.url(), r.status());
  });
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    const url = m.location().url ?? '';
    const p = url.startsWith(origin) ? new URL(url).pathname : url;
    const status = failed.get(url);
    if (status && state.expected.some((e) => e === `${p} ${status}`)) return;
    problems.push(`console error on ${page.url()}: ${m.text()} (${p})`);
  });
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    // chrome:// and chrome-extension:// are the browser's own PDF viewer
    const internal = /^(data|blob|chrome|chrome-extension):/.test(u);
    if (!u.startsWith(origin + '/') && !internal)
      problems.push(`request to another origin from ${page.url()}: ${u}`);
  });
}

export async function person(browser: Browser, who: string[]): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  watch(page);
  await page.goto('login');
  await page.locator('input[name=username]').fill(who[0]);
  await page.locator('input[name=password]').fill(who[1]);
  await page.locator('[data-test=login]').click();
  await expect(page.locator('[data-test=user-menu]')).toContainText(who[0]);
  return page;
}

/* field finds the text box of an Element Plus input marked data-test=name,
 * whether the mark landed on the input itself or on its wrapper. */
export function field(page: Page, name: string) {
  return page.locator(`[data-test="${name}"]`).locator('xpath=self::input|self::textarea|.//input|.//textarea').first();
}

export async function shot(page: Page, name: string, settle = true): Promise<void> {
  // the PDF viewer keeps loading: a pause, not "network idle", before the picture
  if (settle) await page.waitForLoadState('load');
  await page.waitForTimeout(settle ? 500 : 1500);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/* api calls the issuer as the unit (a bearer token: no cookie, no CSRF). */
export async function api(method: string, p: string, token: string, body?: BodyInit, type?: string) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (type) headers['Content-Type'] = type;
  const r = await fetch(API + p, { method, headers, body });
  expect(r.status, `${method} ${p}: ${await r.clone().text()}`).toBeLessThan(300);
  return r.json();
}

