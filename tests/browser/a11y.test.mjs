// a11y.test.mjs — the pages checked by axe-core (WCAG 2 A and AA rules:
// labels, names, roles, contrast, landmarks) in the states people see them:
// results with facets, suggestions open, an entity page, the admin preview.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, BASE, URN, entityPath, launch, searchSettled } from './lib.mjs';

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// axe runs in the page; the page's CSP allows no injected script, so this
// context alone bypasses it (the pages themselves are untouched).
async function withPage(viewport, fn) {
  const context = await browser.newContext({ bypassCSP: true, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  try { await fn(page); } finally { await context.close(); }
}
async function violations(page) {
  await page.addScriptTag({ content: AXE });
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return res.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
}

const LAPTOP = { width: 1280, height: 900 }, PHONE = { width: 390, height: 844 };

test('search page with results, facets and open suggestions', async () => {
  await withPage(LAPTOP, async (page) => {
    await page.goto(BASE + '/?q=customer&filter=tags:gold');
    await searchSettled(page);
    assert.deepEqual(await violations(page), []);
    await page.click('#q');
    await page.fill('#q', 'custo');
    await page.waitForSelector('#suggestions [role=option]');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await violations(page), []);
  });
});

test('search page on a phone, filters open', async () => {
  await withPage(PHONE, async (page) => {
    await page.goto(BASE + '/?q=orders');
    await searchSettled(page);
    await page.click('#filters-toggle');
    assert.deepEqual(await violations(page), []);
  });
});

test('entity page', async () => {
  await withPage(LAPTOP, async (page) => {
    await page.goto(BASE + entityPath(URN.customerOrders));
    await page.waitForSelector('table.schema');
    assert.deepEqual(await violations(page), []);
  });
});

test('admin page with a preview and an explanation open', async () => {
  await withPage(LAPTOP, async (page) => {
    await page.goto(BASE + '/admin');
    await page.waitForSelector('#config-fields fieldset');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() => /accepted/.test(document.getElementById('token-msg').textContent));
    await page.fill('#pq', 'shipment');
    await page.waitForSelector('#proposed > li .explain-toggle');
    await page.click('#proposed > li .explain-toggle');
    assert.deepEqual(await violations(page), []);
  });
});
