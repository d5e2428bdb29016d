// portal.spec.ts — a province-level unit's agent fills in a two-seal
// application in the browser (the rules answering as it types, each upload's
// digest computed by the issuer, an oversize file refused before upload),
// submits it, sees the reviewer's rejection beside the fields, rectifies and
// resubmits; Fuzhou's aggregator batches two units' applications and
// submits the batch. Every page is watched for console errors and requests
// to other origins, and photographed. Driven by portal.sh.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { API, WORK, api, field, person, problems, shot, state } from './common';

const AGENT = ['prov.agent', 'agent-password-1'];
const AGG = ['agg-fz', 'aggregator-pw-1'];
const MAKER_TOKEN = process.env.ESEAL_MAKER_TOKEN!;
const REVIEWER_TOKEN = process.env.ESEAL_REVIEWER_TOKEN!;
const UNIT = '福建省测试事务中心';

/* choose picks |text| in the Element Plus select marked data-test=|name|. */
async function choose(page: Page, name: string, text: string | RegExp): Promise<void> {
  await page.locator(`[data-test="${name}"]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

async function attach(page: Page, scope: string, kind: string, file: string): Promise<void> {
  const slot = page.locator(`${scope} [data-test=upload-${kind}]`);
  await slot.locator('input[type=file]').setInputFiles(path.join(WORK, file));
  await expect(slot.locator('[data-test=uploaded]')).toBeVisible();
}

let sid = '';

test.describe.serial('the applicants\' portal', () => {
  test('an agent fills in a two-seal application with its uploads and submits it', async ({ browser }) => {
    const page = await person(browser, AGENT);
    await shot(page, '01-home-empty');
    // the unit register the admin recorded with the account
    await page.goto('account');
    await expect(page.locator('[data-test=account]')).toContainText('办公室');
    await expect(page.locator('[data-test=account]')).toContainText('张分管');
    await page.goto('');
    await page.locator('[data-test=menu-new]').click();
    await field(page, 'applicant-name').fill(UNIT);
    await choose(page, 'applicant-city', '福建省');
    // the rules answer as the agent types: a bad mobile is named under its field
    await field(page, 'agent-name-0').fill('陈经办');
    await field(page, 'agent-mobile-0').fill('1380000');
    await expect(page.locator('[data-field="forms[0].agent.mobile"] [data-test=finding]')).toBeVisible();
    await field(page, 'agent-mobile-0').fill('13800000001');
    await expect(page.locator('[data-field="forms[0].agent.mobile"] [data-test=finding]')).toHaveCount(0);
    await field(page, 'agent-id-0').fill('350102199001011238');
    await field(page, 'seal-name-0').fill(UNIT);
    await field(page, 'seal-width-0').fill('42');
    await field(page, 'seal-height-0').fill('42');
    await choose(page, 'seal-function-0', '公章');
    await shot(page, '02-form-typing');

    // files: the first upload saves the draft; the issuer computes the digests
    await attach(page, '[data-test=letter]', 'letter', 'letter.pdf');
    await expect(page).toHaveURL(/submissions\/S\d+\/edit$/);
    sid = page.url().match(/submissions\/(S\d+)/)![1];
    // too large for an impression: refused before any byte is sent
    await page.locator('[data-test=form-0] [data-test=upload-impression] input[type=file]').setInputFiles(path.join(WORK, 'toolarge.png'));
    await expect(page.locator('[data-test=form-0] [data-test=upload-error]')).toContainText('文件过大');
    await attach(page, '[data-test=form-0]', 'impression', 'stamp.png');
    await attach(page, '[data-test=form-0]', 'form', 'form1.pdf');

    // a second seal: the agent is carried over, the letter and summary follow
    await page.locator('[data-test=add-form]').click();
    await expect(field(page, 'agent-name-1')).toHaveValue('陈经办');
    await field(page, 'seal-name-1').fill(`${UNIT}合同专用章`);
    await field(page, 'seal-width-1').fill('40');
    await field(page, 'seal-height-1').fill('40');
    await choose(page, 'seal-function-1', '合同专用章');
    await attach(page, '[data-test=form-1]', 'impression', 'stamp2.png');
    await attach(page, '[data-test=form-1]', 'form', 'form2.pdf');
    await expect(page.locator('[data-test=letter-derived]')).toContainText('申请表 2 份');
    await expect(page.locator('[data-test=summary]')).toContainText(`${UNIT}合同专用章`);
    await attach(page, '[data-test=summary]', 'summary_table', 'summary.pdf');
    await expect(page.locator('[data-test=error-count]')).toContainText('未发现问题');
    await shot(page, '03-form-complete');

    // what must be signed and stamped, printed from what was typed: valid
    // PDFs (pdfinfo) holding the unit's name as text (pdftotext)
    for (const doc of ['forms', 'letter', 'summary']) {
      const r = await page.request.get(`${API}/api/v1/submissions/${sid}/print/${doc}.pdf`);
      expect(r.status(), doc).toBe(200);
      const file = path.join(WORK, `print-${doc}.pdf`);
      fs.writeFileSync(file, await r.body());
      execFileSync('pdfinfo', [file]);
      expect(execFileSync('pdftotext', [file, '-']).toString(), doc).toContain(UNIT);
    }
    // the summary table as a spreadsheet: it agrees with the forms; a changed
    // cell is named by its row and column
    const x = await page.request.get(`${API}/api/v1/submissions/${sid}/print/summary.xlsx`);
    expect(x.status()).toBe(200);
    const sheet = path.join(WORK, 'sheet.xlsx');
    fs.writeFileSync(sheet, await x.body());
    execFileSync('python3', [process.env.ESEAL_FIXTURES!, 'xlsx-edit', sheet, path.join(WORK, 'sheet-bad.xlsx'), `${UNIT}合同专用章`, '合同章']);
    const check = page.locator('[data-test=summary] [data-test=sheet-check]');
    await check.locator('input[type=file]').setInputFiles(sheet);
    await expect(check.locator('[data-test=sheet-ok]')).toContainText('一致');
    await check.locator('input[type=file]').setInputFiles(path.join(WORK, 'sheet-bad.xlsx'));
    await expect(check.locator('[data-test=sheet-differences]')).toContainText(/第 \d+ 行 [A-Z]+ 列（印章名称）/);
    await shot(page, '03a-sheet-check');

    await page.locator('[data-test=submit]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待登记');
    await shot(page, '04-submitted');
    // what the issuer holds is what was typed and uploaded
    const rec = await api('GET', `/api/v1/submissions/${sid}`, MAKER_TOKEN);
    expect(rec.submission.forms.length).toBe(2);
    expect(rec.submission.letter.kinds).toEqual({ unit: 2 });
    expect(rec.submission.summary_table.rows.length).toBe(2);
    expect(rec.materials.length).toBe(6);
    await page.goto('');
    await expect(page.locator('[data-test=my-submissions]')).toContainText(sid);
    await shot(page, '05-home');
    await page.context().close();
  });

  test('the reviewer rejects it; the agent sees why beside the fields, rectifies and resubmits', async ({ browser }) => {
    const catalog = await api('GET', '/api/v1/catalog', MAKER_TOKEN);
    const size = catalog.rejection_reasons.find((r: { key: string }) => r.key === 'seal_size_wrong').text;
    await api('POST', `/api/v1/submissions/${sid}/register`, MAKER_TOKEN, JSON.stringify({ paper: 'all' }));
    await api('POST', `/api/v1/submissions/${sid}/review`, REVIEWER_TOKEN,
      JSON.stringify({ decision: 'reject', reasons: [size, '请在公函中写明联系人电话 / add a contact telephone to the letter'] }));

    const page = await person(browser, AGENT);
    await expect(page.locator('[data-test=menu-notices] .el-badge')).toContainText('1');
    await page.locator('[data-test=menu-notices]').click();
    await expect(page.locator('[data-test=notice]').first()).toContainText('退回');
    await shot(page, '06-notices');
    await page.goto(`submissions/${sid}`);
    await expect(page.locator('[data-test=state]')).toHaveText('已驳回');
    await expect(page.locator('[data-test=rejection]')).toContainText('联系人电话');
    await shot(page, '07-rejected');
    await page.locator('[data-test=edit]').click();
    const width = page.locator('[data-field="forms[0].seal.width_mm"]');
    await expect(width.locator('[data-test=finding]').first()).toContainText('退回理由');
    await shot(page, '08-rectify');
    await field(page, 'seal-width-0').fill('40');
    await field(page, 'seal-height-0').fill('40');
    await page.locator('[data-test=submit]').click();
    await expect(page.locator('[data-test=state]')).toHaveText('待登记');
    const rec = await api('GET', `/api/v1/submissions/${sid}`, MAKER_TOKEN);
    expect(rec.submission.forms[0].seal.width_mm).toBe(40);
    expect(rec.round).toBe(2);
    await page.context().close();
  });

  test('the aggregator batches two units\' applications and submits them', async ({ browser }) => {
    const page = await person(browser, AGG);
    await expect(page.locator('[data-test=my-submissions]')).toContainText('福州市测试甲中心');
    await page.goto('batches');
    await choose(page, 'batch-business', '印章申请');
    await page.locator('[data-test=batch-create]').click();
    const add = page.locator('[data-test^=batch-add-]');
    await expect(add).toHaveCount(2);
    await add.first().click();
    await expect(add).toHaveCount(1);
    await add.first().click();
    await expect(page.locator('[data-test=batch-items]')).toContainText('福州市测试乙中心');
    await expect(page.locator('[data-test=batch-summary]')).toContainText('福州市测试甲中心');
    await page.locator('[data-test=upload-summary_table] input[type=file]').setInputFiles(path.join(WORK, 'summary.pdf'));
    await expect(page.locator('[data-test=batch-submit]')).toBeEnabled();
    await shot(page, '09-batch');
    await page.locator('[data-test=batch-submit]').click();
    await expect(page.locator('[data-test=batch-state]')).toHaveText('已报送');
    await shot(page, '10-batch-submitted');
    await page.context().close();
  });

  test('staff make and hand over the seals; the agent sees them valid', async ({ browser }) => {
    const json = (o: unknown) => JSON.stringify(o);
    await api('POST', `/api/v1/submissions/${sid}/register`, MAKER_TOKEN, json({ paper: 'all' }));
    await api('POST', `/api/v1/submissions/${sid}/review`, REVIEWER_TOKEN, json({ decision: 'approve' }));
    const key = (k: number) => ({ csr: fs.readFileSync(path.join(WORK, `key${k}.csr`), 'utf8'), token_id: fs.readFileSync(path.join(WORK, `key${k}.id`), 'utf8').trim() });
    await api('POST', `/api/v1/submissions/${sid}/produce`, MAKER_TOKEN, json({ days: 365, forms: [key(1), key(2)] }));
    const fd = new FormData();
    for (const [k, v] of Object.entries({ collector_name: '王五', collector_id_number: '11010519491231002X', letter_name: '王五', letter_id_number: '11010519491231002X' })) fd.append(k, v);
    fd.append('introduction_letter', new Blob([fs.readFileSync(path.join(WORK, 'intro.pdf'))], { type: 'application/pdf' }), 'intro.pdf');
    fd.append('id_copy', new Blob([fs.readFileSync(path.join(WORK, 'idcopy.png'))], { type: 'image/png' }), 'idcopy.png');
    await api('POST', `/api/v1/submissions/${sid}/handover`, MAKER_TOKEN, fd);

    const page = await person(browser, AGENT);
    await page.locator('text=本单位印章').click();
    const seals = page.locator('[data-test=unit-seals]');
    await expect(seals).toContainText(`${UNIT}合同专用章`);
    await expect(seals.locator('.el-tag', { hasText: '有效' })).toHaveCount(2);
    await shot(page, '11-unit-seals');
    await page.goto(`submissions/${sid}`);
    await expect(page.locator('[data-test=state]')).toHaveText('已交付');
    await expect(page.locator('[data-test=applications]')).toContainText('已交付');
    await shot(page, '12-handed-over');
    await page.context().close();
  });

  test('no page logged an error or reached another origin', async () => {
    state.expected = [];
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
