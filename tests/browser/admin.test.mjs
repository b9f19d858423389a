// admin.test.mjs — the relevance page at /admin: the token, the preview of a
// changed boost (saved and proposed order side by side), field errors from
// the API, saving (the public page follows without a restart) and reverting.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, BASE, URN, api, launch, openPage, resultUrns, searchSettled } from './lib.mjs';

let browser, initial;
// The ranking the other test files expect is put back at the end, whatever
// happened here.
before(async () => {
  initial = (await api('/v1/admin/ranking')).config;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await api('/v1/admin/ranking', {
    method: 'PUT', body: JSON.stringify(initial),
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
  });
});

// Chromium logs a refused request as a console error; a test that provokes
// one on purpose expects exactly that.
const refused = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);

async function signIn(page, token) {
  await page.goto(BASE + '/admin');
  await page.waitForSelector('#config-fields fieldset');
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  await page.waitForFunction(() => /accepted|refused|disabled/.test(document.getElementById('token-msg').textContent));
}
const ranks = (page, side) => page.$$eval(`#${side} > li`, (lis) => lis.map((li) => li.dataset.urn));
const boostInput = (page, field) => page.locator(`.setting[data-path="boosts.${field}"] input`);

test('a wrong token is refused and not kept', async () => {
  const { page, close } = await openPage(browser);
  await signIn(page, 'not-the-token-' + 'x'.repeat(20));
  assert.match(await page.textContent('#token-msg'), /refused/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('metadex.adminToken')), null);
  assert.equal(await page.locator('#versions li').count(), 0);
  await close([refused(401)]);
});

test('raising a field boost changes the preview; an invalid value is refused next to its field', async () => {
  const { page, close } = await openPage(browser);
  await signIn(page, ADMIN_TOKEN);
  assert.match(await page.textContent('#token-msg'), /accepted/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('metadex.adminToken')), ADMIN_TOKEN);
  await page.fill('#pq', 'shipment');
  await page.waitForFunction(() => document.querySelectorAll('#saved > li').length >= 2);
  const saved = await ranks(page, 'saved');
  assert.deepEqual(await ranks(page, 'proposed'), saved, 'nothing edited: same order');
  // The API's order is the saved order.
  const d = await api('/v1/search?q=shipment&limit=10');
  assert.deepEqual(saved, d.hits.map((h) => h.urn));
  // warehouse_events says "shipment" in its description only: raising the
  // description boost must lift it.
  const from = saved.indexOf(URN.warehouseEvents);
  assert.ok(from > 0, 'the description match starts below the top');
  await boostInput(page, 'description').fill('100');
  await page.waitForFunction((urn) => document.querySelector('#proposed > li')?.dataset.urn === urn, URN.warehouseEvents);
  const row = page.locator(`#proposed > li[data-urn="${URN.warehouseEvents}"]`);
  assert.equal((await row.locator('.move').textContent()).replace(/\s+/g, ' '), `▲ ${from}`);
  assert.deepEqual(await ranks(page, 'saved'), saved, 'the saved order is unchanged');
  // Explain shows the parts of the score.
  await row.locator('.explain-toggle').click();
  assert.equal(await row.locator('.explain-toggle').getAttribute('aria-expanded'), 'true');
  assert.match(await row.locator('.explain').textContent(), /field description/);
  // An invalid value: the API's reason, next to the field it names.
  await boostInput(page, 'name').fill('-5');
  const err = page.locator('.setting[data-path="boosts.name"] .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /boosts\.name/);
  assert.equal(await boostInput(page, 'name').getAttribute('aria-invalid'), 'true');
  await boostInput(page, 'name').fill('10');
  await err.waitFor({ state: 'detached' });
  await close([refused(400)]);
});

test('Save changes the public order at once; Revert brings a saved version back', async () => {
  const { page, close } = await openPage(browser);
  const searchPage = await openPage(browser);
  const search = searchPage.page;
  const publicOrder = async () => {
    await search.goto(BASE + '/?q=shipment');
    await searchSettled(search);
    return resultUrns(search);
  };
  const before0 = await publicOrder();
  assert.notEqual(before0[0], URN.warehouseEvents);
  await signIn(page, ADMIN_TOKEN);
  const original = String(await boostInput(page, 'description').inputValue());
  await page.fill('#pq', 'shipment');
  await page.waitForFunction(() => document.querySelectorAll('#saved > li').length >= 2);

  // Save a raised description boost: the public page follows at once.
  await boostInput(page, 'description').fill('100');
  await page.waitForFunction((urn) => document.querySelector('#proposed > li')?.dataset.urn === urn, URN.warehouseEvents);
  const proposed = await ranks(page, 'proposed');
  await page.click('#save');
  await page.waitForFunction(() => /Saved as version/.test(document.getElementById('save-msg').textContent));
  const v1 = (await api('/v1/admin/ranking')).version;
  const raised = await publicOrder();
  assert.deepEqual(raised.slice(0, proposed.length), proposed);
  // After a save the saved column is the new order.
  await page.waitForFunction((urn) => document.querySelector('#saved > li')?.dataset.urn === urn, URN.warehouseEvents);

  // Save the old value again: the old order is back.
  await boostInput(page, 'description').fill(original);
  await page.click('#save');
  await page.waitForFunction((v) => new RegExp(`Saved as version (?!${v}\\b)`).test(document.getElementById('save-msg').textContent), v1);
  assert.deepEqual(await publicOrder(), before0);

  // Revert to the raised version from the list of versions.
  await page.click(`#versions li[data-version="${v1}"] button.revert`);
  await page.waitForFunction(() => /Reverted to version/.test(document.getElementById('save-msg').textContent));
  assert.equal(await boostInput(page, 'description').inputValue(), '100');
  assert.deepEqual(await publicOrder(), raised);
  await searchPage.close();
  await close();
});
