// search.test.mjs — the search page at /: suggestions as you type, the
// keyboard, results, facets, the URL as the state, Back and reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE, URN, api, launch, openPage, resultUrns, searchSettled } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The suggestion list's options: their URN, kind label and highlight.
const options = (page) => page.$$eval('#suggestions [role=option]', (os) => os.map((o) => ({
  id: o.id, urn: o.dataset.urn, kind: o.querySelector('.kind')?.textContent,
  html: o.querySelector('.sug-text')?.innerHTML, selected: o.getAttribute('aria-selected'),
})));

describe('suggestions', () => {
  test('a misspelled partial name suggests the dataset; choosing it with the keyboard shows it first', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/');
    await searchSettled(page);
    // "/" anywhere on the page goes to the search box.
    await page.locator('body').press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
    await page.keyboard.type('shipment_trak', { delay: 30 });
    const want = `#suggestions [role=option][data-urn="${URN.shipmentTracking}"]`;
    await page.waitForSelector(want);
    const input = page.locator('#q');
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    const opts = await options(page);
    const mine = opts.find((o) => o.urn === URN.shipmentTracking);
    assert.equal(mine.kind, 'dataset', 'each suggestion shows its type');
    assert.match(mine.html, /<mark>/, 'the matched part is marked');
    // Down moves through the options (aria-activedescendant follows) up to it.
    for (let i = 0; i < opts.length; i++) {
      await page.keyboard.press('ArrowDown');
      const active = await input.getAttribute('aria-activedescendant');
      assert.ok(active, 'an option is active');
      assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
      if (active === mine.id) break;
    }
    assert.equal(await input.getAttribute('aria-activedescendant'), mine.id);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') !== null);
    await searchSettled(page);
    assert.equal((await resultUrns(page))[0], URN.shipmentTracking);
    assert.equal(await page.locator('#suggestions').isHidden(), true);
    await close();
  });

  test('a misspelled query and Enter show the intended dataset first', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/');
    await searchSettled(page);
    await page.click('#q');
    await page.keyboard.type('shipmnt tracking', { delay: 20 });
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'shipmnt tracking');
    await searchSettled(page);
    assert.equal((await resultUrns(page))[0], URN.shipmentTracking);
    await close();
  });

  test('Escape closes the list; an answer that comes late is not shown', async () => {
    const { page, close } = await openPage(browser);
    // Hold back the answer for "shi" so that it arrives after the next one.
    await page.route('**/v1/autocomplete?*', async (route) => {
      const q = new URL(route.request().url()).searchParams.get('q');
      try {
        const res = await route.fetch();
        if (q === 'shi') await new Promise((r) => setTimeout(r, 700));
        await route.fulfill({ response: res });
      } catch (_) { /* the page aborted it: that is what it should do */ }
    });
    await page.goto(BASE + '/');
    await searchSettled(page);
    await page.click('#q');
    await page.keyboard.type('shi');
    await page.waitForTimeout(250); // past the debounce: "shi" is asked
    await page.keyboard.type('pment_track');
    await page.waitForSelector(`#suggestions [role=option][data-urn="${URN.shipmentTracking}"]`);
    const shown = await page.innerHTML('#suggestions');
    await page.waitForTimeout(900); // the late "shi" answer has come and gone
    assert.equal(await page.innerHTML('#suggestions'), shown, 'the newer answer stays');
    for (const o of await options(page)) assert.match(o.html, /<mark>[^<]*trac/i);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#suggestions').isHidden(), true);
    assert.equal(await page.getAttribute('#q', 'aria-expanded'), 'false');
    await close();
  });
});

// Facet values in the sidebar: field → [{value, label, count, checked}].
const facetValues = (page, field) => page.$$eval(`fieldset[data-facet="${field}"] li`, (lis) => lis.map((li) => {
  const cb = li.querySelector('input');
  return {
    value: cb.dataset.value, checked: cb.checked,
    label: li.querySelector('.facet-label').textContent,
    count: Number(li.querySelector('.count').textContent),
  };
}));
const total = async (page) => Number((await page.textContent('#summary strong')).replace(/[^0-9]/g, ''));
const sum = (vals) => vals.reduce((a, v) => a + v.count, 0);

describe('results and facets', () => {
  test('results show name, type, platform, path, marked snippets, owners and tags, total and time', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/?q=' + encodeURIComponent('customer orders'));
    await searchSettled(page);
    const d = await api('/v1/search?q=customer%20orders&limit=20');
    assert.deepEqual(await resultUrns(page), d.hits.map((h) => h.urn));
    const first = page.locator('#results > li.hit').first();
    const h = d.hits[0];
    assert.equal(await first.locator('.hit-name').textContent(), h.name);
    assert.equal(await first.locator('.platform').textContent(), h.platform);
    assert.equal((await first.locator('.badge.type').textContent()).toLowerCase(), h.type);
    if (h.qualifiedName) assert.equal(await first.locator('.path').textContent(), h.qualifiedName.split('.').slice(0, -1).join('.'));
    assert.ok(await first.locator('p mark, .columns mark').count() > 0, 'matched words are marked');
    for (const o of h.owners) assert.ok(await first.locator('.tag-owners', { hasText: o }).count() > 0);
    assert.equal(await total(page), d.total);
    assert.match(await page.textContent('#summary'), /\d+(\.\d+)? ms/);
    await close();
  });

  test('a facet value filters; counts and URL follow; a second value is OR; Back restores', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/?q=customer');
    await searchSettled(page);
    const before0 = { urns: await resultUrns(page), total: await total(page), types: await facetValues(page, 'type') };
    const platforms = await facetValues(page, 'platform');
    const pick = platforms.find((p) => p.count < before0.total);
    assert.ok(pick, 'some platform holds only part of the results');
    await page.click(`fieldset[data-facet="platform"] input[data-value="${pick.value}"]`);
    await page.waitForURL((u) => u.searchParams.getAll('filter').includes(`platform:${pick.value}`));
    await searchSettled(page);
    const t1 = await total(page);
    assert.equal(t1, pick.count, 'the total is the count the facet showed');
    for (const p of await page.$$eval('#results .hit .platform', (es) => es.map((e) => e.textContent)))
      assert.equal(p, pick.value);
    const types1 = await facetValues(page, 'type');
    assert.equal(sum(types1), t1, 'the other facets count the filtered results');
    assert.notDeepEqual(types1, before0.types);
    assert.equal(await page.locator('#chips .chip').count(), 1);
    assert.ok((await facetValues(page, 'platform')).find((p) => p.value === pick.value).checked);
    const after1 = await resultUrns(page);

    // A second platform: either one matches, so the counts add up.
    const other = (await facetValues(page, 'platform')).find((p) => p.value !== pick.value && p.count > 0);
    assert.ok(other, 'the other platforms stay choosable');
    await page.click(`fieldset[data-facet="platform"] input[data-value="${other.value}"]`);
    await page.waitForURL((u) => u.searchParams.getAll('filter').length === 2);
    await searchSettled(page);
    assert.equal(await total(page), pick.count + other.count);
    assert.equal(await page.locator('#chips .chip').count(), 2);

    await page.goBack();
    await searchSettled(page);
    assert.deepEqual(new URL(page.url()).searchParams.getAll('filter'), [`platform:${pick.value}`]);
    assert.deepEqual(await resultUrns(page), after1);
    await page.goBack();
    await searchSettled(page);
    assert.deepEqual(new URL(page.url()).searchParams.getAll('filter'), []);
    assert.deepEqual(await resultUrns(page), before0.urns);
    assert.equal(await page.locator('#chips .chip').count(), 0);
    await page.goForward();
    await searchSettled(page);
    assert.deepEqual(await resultUrns(page), after1);
    await close();
  });

  test('without a mouse: Tab reaches a facet value, Space chooses it, the focus stays there', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/?q=orders');
    await searchSettled(page);
    const first = (await facetValues(page, 'type'))[0];
    // Tab from the search box until a facet checkbox has the focus.
    await page.focus('#q');
    let key = '';
    for (let i = 0; i < 20 && !key.startsWith('facet:'); i++) {
      await page.keyboard.press('Tab');
      key = await page.evaluate(() => document.activeElement.dataset.focusKey || '');
    }
    assert.equal(key, `facet:type:${first.value}`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focus is visible');
    await page.keyboard.press('Space');
    await page.waitForURL((u) => u.searchParams.getAll('type').includes(first.value));
    await searchSettled(page);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.focusKey), key);
    assert.equal(await page.evaluate(() => document.activeElement.checked), true);
    assert.equal(await total(page), first.count);
    await close();
  });

  test('the URL is the state: reload keeps it, a chip removes its filter', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(BASE + '/?q=orders&type=dataset&filter=tags:gold');
    await searchSettled(page);
    const urns = await resultUrns(page);
    assert.ok(urns.length > 0);
    const d = await api('/v1/search?q=orders&filter=type:dataset&filter=tags:gold&limit=20');
    assert.deepEqual(urns, d.hits.map((h) => h.urn));
    assert.equal(await page.inputValue('#q'), 'orders');
    await page.reload();
    await searchSettled(page);
    assert.deepEqual(await resultUrns(page), urns);
    assert.ok((await facetValues(page, 'type')).find((v) => v.value === 'dataset').checked);
    // Removing the tag chip from the keyboard.
    await page.locator('#chips .chip', { hasText: 'gold' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.getAll('filter').length === 0);
    await searchSettled(page);
    assert.equal(new URL(page.url()).searchParams.get('type'), 'dataset');
    await close();
  });

  test('when no result has every word, the page says which words were dropped', async () => {
    const { page, close } = await openPage(browser);
    const q = 'customer orders qxzvvy';
    const d = await api('/v1/search?q=' + encodeURIComponent(q));
    assert.deepEqual(d.query.dropped, ['qxzvvy']);
    await page.goto(BASE + '/?q=' + encodeURIComponent(q));
    await searchSettled(page);
    assert.deepEqual(await page.$$eval('#fallback s', (es) => es.map((e) => e.textContent)), ['qxzvvy']);
    assert.ok((await resultUrns(page)).length > 0);
    await close();
  });

  test('an empty result offers the API\'s "did you mean" as a link that searches it', async () => {
    const { page, close } = await openPage(browser);
    const q = 'shpmnt';
    const d = await api('/v1/search?q=' + encodeURIComponent(q));
    assert.equal(d.total, 0);
    assert.ok(d.query.did_you_mean, `the API suggests a correction for "${q}"`);
    await page.goto(BASE + '/?q=' + encodeURIComponent(q));
    await searchSettled(page);
    assert.match(await page.textContent('#fallback .empty'), /Nothing found/);
    const link = page.locator('#fallback a.dym');
    assert.equal(await link.textContent(), d.query.did_you_mean);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === d.query.did_you_mean);
    await searchSettled(page);
    assert.equal(await page.inputValue('#q'), d.query.did_you_mean);
    const fixed = await api('/v1/search?limit=20&q=' + encodeURIComponent(d.query.did_you_mean));
    assert.ok(fixed.total > 0);
    assert.deepEqual(await resultUrns(page), fixed.hits.map((h) => h.urn));
    await close();
  });
});

describe('layout', () => {
  test('on a phone the filters fold behind a button and the results fit the width', async () => {
    const { page, close } = await openPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto(BASE + '/?q=customer');
    await searchSettled(page);
    assert.equal(await page.locator('#facets').isVisible(), false);
    await page.click('#filters-toggle');
    assert.equal(await page.locator('#facets').isVisible(), true);
    assert.equal(await page.getAttribute('#filters-toggle', 'aria-expanded'), 'true');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await close();
  });
});
