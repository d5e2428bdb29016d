// console.spec.ts — a maker and a reviewer take one application from
// "submitted" to "handed over" in the browser, through a rejection and a
// rectification; a reviewer cannot review what they registered; a wrong
// CSRF token is refused; the login throttle holds. Every page is watched for
// console errors and requests to other origins, and photographed.
// Driven by console.sh, which prepares the issuer and the application.
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { API, ORIGIN, WORK, api, field, person, problems, shot, state, watch } from './common';

const SID = process.env.ESEAL_SID!;
const TOKEN_ID = process.env.ESEAL_TOKEN_ID!;

const MAKER = ['li.maker', 'maker-password-1'];
const MAKER2 = ['zhao.maker', 'maker-password-2'];
const REVIEWER = ['wang.reviewer', 'reviewer-password-1'];
const ADMIN = ['admin', 'admin-password-0001'];

async function openSubmission(page: Page): Promise<void> {
  await page.goto(`submissions/${SID}`);
  await expect(page.locator('[data-test=summary]')).toBeVisible();
}

test.describe.serial('the staff console', () => {
  test('the console is served with its security headers, and the login page', async ({ page, request }) => {
    const r = await request.get('');
    expect(r.status()).toBe(200);
    const csp = r.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
    expect(r.headers()['x-content-type-options']).toBe('nosniff');
    expect(r.headers()['referrer-policy']).toBe('no-referrer');
    expect(r.headers()['cache-control']).toContain('no-cache');
    const html = await r.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = html.match(/\/console\/assets\/[^"]+\.js/)![0];
    const a = await request.get(ORIGIN + asset);
    expect(a.headers()['cache-control']).toContain('max-age=31536000');

    watch(page);
    state.expected = ['/api/v1/session 401'];
    await page.goto('login');
    await page.locator('input[name=username]').fill(MAKER[0]);
    await page.locator('input[name=password]').fill('not-the-password');
    await page.locator('[data-test=login]').click();
    await expect(page.locator('[data-test=login-error]')).toBeVisible();
    await shot(page, '01-login');
  });

  test('a maker registers the application from the queue', async ({ browser }) => {
    state.expected = [];
    const page = await person(browser, MAKER);
    await expect(page.locator('[data-test=queue-to_register]')).toContainText('1');
    await expect(page.locator('[data-test=queue-table]')).toContainText(SID);
    await shot(page, '02-home-maker');
    await field(page, 'search').fill('鼓楼区测试局');
    await page.locator('[data-test=search-go]').click();
    await expect(page.locator('[data-test=queue-table]')).toContainText(SID);
    await page.getByRole('link', { name: SID }).click();
    await expect(page.locator('[data-test=step-register]')).toBeVisible();
    await expect(page.locator('[data-test=form-0]')).toContainText('91350100M000100Y43');
    await shot(page, '03-submission-register');
    await page.locator('[data-test=paper-all]').click();
    await page.locator('[data-test=do-register]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待审核');
    await page.context().close();
  });

  test('a reviewer rejects it with reasons', async ({ browser }) => {
    const page = await person(browser, REVIEWER);
    await expect(page.locator('[data-test=queue-to_review]')).toContainText('1');
    await shot(page, '04-home-reviewer');
    await openSubmission(page);
    await expect(page.locator('[data-test=step-review]')).toBeVisible();
    await page.locator('[data-test=reasons] .el-checkbox').first().click();
    await field(page, 'reason-other').fill('公函未注明日期，请补正后重新报送。');
    await shot(page, '05-submission-review');
    await page.locator('[data-test=do-reject]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('已驳回');
    await page.getByRole('tab', { name: '办理记录' }).click();
    await expect(page.locator('[data-test=history]')).toContainText('公函未注明日期');
    await shot(page, '06-history-rejected');
    await page.context().close();
  });

  test('the unit rectifies and its aggregator sends it again', async () => {
    const agent = process.env.ESEAL_AGENT_TOKEN!;
    const fd = new FormData();
    fd.append('letter', new Blob([fs.readFileSync(path.join(WORK, 'letter2.pdf'))], { type: 'application/pdf' }), 'letter2.pdf');
    await api('POST', `/api/v1/submissions/${SID}/materials`, agent, fd);
    await api('PUT', `/api/v1/submissions/${SID}`, agent, fs.readFileSync(path.join(WORK, 'sub2.json')), 'application/json');
    await api('POST', `/api/v1/submissions/${SID}/submit`, agent);
    const s = await api('POST', `/api/v1/submissions/${SID}/submit`, process.env.ESEAL_AGG_TOKEN!);
    expect(s.state).toBe('submitted');
    expect(s.round).toBe(2);
  });

  test('registered again; a reviewer who registered it cannot review it', async ({ browser }) => {
    let page = await person(browser, MAKER);
    await openSubmission(page);
    await page.locator('[data-test=paper-all]').click();
    await page.locator('[data-test=do-register]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待审核');
    await page.context().close();

    // The admin makes li.maker a reviewer (their sessions end).
    page = await person(browser, ADMIN);
    await page.goto('admin');
    await page.locator(`[data-test="role-${MAKER[0]}"]`).click();
    await page.locator('[data-test=role-select]').click();
    await page.getByRole('option', { name: '审核员' }).click();
    await page.locator('[data-test=role-save]').click();
    await expect(page.locator('[data-test=staff-table]')).toContainText('审核员');
    await shot(page, '07-admin-staff');
    await page.getByRole('tab', { name: '事件日志' }).click();
    await expect(page.locator('[data-test=overview]')).toBeVisible();
    await shot(page, '08-admin-log');
    await openSubmission(page);
    await page.getByRole('tab', { name: '审计日志' }).click();
    await expect(page.locator('[data-test=audit]')).toContainText('submission.rejected');
    await page.context().close();

    page = await person(browser, MAKER);
    await openSubmission(page);
    await expect(page.locator('[data-test=own-registration]')).toBeVisible();
    await expect(page.locator('[data-test=do-approve]')).toHaveCount(0);
    // …and the API refuses it too, with the right CSRF token.
    const csrf = (await (await page.request.get(`${API}/api/v1/session`)).json()).csrf as string;
    const r = await page.request.post(`${API}/api/v1/submissions/${SID}/review`, {
      data: { decision: 'approve' },
      headers: { 'X-CSRF-Token': csrf },
    });
    expect(r.status()).toBe(403);
    await shot(page, '09-own-registration');
    await page.context().close();
  });

  test('another reviewer approves; a second maker produces and hands over', async ({ browser }) => {
    let page = await person(browser, REVIEWER);
    await openSubmission(page);
    await expect(page.locator('[data-test=do-approve]')).toBeEnabled();
    await page.locator('[data-test=do-approve]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待制作');
    await page.context().close();

    page = await person(browser, MAKER2);
    await expect(page.locator('[data-test=queue-to_produce]')).toContainText('1');
    await openSubmission(page);
    // 印模电子化: the scan of the form's impression box becomes the seal picture
    await page.locator('[data-test=scan-file] input[type=file]').setInputFiles(path.join(WORK, 'scan.png'));
    await expect(page.locator('[data-test=scan-file]')).toContainText('scan.png');
    await page.locator('[data-test=do-process]').click();
    const result = page.locator('[data-test=impression-result] img');
    await expect(result).toBeVisible();
    await expect.poll(() => result.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(100);
    // shown at true size: 42 mm is 158.7 CSS pixels
    const box = (await result.boundingBox())!;
    expect(Math.abs(box.width - (42 / 25.4) * 96)).toBeLessThan(2);
    await shot(page, '10a-impression');
    await page.locator('[data-test=do-accept]').click();
    await expect(page.locator('[data-test=impression-accepted]')).toContainText('第 1 份申请表已采用电子印模');

    await page.locator('[data-test=csr-file-0] input[type=file]').setInputFiles(path.join(WORK, 'unit.csr'));
    await expect(field(page, 'csr-0')).toHaveValue(/BEGIN CERTIFICATE REQUEST/);
    await field(page, 'token-0').fill(TOKEN_ID);
    await field(page, 'days').fill('30');
    await shot(page, '10-submission-produce');
    await page.locator('[data-test=do-produce]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待交付');

    await field(page, 'letter-name').fill('王五');
    await field(page, 'letter-id').fill('11010519491231002X');
    await field(page, 'collector-name').fill('王五');
    await field(page, 'collector-id').fill('11010519491231002X');
    await page.locator('[data-test=intro-file] input[type=file]').setInputFiles(path.join(WORK, 'intro.pdf'));
    await page.locator('[data-test=idcopy-file] input[type=file]').setInputFiles(path.join(WORK, 'idcopy.png'));
    await shot(page, '11-submission-handover');
    await page.locator('[data-test=do-handover]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('已交付');
    await page.getByRole('tab', { name: /材料/ }).click();
    await page.locator('[data-test=view-letter]').first().click();
    await expect(page.locator('[data-test=pdf-viewer]')).toBeVisible();
    await page.waitForTimeout(2500); // the viewer draws the page out of process: no event to wait on
    await shot(page, '12-material-viewer', false);
    // the PDF viewer holds the keyboard: close the dialog with its button
    await page.locator('.el-dialog__headerbtn').click();
    await expect(page.locator('[data-test=pdf-viewer]')).toHaveCount(0);
    await page.getByRole('tab', { name: '办理记录' }).click();
    await expect(page.locator('[data-test=history]')).toContainText('交付印章');
    await shot(page, '13-history-done');

    // the seal it made
    await page.getByRole('tab', { name: '申请内容' }).click();
    await page.locator('[data-test=applications] a').first().click();
    await expect(page.locator('[data-test=seal-status]')).toHaveText('有效');
    await shot(page, '14-seal');
    // a revocation is the unit's application: the dialog says so and lists none yet
    await page.locator('[data-test=do-start-revocation]').click();
    await expect(page.locator('[data-test=revocation-none]')).toBeVisible();
    await shot(page, '14a-seal-revocation');
    await page.keyboard.press('Escape');
    await expect(page.locator('[data-test=revocation-none]')).toBeHidden();
    await page.goto('seals');
    await field(page, 'seal-search').fill('91350100M000100Y43');
    await page.locator('[data-test=seal-search-go]').click();
    await expect(page.locator('[data-test=seal-table]')).toContainText('福州市鼓楼区测试局');
    await shot(page, '15-seals');

    // A wrong CSRF token is refused, and nothing changes.
    const esid = (await page.locator('[data-test=seal-table] a').first().textContent())!.trim();
    state.expected = [];
    const bad = await page.request.post(`${API}/api/v1/seals/${esid}/suspend`, { headers: { 'X-CSRF-Token': 'not-the-token' } });
    expect(bad.status()).toBe(403);
    expect((await bad.json()).error.code).toBe('csrf');
    const none = await page.request.post(`${API}/api/v1/seals/${esid}/suspend`);
    expect(none.status()).toBe(403);
    const seal = await (await page.request.get(`${API}/api/v1/seals/${esid}`)).json();
    expect(seal.status).toBe('good');
    await page.context().close();
  });

  test('the login throttle holds', async ({ page }) => {
    watch(page);
    state.expected = ['/api/v1/session 401', '/api/v1/session 429'];
    await page.goto('login');
    for (let i = 0; i < 5; i++) {
      await page.locator('input[name=username]').fill('locked.out');
      await page.locator('input[name=password]').fill(`wrong-password-${i}`);
      await page.locator('[data-test=login]').click();
      await expect(page.locator('[data-test=login-error]')).toBeVisible();
    }
    // the sixth attempt waits, even with the right password
    await page.locator('input[name=password]').fill('locked-password-1');
    await page.locator('[data-test=login]').click();
    await expect(page.locator('[data-test=login-error]')).toContainText(/请约 1[45] 分钟后再试/);
    await expect(page.locator('[data-test=login-error]')).not.toContainText('秒');
    await shot(page, '16-login-throttled');
    const r = await page.request.post(`${API}/api/v1/session`, { data: { username: 'locked.out', password: 'locked-password-1' } });
    expect(r.status()).toBe(429);
    expect(Number(r.headers()['retry-after'])).toBeGreaterThan(0);
  });

  test.afterAll(() => {
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
