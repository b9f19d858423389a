// entity.test.mjs — entity pages at /entity/{urn}: what the API knows about
// an entity (properties, schema, owners, tags, lineage) as one page, reached
// from the results and from lineage links, with Back working.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, URN, api, entityPath, launch, openPage, resultUrns, searchSettled } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const entitySettled = (page) => page.waitForFunction(() => {
  const v = document.getElementById('entity-view');
  return v && !v.hidden && !v.hasAttribute('aria-busy') && v.querySelector('h1');
});

test('a fixture dataset\'s page shows its columns and links to its lineage', async () => {
  const e = await api('/v1/entities/' + encodeURIComponent(URN.nytStates));
  assert.ok(e.columns.length > 0 && e.upstreams.length > 0, 'the fixture has columns and upstreams');
  const { page, close } = await openPage(browser);
  await page.goto(BASE + entityPath(URN.nytStates));
  await entitySettled(page);
  assert.equal(await page.textContent('#entity-view h1'), e.name);
  const rows = await page.$$eval('table.schema tbody tr', (trs) => trs.map((tr) => ({
    path: tr.querySelector('th').textContent, type: tr.querySelector('td').textContent,
  })));
  assert.deepEqual(rows, e.columns.map((c) => ({ path: c.path, type: c.type || '' })));
  const ups = await page.$$eval('.upstream a.ref', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(ups, e.upstreams.map((u) => entityPath(u.urn)));
  // Following a lineage link opens that entity's page; Back returns.
  const up = e.upstreams[0];
  const upEntity = await api('/v1/entities/' + encodeURIComponent(up.urn));
  await page.click(`.upstream a.ref[href="${entityPath(up.urn)}"]`);
  await page.waitForURL((u) => u.pathname === entityPath(up.urn));
  await page.waitForFunction((name) => document.querySelector('#entity-view h1')?.textContent === name, upEntity.name);
  await page.goBack();
  await page.waitForFunction((name) => document.querySelector('#entity-view h1')?.textContent === name, e.name);
  await close();
});

test('properties, owners, tags, terms and usage of a catalog dataset', async () => {
  const e = await api('/v1/entities/' + encodeURIComponent(URN.customerOrders));
  const { page, close } = await openPage(browser);
  await page.goto(BASE + entityPath(URN.customerOrders));
  await entitySettled(page);
  const props = await page.$$eval('dl.props dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  assert.equal(props.URN, e.urn);
  assert.equal(props.Platform, e.platform);
  assert.equal(props['Qualified name'], e.qualifiedName);
  assert.equal(Number(props['Queries (30 days)'].replace(/,/g, '')), e.usage.queries);
  const section = page.locator('section', { hasText: 'Ownership and classification' });
  for (const [field, list] of [['owners', e.owners], ['tags', e.tags], ['glossaryTerms', e.glossaryTerms]])
    for (const r of list) {
      const link = section.locator(`a.tag-${field}`, { hasText: r.label });
      assert.equal(await link.count(), 1, `${field} ${r.label} shown`);
      // Each links to the search filtered by it.
      assert.ok(new URL(await link.getAttribute('href'), BASE).searchParams.getAll('filter').includes(`${field}:${r.urn}`));
    }
  // Column tags appear in the schema table.
  const tagged = e.columns.find((c) => c.tags.length);
  const row = page.locator('table.schema tbody tr', { has: page.locator('th', { hasText: tagged.path }) });
  assert.ok(await row.locator('a.tag-tags', { hasText: tagged.tags[0].label }).count() > 0);
  await close();
});

test('a result opens its entity page and Back returns to the same results', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(BASE + '/?q=revenue');
  await searchSettled(page);
  const urns = await resultUrns(page);
  assert.ok(urns.length > 1);
  await page.click(`#results li.hit[data-urn="${urns[1]}"] .hit-name a`);
  await page.waitForURL((u) => u.pathname === entityPath(urns[1]));
  await entitySettled(page);
  await page.goBack();
  await searchSettled(page);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'revenue');
  assert.deepEqual(await resultUrns(page), urns);
  await close();
});
