// lib.mjs — what every browser test shares: Debian's Chromium driven by
// playwright-core (no browser of its own), the searchd that tests/browser/run
// started (MDX_URL, MDX_ADMIN_TOKEN), console-error collection, and small
// waits on the page's own state.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = process.env.MDX_URL;
export const ADMIN_TOKEN = process.env.MDX_ADMIN_TOKEN || '';
if (!BASE) throw new Error('MDX_URL is not set: run the tests through tests/browser/run');

// Flags for a closed network: no background connections, no first-run work.
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  // playwright-core starts each browser with a fresh, temporary profile.
  return chromium.launch({
    executablePath: process.env.MDX_CHROMIUM || '/usr/bin/chromium',
    args: FLAGS,
    headless: true,
  });
}

// A page in a new context (its own storage), recording console errors and
// uncaught exceptions. `expected` lists patterns of errors a test provokes on
// purpose (a refused token is logged by Chromium as a failed load).
export async function openPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(10000);
  return {
    page,
    errors,
    async close(expected = []) {
      await context.close();
      const left = errors.filter((e) => !expected.some((re) => re.test(e)));
      assert.deepEqual(left, [], 'no console errors or uncaught exceptions on the page');
    },
  };
}

// JSON from the same searchd, for facts a test compares the page against.
export async function api(path, init) {
  const res = await fetch(BASE + path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export const entityPath = (urn) => '/entity/' + encodeURIComponent(urn);

// The URNs of the result list, in order.
export async function resultUrns(page) {
  return page.$$eval('#results > li.hit', (lis) => lis.map((li) => li.dataset.urn));
}

// Waits until the search view shows the answer for the current URL (the
// results region is no longer busy).
export async function searchSettled(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('search-view');
    return v && !v.hidden && !v.hasAttribute('aria-busy') && document.getElementById('summary').textContent !== '';
  });
}

// The catalog tests/browser/corpus.jsonl and the DataHub fixtures hold.
export const URN = {
  shipmentTracking: 'urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.logistics.shipment_tracking,PROD)',
  warehouseEvents: 'urn:li:dataset:(urn:li:dataPlatform:postgres,ops.public.warehouse_events,PROD)',
  customerOrders: 'urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.sales.customer_orders,PROD)',
  // A DataHub fixture dataset with columns and upstream lineage (demo_data.json).
  nytStates: 'urn:li:dataset:(urn:li:dataPlatform:bigquery,bigquery-public-data.covid19_nyt.us_states,PROD)',
};
