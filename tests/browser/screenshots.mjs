// screenshots.mjs — the README's pictures of the portal, taken in Debian's
// Chromium against the searchd that `tests/browser/run --screenshots` started:
//   docs/search.png          the search page with results and facets
//   docs/admin-preview.png   the admin page: saved and proposed order side by side
import { join } from 'node:path';
import { ADMIN_TOKEN, BASE, launch, openPage, searchSettled } from './lib.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: screenshots.mjs DIR');
const browser = await launch();
try {
  const s = await openPage(browser, { viewport: { width: 1280, height: 860 } });
  await s.page.goto(BASE + '/?q=' + encodeURIComponent('customer orders'));
  await searchSettled(s.page);
  // The first search after a start also loads the index: show a usual one.
  await s.page.reload();
  await searchSettled(s.page);
  await s.page.screenshot({ path: join(out, 'search.png') });
  await s.close();

  const a = await openPage(browser, { viewport: { width: 1280, height: 860 } });
  await a.page.goto(BASE + '/admin');
  await a.page.waitForSelector('#config-fields fieldset');
  await a.page.fill('#token', ADMIN_TOKEN);
  await a.page.click('#token-form button[type=submit]');
  await a.page.waitForFunction(() => /accepted/.test(document.getElementById('token-msg').textContent));
  await a.page.fill('#pq', 'shipment');
  await a.page.waitForFunction(() => document.querySelectorAll('#saved > li').length >= 2);
  await a.page.fill('.setting[data-path="boosts.description"] input', '100');
  await a.page.waitForFunction(() => {
    const s = document.querySelector('#saved > li'), p = document.querySelector('#proposed > li');
    return s && p && s.dataset.urn !== p.dataset.urn;
  });
  await a.page.click('#proposed > li:first-child .explain-toggle');
  await a.page.locator('.setting[data-path="boosts.description"] input').focus();
  await a.page.screenshot({ path: join(out, 'admin-preview.png') });
  await a.close();
  console.log(`screenshots: ${join(out, 'search.png')}, ${join(out, 'admin-preview.png')}`);
} finally {
  await browser.close();
}
