// verifier.spec.ts — the public pages a relying party uses, in a browser:
// eseal-verifierd's upload page, its verdicts on a sealed OFD, a tampered
// copy and a seal alone (verdict words, Beijing times, the <details> toggle
// that works without JavaScript, the seal picture from inside the seal),
// and eseal-publisherd's lookup page for the same seal. No page may log a
// console error or ask another origin; every page is photographed.
// Driven by verifier.sh, which sets up the platform and the files.
import { test, expect, type Page } from '@playwright/test';
import path from 'node:path';
import { WORK, problems, shot, state, watch } from './common';

const VERIFIER = process.env.ESEAL_VERIFIER_URL!;
const PUBLISHER = process.env.ESEAL_PUBLISHER_URL!;
const ESID = process.env.ESEAL_ESID!;
const UNIT = process.env.ESEAL_UNIT!;
const BEIJING = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间/;
const RAW_UTC = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/;

/* upload fills the form under |legend| on the upload page and sends it. */
async function upload(page: Page, legend: string, files: Record<string, string>): Promise<void> {
  await page.goto(VERIFIER + '/');
  const form = page.locator('form', { has: page.locator('legend', { hasText: legend }) });
  await expect(form).toHaveCount(1);
  for (const [name, file] of Object.entries(files))
    await form.locator(`input[name=${name}]`).setInputFiles(path.join(WORK, file));
  await form.locator('button[type=submit]').click();
  await page.waitForURL(VERIFIER + '/verify');
}

/* inBeijingTime: the times a person sees are Beijing time; UTC only
 * behind a closed toggle (innerText leaves closed <details> out). */
async function inBeijingTime(page: Page): Promise<void> {
  const seen = await page.locator('body').innerText();
  expect(seen).toMatch(BEIJING);
  expect(seen).not.toMatch(RAW_UTC);
}

/* seesPicture: the seal picture is shown, decoded, from a data: URI. */
async function seesPicture(page: Page): Promise<void> {
  const img = page.locator('.picture img');
  await expect(img).toBeVisible();
  expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
}

/* togglesDetails: a check's digests are folded; a click on 详情 opens them. */
async function togglesDetails(page: Page): Promise<void> {
  const d = page.locator('td details').first();
  const code = d.locator('code').first();
  await expect(d.locator('summary')).toContainText('详情');
  await expect(code).toBeHidden();
  await d.locator('summary').click();
  await expect(code).toBeVisible();
  expect(await d.evaluate((e: HTMLDetailsElement) => e.open)).toBe(true);
}

/* inPlatformFrame checks that the page wears the platform's frame
 * (eseal/page.h: the red top bar with the circled 印, the platform's name
 * and the page's name), runs no script and refers to nothing of another
 * origin: every src and href is a path of this server or a data: URI. */
async function inPlatformFrame(page: Page, name: string): Promise<void> {
  const bar = page.locator('header.platform');
  await expect(bar).toBeVisible();
  await expect(bar.locator('.emblem')).toHaveText('印');
  await expect(bar).toContainText('政务电子印章服务平台');
  await expect(bar).toContainText(name);
  expect(await bar.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(166, 27, 27)');
  expect(await page.locator('script').count()).toBe(0);
  expect(await page.locator('link[rel=stylesheet], style[src]').count()).toBe(0);
  const refs = await page.$$eval('[src], [href], [action]', (es) =>
    es.map((e) => e.getAttribute('src') ?? e.getAttribute('href') ?? e.getAttribute('action') ?? ''),
  );
  expect(refs.length).toBeGreaterThan(0);
  for (const u of refs) expect(u, `a reference to ${u}`).toMatch(/^(\/(?!\/)|data:|\?)/);
  const css = (await page.locator('style').allInnerTexts()).join('\n');
  expect(css).not.toMatch(/url\(|@import|@font-face/);
}

/* onPhone checks that the page fits a phone's width: nothing wider than
 * the screen, so no sideways scrolling; then photographs it as |name|. */
async function onPhone(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, 'the page is wider than a phone').toBeLessThanOrEqual(390);
  await shot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.describe.serial('the public pages', () => {
  test('the upload page: four forms, no script', async ({ page }) => {
    watch(page, VERIFIER);
    const r = await page.goto(VERIFIER + '/');
    expect(r!.status()).toBe(200);
    const csp = r!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    await expect(page.locator('h1')).toContainText('电子签章验证');
    await expect(page.locator('form')).toHaveCount(4);
    expect(await page.locator('script').count()).toBe(0);
    await inPlatformFrame(page, '电子签章验证');
    await shot(page, 'verifier-upload');
    // a keyboard user sees where they are
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return `${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
    await onPhone(page, 'verifier-upload-phone');
  });

  test('a sealed OFD passes, in words and Beijing time, with its seal picture', async ({ page }) => {
    watch(page, VERIFIER);
    await upload(page, '验证 OFD 文档', { document: 'notice.ofd' });
    await expect(page.locator('h2.TOTAL_PASSED').first()).toContainText('验证通过');
    const seen = await page.locator('body').innerText();
    expect(seen).toContain(UNIT);
    expect(seen).toContain('有效 (good)');
    expect(seen).toContain('距页面左边 120.0 毫米、上边 200.0 毫米');
    expect(seen).not.toContain('TOTAL_FAILED');
    await inBeijingTime(page);
    await seesPicture(page);
    await inPlatformFrame(page, '电子签章验证');
    await shot(page, 'verifier-ofd');
    await togglesDetails(page);
    await shot(page, 'verifier-ofd-details');
    await onPhone(page, 'verifier-ofd-phone');
  });

  test('a tampered OFD fails, saying which check', async ({ page }) => {
    watch(page, VERIFIER);
    await upload(page, '验证 OFD 文档', { document: 'notice-changed.ofd' });
    await expect(page.locator('h2.TOTAL_FAILED').first()).toContainText('验证失败');
    const seen = await page.locator('body').innerText();
    expect(seen).toContain('HASH_FAILURE');
    expect(seen).toContain('未通过');
    // the document's verdict (the first heading), not a check's message
    await expect(page.locator('h2').first()).toHaveClass(/TOTAL_FAILED/);
    await inBeijingTime(page);
    await shot(page, 'verifier-ofd-tampered');
  });

  test('a seal alone is judged as a seal', async ({ page }) => {
    watch(page, VERIFIER);
    await upload(page, '验证印章', { seal: 'seal.esl' });
    await expect(page.locator('h2.TOTAL_PASSED')).toContainText('印章有效');
    const summary = await page.locator('table').first().innerText();
    expect(summary).toContain('有效 (good)');
    // no signature, so no signing time and no time-stamp
    expect(summary).not.toContain('签署时间');
    expect(summary).not.toContain('时间戳');
    await expect(page.locator('h2').first()).not.toContainText('验证通过');
    await inBeijingTime(page);
    await seesPicture(page);
    await shot(page, 'verifier-seal');
  });

  test("the publisher's lookup page", async ({ page }) => {
    watch(page, PUBLISHER);
    await page.goto(PUBLISHER + '/');
    await page.locator('#esid').fill(ESID);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${PUBLISHER}/?esid=${ESID}`);
    await expect(page.locator('td.good strong')).toHaveText('有效');
    const seen = await page.locator('body').innerText();
    expect(seen).toContain(UNIT);
    expect(seen).toContain('单位印章');
    await inBeijingTime(page);
    const times = page.locator('time');
    await expect(times).toHaveCount(5);
    for (const t of await times.all()) {
      await expect(t).toHaveText(BEIJING);
      expect(await t.getAttribute('datetime')).toMatch(RAW_UTC);
    }
    const img = page.locator('img.picture');
    await expect(img).toBeVisible();
    expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    expect(await page.locator('script').count()).toBe(0);
    await inPlatformFrame(page, '电子印章查询');
    await shot(page, 'publisher-lookup');
    await onPhone(page, 'publisher-lookup-phone');

    state.expected = ['/ 404'];
    const r = await page.goto(`${PUBLISHER}/?esid=35999999999999`);
    expect(r!.status()).toBe(404);
    await expect(page.locator('h2')).toContainText('未找到');
    state.expected = [];
  });

  test.afterAll(() => {
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
