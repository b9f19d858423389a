// app.js — the metadex portal: search with as-you-type suggestions, facets
// and shareable URLs at /, and entity pages at /entity/{urn}. One page,
// routed by path; every view is rebuilt from the URL, so reload, Back and
// Forward show what the URL says. No framework, no build step.
'use strict';

(() => {
  const PAGE_SIZE = 20;
  const SUGGEST_DELAY_MS = 120;
  const SUGGEST_LIMIT = 8;
  const FACET_SHOWN = 8; // values shown before "Show more"
  // Facet fields in sidebar order, with the names people read.
  const FACETS = [
    ['type', 'Type'], ['platform', 'Platform'], ['origin', 'Environment'],
    ['owners', 'Owners'], ['tags', 'Tags'], ['glossaryTerms', 'Glossary terms'],
    ['domains', 'Domains'],
  ];
  const FACET_LABEL = Object.fromEntries(FACETS);
  const TYPE_LABEL = {
    dataset: 'Dataset', dashboard: 'Dashboard', chart: 'Chart', dataFlow: 'Pipeline',
    dataJob: 'Task', mlModel: 'ML model', mlFeature: 'ML feature', mlFeatureTable: 'Feature table',
    mlModelGroup: 'Model group', mlPrimaryKey: 'ML key', container: 'Container',
    glossaryTerm: 'Glossary term', glossaryNode: 'Term group', tag: 'Tag', corpuser: 'User',
    corpGroup: 'Group', domain: 'Domain', notebook: 'Notebook', dataProduct: 'Data product',
  };
  // Suggestion kinds that pick a filter rather than a search.
  const KIND_FILTER = { owner: 'owners', tag: 'tags', glossaryTerm: 'glossaryTerms', domain: 'domains' };

  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, props = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    e.append(...children(kids));
    return e;
  };
  // Nested lists of nodes and strings, without the empty ones (null, false).
  const children = (kids) => kids.flat(Infinity)
    .filter((k) => k !== null && k !== undefined && k !== false)
    .map((k) => (k instanceof Node ? k : String(k)));

  // ---- Marked text from the API ------------------------------------------------
  // The API's snippets and highlights are HTML-escaped text with <mark> tags.
  // Anything else shaped like a tag means the string is not such a snippet:
  // it is then shown as plain text, never parsed.
  function marked(s, tag = 'span') {
    const e = document.createElement(tag);
    if (typeof s !== 'string') return e;
    if (/<(?!\/?mark>)/i.test(s)) e.textContent = s.replace(/<\/?mark>/gi, '');
    else e.innerHTML = s;
    return e;
  }

  // ---- URNs ------------------------------------------------------------------------
  // "urn:li:dataset:(urn:li:dataPlatform:hive,db.tbl,PROD)" → {type, parts}; the
  // key's top-level commas split it (nested parentheses kept whole).
  function urnParts(urn) {
    const m = /^urn:li:([A-Za-z]+):(.*)$/s.exec(urn || '');
    if (!m) return { type: '', parts: [urn || ''] };
    let key = m[2];
    if (!(key.startsWith('(') && key.endsWith(')'))) return { type: m[1], parts: [key] };
    key = key.slice(1, -1);
    const parts = [];
    let depth = 0, start = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth === 0) { parts.push(key.slice(start, i)); start = i + 1; }
    }
    parts.push(key.slice(start));
    return { type: m[1], parts };
  }
  // The name a person knows an entity by, from its URN alone.
  function urnName(urn) {
    const { type, parts } = urnParts(urn);
    if (type === 'dataset' && parts.length >= 2) return parts[1].split('.').pop();
    if ((type === 'dataJob' || type === 'chart' || type === 'dashboard' || type === 'dataFlow') && parts.length >= 2)
      return parts[1];
    return parts[parts.length - 1];
  }
  // A related entity's label, or a readable name when the label is only its key.
  function refLabel(ref) {
    const label = ref && ref.label;
    if (label && !label.startsWith('(') && !label.startsWith('urn:')) return label;
    return urnName(ref && ref.urn);
  }
  // "db.schema" of a hit: its qualified name (or URN name) without the last part.
  function containerPath(hit) {
    if (hit.type !== 'dataset') return '';
    let qn = hit.qualifiedName;
    if (!qn) {
      const { type, parts } = urnParts(hit.urn);
      if (type === 'dataset' && parts.length >= 2) qn = parts[1];
    }
    if (!qn || !qn.includes('.')) return '';
    return qn.split('.').slice(0, -1).join('.');
  }
  const entityHref = (urn) => '/entity/' + encodeURIComponent(urn);
  const typeLabel = (t) => TYPE_LABEL[t] || t || 'Entity';
  // A facet value's label: remembered from facet answers, else read off the URN.
  const labels = new Map();
  function valueLabel(field, value) {
    if (field === 'type') return typeLabel(value);
    return labels.get(field + '\u0000' + value) || (value.startsWith('urn:li:') ? urnName(value) : value);
  }

  // ---- API --------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }
  async function api(path, params, signal) {
    const qs = new URLSearchParams();
    for (const [k, v] of params || []) qs.append(k, v);
    const url = path + (qs.toString() ? '?' + qs : '');
    const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  // ---- State in the URL ---------------------------------------------------------
  // /?q=...&type=dataset&filter=platform:hive&filter=tags:urn:li:tag:pii&page=2
  function readState() {
    const u = new URL(location.href);
    const filters = new Map();
    const add = (f, v) => {
      if (!f || !v) return;
      if (!filters.has(f)) filters.set(f, []);
      if (!filters.get(f).includes(v)) filters.get(f).push(v);
    };
    for (const t of u.searchParams.getAll('type')) add('type', t);
    for (const f of u.searchParams.getAll('filter')) {
      const i = f.indexOf(':');
      if (i > 0) add(f.slice(0, i), f.slice(i + 1));
    }
    const page = Math.max(1, parseInt(u.searchParams.get('page') || '1', 10) || 1);
    return { q: u.searchParams.get('q') || '', filters, page };
  }
  function stateUrl(st) {
    const p = new URLSearchParams();
    if (st.q) p.append('q', st.q);
    for (const [f, vals] of st.filters)
      for (const v of vals) {
        if (f === 'type') p.append('type', v);
        else p.append('filter', `${f}:${v}`);
      }
    if (st.page > 1) p.append('page', String(st.page));
    const s = p.toString();
    return '/' + (s ? '?' + s : '');
  }
  function cloneState(st) {
    return { q: st.q, page: st.page, filters: new Map([...st.filters].map(([f, v]) => [f, [...v]])) };
  }
  function go(url, replace = false) {
    if (url !== location.pathname + location.search) {
      if (replace) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
    }
    route();
  }
  function setState(st) { go(stateUrl(st)); }

  // ---- Elements -------------------------------------------------------------------
  const form = $('#search-form');
  const input = $('#q');
  const list = $('#suggestions');
  const live = $('#live');
  const errorBox = $('#error');
  const searchView = $('#search-view');
  const entityView = $('#entity-view');
  const facetsBox = $('#facets');
  const filtersToggle = $('#filters-toggle');

  function showError(msg) {
    errorBox.textContent = msg;
    errorBox.hidden = !msg;
  }
  function announce(msg) { live.textContent = msg; }

  // Rebuilding a region must not lose the keyboard user's place: the focused
  // control's data-focus-key is looked up again in the new content.
  function keepFocus(fn) {
    const key = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.focusKey : undefined;
    fn();
    if (key) {
      const again = [...document.querySelectorAll('[data-focus-key]')].find((e) => e.dataset.focusKey === key);
      if (again) again.focus();
    }
  }

  // ---- Suggestions (ARIA combobox) ---------------------------------------------
  let sugTimer = 0, sugSeq = 0, sugCtrl = null, sugItems = [], sugActive = -1;

  function closeSuggestions() {
    sugSeq++; // an answer still in flight is stale now
    if (sugCtrl) { sugCtrl.abort(); sugCtrl = null; }
    clearTimeout(sugTimer);
    list.hidden = true;
    list.replaceChildren();
    sugItems = [];
    sugActive = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  function setActive(i) {
    const opts = list.querySelectorAll('[role=option]');
    opts.forEach((o, k) => o.setAttribute('aria-selected', k === i ? 'true' : 'false'));
    sugActive = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute('aria-activedescendant', opts[i].id);
      opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }
  function renderSuggestions(items) {
    sugItems = items;
    sugActive = -1;
    list.replaceChildren(...items.map((s, i) => {
      const kind = s.kind && s.kind !== 'entity' ? s.kind : s.type;
      const where = [s.platform, s.path].filter(Boolean).join(' · ');
      const text = marked(s.highlight || escapeHtml(s.text || ''), 'span');
      text.className = 'sug-text';
      return el('li', {
        id: `sug-${i}`, role: 'option', 'aria-selected': 'false', class: 'suggestion',
        dataset: { kind: s.kind || '', urn: s.urn || '' },
        onmousedown: (ev) => ev.preventDefault(), // keep the focus in the box
        onclick: (ev) => chooseSuggestion(i, ev.ctrlKey || ev.metaKey),
      },
      text,
      el('span', { class: `kind kind-${kind}`, text: kindLabel(s) }),
      where ? el('span', { class: 'where', text: where }) : null);
    }));
    const open = items.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', open ? 'true' : 'false');
    input.removeAttribute('aria-activedescendant');
    announce(open ? `${items.length} suggestion${items.length > 1 ? 's' : ''}` : '');
  }
  function kindLabel(s) {
    if (s.kind === 'owner') return 'owner';
    if (s.kind === 'tag') return 'tag';
    if (s.kind === 'glossaryTerm') return 'term';
    if (s.kind === 'domain') return 'domain';
    return typeLabel(s.type).toLowerCase();
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  async function fetchSuggestions() {
    const q = input.value;
    if (!q.trim()) { closeSuggestions(); return; }
    const seq = ++sugSeq;
    if (sugCtrl) sugCtrl.abort();
    const ctrl = new AbortController();
    sugCtrl = ctrl;
    try {
      const d = await api('/v1/autocomplete', [['q', q], ['limit', String(SUGGEST_LIMIT)]], ctrl.signal);
      // Answers can arrive out of order: only the newest one is shown.
      if (seq !== sugSeq || input.value !== q || document.activeElement !== input) return;
      renderSuggestions(Array.isArray(d.suggestions) ? d.suggestions : []);
    } catch (e) {
      if (e.name === 'AbortError' || seq !== sugSeq) return;
      closeSuggestions();
    }
  }
  function chooseSuggestion(i, openEntity) {
    const s = sugItems[i];
    if (!s) return;
    closeSuggestions();
    const field = KIND_FILTER[s.kind];
    if (field && s.urn) {
      // A person, tag, term or domain: narrow the search to what carries it.
      const st = cloneState(readState());
      st.q = '';
      if (!st.filters.has(field)) st.filters.set(field, []);
      if (!st.filters.get(field).includes(s.urn)) st.filters.get(field).push(s.urn);
      labels.set(field + '\u0000' + s.urn, s.text);
      st.page = 1;
      input.value = '';
      setState(st);
      return;
    }
    if (openEntity && s.urn) { go(entityHref(s.urn)); return; }
    input.value = s.text || '';
    search(input.value);
  }
  function search(q) {
    const st = routeIsSearch() ? cloneState(readState()) : { q: '', filters: new Map(), page: 1 };
    st.q = q.trim();
    st.page = 1;
    setState(st);
  }

  input.addEventListener('input', () => {
    clearTimeout(sugTimer);
    if (!input.value.trim()) { closeSuggestions(); return; }
    sugTimer = setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (ev) => {
    const open = !list.hidden && sugItems.length > 0;
    if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      if (!open) { fetchSuggestions(); return; }
      setActive(sugActive + 1 >= sugItems.length ? 0 : sugActive + 1);
    } else if (ev.key === 'ArrowUp') {
      if (!open) return;
      ev.preventDefault();
      setActive(sugActive <= 0 ? sugItems.length - 1 : sugActive - 1);
    } else if (ev.key === 'Enter') {
      if (open && sugActive >= 0) {
        ev.preventDefault();
        chooseSuggestion(sugActive, ev.ctrlKey || ev.metaKey);
      }
      // Otherwise the form submits: a search for what was typed.
    } else if (ev.key === 'Escape') {
      if (open) { ev.preventDefault(); closeSuggestions(); }
      else if (input.value) { ev.preventDefault(); input.value = ''; }
    } else if (ev.key === 'Tab') {
      closeSuggestions();
    }
  });
  input.addEventListener('blur', () => closeSuggestions());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    closeSuggestions();
    search(input.value);
  });
  // "/" anywhere but in a text field goes to the search box.
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });

  // ---- Search view ---------------------------------------------------------------
  let searchSeq = 0, searchCtrl = null;

  function searchParams(st, exceptField, facetFields, limit, offset) {
    const p = [['q', st.q], ['limit', String(limit)], ['offset', String(offset)]];
    for (const [f, vals] of st.filters) {
      if (f === exceptField) continue;
      for (const v of vals) p.push(['filter', `${f}:${v}`]);
    }
    if (facetFields.length) p.push(['facets', facetFields.join(',')]);
    return p;
  }

  async function runSearch(st) {
    const seq = ++searchSeq;
    if (searchCtrl) searchCtrl.abort();
    const ctrl = new AbortController();
    searchCtrl = ctrl;
    input.value = st.q;
    document.title = st.q ? `${st.q} — metadex` : 'metadex — search the data catalog';
    searchView.setAttribute('aria-busy', 'true');
    // Several values of one facet are OR'd: that facet's counts come from the
    // search without its own filter, so its other values stay choosable.
    const selected = FACETS.map(([f]) => f).filter((f) => st.filters.has(f) && st.filters.get(f).length);
    const plain = FACETS.map(([f]) => f).filter((f) => !selected.includes(f));
    try {
      const [main, ...others] = await Promise.all([
        api('/v1/search', searchParams(st, null, plain, PAGE_SIZE, (st.page - 1) * PAGE_SIZE), ctrl.signal),
        ...selected.map((f) => api('/v1/search', searchParams(st, f, [f], 1, 0), ctrl.signal)),
      ]);
      if (seq !== searchSeq) return;
      const facets = Object.assign({}, main.facets || {});
      selected.forEach((f, i) => { facets[f] = (others[i].facets || {})[f] || []; });
      for (const [f, vals] of Object.entries(facets))
        for (const v of vals || []) if (v.label) labels.set(f + '\u0000' + v.value, v.label);
      showError('');
      keepFocus(() => {
        renderChips(st);
        renderFacets(st, facets);
        renderResults(st, main);
      });
    } catch (e) {
      if (e.name === 'AbortError' || seq !== searchSeq) return;
      showError(`Search failed: ${e.message}`);
      $('#results').replaceChildren();
      $('#summary').textContent = '';
      $('#pager').replaceChildren();
    } finally {
      if (seq === searchSeq) searchView.removeAttribute('aria-busy');
    }
  }

  // Turns a filter value on or off. `aliases` are other spellings of the same
  // value (a name where the facet has the URN): off removes them all.
  function toggleFilter(st, field, value, on, aliases = []) {
    const next = cloneState(st);
    let vals = next.filters.get(field) || [];
    if (on && !vals.includes(value)) vals.push(value);
    if (!on) vals = vals.filter((v) => v !== value && !aliases.includes(v));
    if (vals.length) next.filters.set(field, vals); else next.filters.delete(field);
    next.page = 1;
    setState(next);
  }

  function renderChips(st) {
    const box = $('#chips');
    const chips = [];
    for (const [f, vals] of st.filters)
      for (const v of vals) {
        const name = `${FACET_LABEL[f] || f}: ${valueLabel(f, v)}`;
        chips.push(el('button', {
          type: 'button', class: 'chip', 'aria-label': `Remove filter ${name}`,
          dataset: { focusKey: `chip:${f}:${v}` },
          onclick: () => toggleFilter(st, f, v, false),
        }, el('span', { text: name }), el('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' })));
      }
    if (chips.length > 1)
      chips.push(el('button', {
        type: 'button', class: 'linklike', dataset: { focusKey: 'chips:clear' },
        onclick: () => setState({ q: st.q, filters: new Map(), page: 1 }),
      }, 'Clear all'));
    box.replaceChildren(...chips);
    const n = [...st.filters.values()].reduce((a, v) => a + v.length, 0);
    filtersToggle.textContent = n ? `Filters (${n})` : 'Filters';
  }

  const expandedFacets = new Set();
  function renderFacets(st, facets) {
    const groups = [];
    for (const [f, title] of FACETS) {
      const chosen = st.filters.get(f) || [];
      const vals = (facets[f] || []).slice();
      // Filters take a URN or a name: a value is chosen under either.
      const isChosen = (x) => chosen.includes(x.value) || (x.label !== undefined && chosen.includes(x.label));
      // A chosen value that no longer counts is still shown, to be unchosen.
      for (const v of chosen)
        if (!vals.some((x) => x.value === v || x.label === v)) vals.push({ value: v, count: 0 });
      if (!vals.length) continue;
      const expanded = expandedFacets.has(f);
      const shown = expanded ? vals : vals.filter((v, i) => i < FACET_SHOWN || isChosen(v));
      const id = `facet-${f}`;
      const items = shown.map((v) => {
        const cid = `${id}-${valueKey(v.value)}`;
        const checked = isChosen(v);
        return el('li', {},
          el('input', {
            type: 'checkbox', id: cid, checked, dataset: { focusKey: `facet:${f}:${v.value}`, field: f, value: v.value },
            onchange: (ev) => toggleFilter(st, f, v.value, ev.target.checked, v.label ? [v.label] : []),
          }),
          el('label', { for: cid },
            el('span', { class: 'facet-label', text: v.label && f !== 'type' ? v.label : valueLabel(f, v.value), title: v.value }),
            el('span', { class: 'count', text: String(v.count) }),
            el('span', { class: 'visually-hidden', text: ` result${v.count === 1 ? '' : 's'}` })));
      });
      const more = vals.length > shown.length || expanded && vals.length > FACET_SHOWN
        ? el('button', {
          type: 'button', class: 'linklike more', 'aria-expanded': expanded ? 'true' : 'false',
          dataset: { focusKey: `more:${f}` },
          onclick: () => {
            if (expanded) expandedFacets.delete(f); else expandedFacets.add(f);
            keepFocus(() => renderFacets(st, facets));
          },
        }, expanded ? 'Show fewer' : `Show all ${vals.length}`)
        : null;
      groups.push(el('fieldset', { class: 'facet', dataset: { facet: f } },
        el('legend', { text: title }), el('ul', {}, items), more));
    }
    if (!groups.length) groups.push(el('p', { class: 'muted', text: 'No filters for these results.' }));
    facetsBox.replaceChildren(el('h2', { class: 'facets-title', text: 'Filter by' }), ...groups);
  }
  // A value's part of an element id (ids must be unique and simple).
  function valueKey(v) {
    let h = 0;
    for (let i = 0; i < v.length; i++) h = (h * 31 + v.charCodeAt(i)) | 0;
    return (h >>> 0).toString(36);
  }

  function renderResults(st, d) {
    const hits = d.hits || [];
    const total = d.total || 0;
    const took = typeof d.took_ms === 'number' ? `${d.took_ms < 10 ? d.took_ms.toFixed(1) : Math.round(d.took_ms)} ms` : '';
    const summary = $('#summary');
    const what = st.q ? ` for “${st.q}”` : '';
    const count = `${d.total_exact === false ? 'about ' : ''}${total.toLocaleString('en')}`;
    summary.replaceChildren(...children([
      el('strong', { text: `${count} result${total === 1 ? '' : 's'}` }), what,
      took ? el('span', { class: 'took', text: ` · ${took}` }) : null]));
    announce(`${count} result${total === 1 ? '' : 's'}${what}`);
    renderFallback(st, d.query || {}, total);
    $('#results').replaceChildren(...hits.map((h, i) => renderHit(h, (st.page - 1) * PAGE_SIZE + i + 1)));
    renderPager(st, total);
  }

  function renderFallback(st, query, total) {
    const box = $('#fallback');
    const parts = [];
    const dropped = Array.isArray(query.dropped) ? query.dropped : [];
    if (dropped.length && total > 0)
      parts.push(el('p', {},
        'No result had every word; showing results without ',
        ...dropped.map((w, i) => [i ? ', ' : '', el('s', { text: w })]), '.'));
    if (query.did_you_mean) {
      const dym = query.did_you_mean;
      parts.push(el('p', { class: 'did-you-mean' }, 'Did you mean ',
        el('a', {
          href: stateUrl({ q: dym, filters: st.filters, page: 1 }), 'data-nav': true,
          class: 'dym', text: dym,
        }), '?'));
    }
    if (total === 0) {
      const tips = [];
      if (st.filters.size) tips.push('remove a filter');
      if (st.q) tips.push('use fewer or other words');
      parts.push(el('p', { class: 'empty' },
        st.q ? `Nothing found for “${st.q}”.` : 'Nothing found.',
        tips.length ? ` Try to ${tips.join(' or ')}.` : ''));
    }
    box.replaceChildren(...parts);
  }

  function chipLinks(field, values, matchedSet) {
    return values.map((v) => {
      const urn = typeof v === 'string' ? v : v.urn;
      const label = typeof v === 'string' ? valueLabel(field, v) : refLabel(v);
      const matched = matchedSet && matchedSet.has(urn);
      return el('a', {
        class: `tag tag-${field}${matched ? ' matched' : ''}`, 'data-nav': true,
        href: stateUrl({ q: '', filters: new Map([[field, [urn]]]), page: 1 }),
        title: `Everything with ${FACET_LABEL[field].toLowerCase().replace(/s$/, '')} ${label}`,
      }, matched ? el('mark', { text: label }) : label);
    });
  }
  function popularityHint(p) {
    if (!(p > 0)) return null;
    // Usage counts spread over orders of magnitude: a log scale, 1..5 bars.
    const level = Math.max(1, Math.min(5, Math.ceil(Math.log10(p + 1) * 1.25)));
    return el('span', {
      class: 'popularity', title: `Usage score ${Math.round(p).toLocaleString('en')} (queries and users, last 30 days)`,
      role: 'img', 'aria-label': `Popularity ${level} of 5`,
    }, el('span', { class: 'bars', 'aria-hidden': 'true' },
      ...[1, 2, 3, 4, 5].map((k) => el('span', { class: k <= level ? 'bar on' : 'bar' }))),
    el('span', { class: 'pop-text', 'aria-hidden': 'true', text: level >= 4 ? 'popular' : level >= 2 ? 'used' : 'rarely used' }));
  }

  function renderHit(h, rank) {
    const path = containerPath(h);
    const matched = h.matched || {};
    const setOf = (a) => new Set((a || []).map((x) => (typeof x === 'string' ? x : x.urn)));
    const owners = h.owners || [], tags = h.tags || [], terms = h.glossaryTerms || [];
    const cols = h.matched_columns || [];
    return el('li', { class: 'hit', dataset: { urn: h.urn, rank: String(rank) } },
      el('div', { class: 'hit-head' },
        el('h2', { class: 'hit-name' },
          el('a', { href: entityHref(h.urn), 'data-nav': true, text: h.name || urnName(h.urn) })),
        el('span', { class: `badge type type-${h.type}`, text: typeLabel(h.type) }),
        popularityHint(h.popularity)),
      el('p', { class: 'hit-meta' },
        h.platform ? el('span', { class: 'platform', text: h.platform }) : null,
        path ? el('span', { class: 'path', text: path }) : null,
        h.origin && h.origin !== 'PROD' ? el('span', { class: 'origin', text: h.origin }) : null,
        h.removed ? el('span', { class: 'removed', text: 'removed' }) : null),
      h.description ? marked(h.description, 'p') : null,
      cols.length ? el('ul', { class: 'columns', 'aria-label': 'Matching columns' },
        cols.map((c) => el('li', {}, marked(c.snippet || escapeHtml(c.path || ''), 'code'),
          Array.isArray(c.matched_in) && c.matched_in.includes('description') && c.description
            ? [' ', marked(c.description, 'span')] : null))) : null,
      owners.length || tags.length || terms.length ? el('div', { class: 'hit-tags' },
        owners.length ? el('span', { class: 'group' }, el('span', { class: 'label', text: 'Owners' }),
          ...chipLinks('owners', owners, setOf(matched.owners))) : null,
        tags.length ? el('span', { class: 'group' }, el('span', { class: 'label', text: 'Tags' }),
          ...chipLinks('tags', tags, setOf(matched.tags))) : null,
        terms.length ? el('span', { class: 'group' }, el('span', { class: 'label', text: 'Terms' }),
          ...chipLinks('glossaryTerms', terms, setOf(matched.glossaryTerms))) : null) : null);
  }

  function renderPager(st, total) {
    const pages = Math.ceil(total / PAGE_SIZE);
    const box = $('#pager');
    if (pages <= 1) { box.replaceChildren(); return; }
    const link = (p, text, rel) => el('a', {
      href: stateUrl({ q: st.q, filters: st.filters, page: p }), 'data-nav': true, rel,
      class: 'button', text,
    });
    box.replaceChildren(
      st.page > 1 ? link(st.page - 1, '← Previous', 'prev') : el('span'),
      el('span', { class: 'muted', text: `Page ${st.page} of ${pages.toLocaleString('en')}` }),
      st.page < pages ? link(st.page + 1, 'Next →', 'next') : el('span'));
  }

  filtersToggle.addEventListener('click', () => {
    const open = facetsBox.classList.toggle('open');
    filtersToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  // ---- Entity view -------------------------------------------------------------------
  let entitySeq = 0;

  async function showEntity(urn) {
    const seq = ++entitySeq;
    entityView.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
    entityView.setAttribute('aria-busy', 'true');
    try {
      const e = await api('/v1/entities/' + encodeURIComponent(urn));
      if (seq !== entitySeq) return;
      showError('');
      entityView.removeAttribute('aria-busy');
      renderEntity(e);
      document.title = `${e.name || urnName(e.urn)} — metadex`;
      announce(`${typeLabel(e.type)} ${e.name || ''}`);
    } catch (err) {
      if (seq !== entitySeq) return;
      entityView.removeAttribute('aria-busy');
      entityView.replaceChildren(
        el('h1', { text: urnName(urn) || 'Entity' }),
        el('p', { class: 'empty', text: err.status === 404 ? 'This entity is not in the catalog.' : `Could not load it: ${err.message}` }),
        el('p', {}, el('a', { href: '/', 'data-nav': true, text: 'Back to search' })));
      document.title = 'Not found — metadex';
    }
  }

  function section(title, ...body) {
    const id = 'sec-' + title.toLowerCase().replace(/[^a-z]+/g, '-');
    return el('section', { class: 'entity-section', 'aria-labelledby': id },
      el('h2', { id, text: title }), ...body);
  }
  function refList(refs, empty) {
    if (!refs || !refs.length) return el('p', { class: 'muted', text: empty });
    return el('ul', { class: 'ref-list' }, refs.map((r) => {
      const { type, parts } = urnParts(r.urn);
      const platform = type === 'dataset' ? (parts[0] || '').replace('urn:li:dataPlatform:', '') : '';
      return el('li', {},
        el('a', { href: entityHref(r.urn), 'data-nav': true, class: 'ref', text: refLabel(r) }),
        platform ? el('span', { class: 'muted', text: ` ${platform}` }) : null,
        type === 'dataset' && parts[1] && parts[1].includes('.') ? el('span', { class: 'path', text: ` ${parts[1]}` }) : null);
    }));
  }
  function fmtDate(ms) {
    if (!ms) return '';
    const d = new Date(ms);
    return isNaN(d) ? '' : d.toISOString().slice(0, 10);
  }
  function customProperties(aspects) {
    const out = [];
    for (const a of Object.values(aspects || {}))
      if (a && typeof a === 'object' && a.customProperties && typeof a.customProperties === 'object')
        for (const [k, v] of Object.entries(a.customProperties))
          if (typeof v === 'string' || typeof v === 'number') out.push([k, String(v)]);
    return out;
  }

  // Types whose pages speak of lineage and usage; a person, tag or term has
  // instead the things that carry it.
  const ASSET_TYPES = new Set(['dataset', 'dashboard', 'chart', 'dataFlow', 'dataJob', 'mlModel',
    'mlFeature', 'mlFeatureTable', 'mlModelGroup', 'mlPrimaryKey', 'notebook', 'container']);
  const CARRIER_FIELD = { corpuser: 'owners', corpGroup: 'owners', tag: 'tags', glossaryTerm: 'glossaryTerms', domain: 'domains' };

  function renderEntity(e) {
    const path = containerPath(e);
    const asset = ASSET_TYPES.has(e.type);
    const carrier = CARRIER_FIELD[e.type];
    const hasRefs = ['owners', 'tags', 'glossaryTerms', 'domains'].some((f) => e[f] && e[f].length);
    const props = [
      ['URN', el('code', { class: 'urn', text: e.urn })],
      e.qualifiedName ? ['Qualified name', e.qualifiedName] : null,
      ['Type', [typeLabel(e.type), ...(e.subTypes || [])].join(' · ')],
      e.platform ? ['Platform', e.platform] : null,
      e.origin ? ['Environment', e.origin] : null,
      e.container ? ['Container', typeof e.container === 'string'
        ? e.container : el('a', { href: entityHref(e.container.urn), 'data-nav': true, text: refLabel(e.container) })] : null,
      e.updatedMs ? ['Updated', fmtDate(e.updatedMs)] : null,
      ...customProperties(e.aspects),
    ].filter(Boolean);
    const refChips = (field, refs) => refs && refs.length
      ? el('div', { class: 'chip-row' }, chipLinks(field, refs))
      : el('p', { class: 'muted', text: 'None' });
    const cols = e.columns || [];
    const usage = e.usage || {};
    const charts = e.aspects && e.aspects.dashboardInfo && Array.isArray(e.aspects.dashboardInfo.charts)
      ? e.aspects.dashboardInfo.charts.filter((c) => typeof c === 'string').map((urn) => ({ urn })) : [];

    entityView.replaceChildren(...children([
      el('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
        el('a', { href: '/', 'data-nav': true, text: 'Search', onclick: backToSearch }), ' › ',
        el('span', { text: typeLabel(e.type) })),
      el('header', { class: 'entity-head' },
        el('h1', { text: e.name || urnName(e.urn) }),
        el('span', { class: `badge type type-${e.type}`, text: typeLabel(e.type) }),
        e.removed ? el('span', { class: 'badge removed', text: 'removed' }) : null,
        popularityHint(e.popularity)),
      el('p', { class: 'hit-meta' },
        e.platform ? el('span', { class: 'platform', text: e.platform }) : null,
        path ? el('span', { class: 'path', text: path }) : null,
        e.origin ? el('span', { class: 'origin', text: e.origin }) : null),
      e.description ? el('p', { class: 'description', text: e.description }) : el('p', { class: 'muted', text: 'No description.' }),
      el('div', { class: 'entity-grid' },
        section('Properties', el('dl', { class: 'props' },
          props.map(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]))),
        carrier ? section('In the catalog', el('p', {},
          el('a', {
            href: stateUrl({ q: '', filters: new Map([[carrier, [e.urn]]]), page: 1 }), 'data-nav': true,
            text: carrier === 'owners' ? `Everything ${e.name || urnName(e.urn)} owns` : `Everything with ${e.name || urnName(e.urn)}`,
          }))) : null,
        asset || hasRefs ? section('Ownership and classification',
          el('h3', { text: 'Owners' }), refChips('owners', e.owners),
          el('h3', { text: 'Tags' }), refChips('tags', e.tags),
          el('h3', { text: 'Glossary terms' }), refChips('glossaryTerms', e.glossaryTerms),
          e.domains && e.domains.length ? [el('h3', { text: 'Domains' }), refChips('domains', e.domains)] : null) : null,
        asset ? section('Usage', el('dl', { class: 'props' },
          el('dt', { text: e.type === 'dataset' ? 'Queries (30 days)' : 'Views (30 days)' }),
          el('dd', { text: (usage.queries || 0).toLocaleString('en') }),
          el('dt', { text: 'Unique users' }), el('dd', { text: (usage.uniqueUsers || 0).toLocaleString('en') }))) : null),
      cols.length ? section(`Schema (${cols.length} column${cols.length === 1 ? '' : 's'})`,
        el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Schema' },
          el('table', { class: 'schema' },
            el('thead', {}, el('tr', {}, ['Column', 'Type', 'Description', 'Tags and terms'].map((t) => el('th', { scope: 'col', text: t })))),
            el('tbody', {}, cols.map((c) => el('tr', {},
              el('th', { scope: 'row' }, el('code', { text: c.path })),
              el('td', {}, el('code', { class: 'coltype', text: c.type || '' })),
              el('td', { text: c.description || '' }),
              el('td', {}, chipLinks('tags', c.tags || []), chipLinks('glossaryTerms', c.glossaryTerms || [])))))))) : null,
      charts.length ? section('Charts', refList(charts, '')) : null,
      !asset && !(e.upstreams || []).length && !(e.downstreams || []).length ? null : section('Lineage', el('div', { class: 'lineage' },
        el('div', { class: 'upstream' }, el('h3', { text: 'Upstream' }), refList(e.upstreams, 'No upstream known.')),
        el('div', { class: 'lineage-self', 'aria-hidden': 'true', text: '→ ' + (e.name || '') + ' →' }),
        el('div', { class: 'downstream' }, el('h3', { text: 'Downstream' }), refList(e.downstreams, 'No downstream known.'))))]));
  }
  // "Search" in the breadcrumb goes back when the search is where we came from.
  let cameFromSearch = false;
  function backToSearch(ev) {
    if (cameFromSearch && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey) {
      ev.preventDefault();
      ev.stopPropagation();
      history.back();
    }
  }

  // ---- Routing ------------------------------------------------------------------------
  const routeIsSearch = () => !location.pathname.startsWith('/entity/');
  let lastWasSearch = false;
  function route() {
    closeSuggestions();
    const path = location.pathname;
    if (path.startsWith('/entity/')) {
      cameFromSearch = lastWasSearch;
      lastWasSearch = false;
      let urn = '';
      try { urn = decodeURIComponent(path.slice('/entity/'.length)); } catch (_) { urn = ''; }
      searchView.hidden = true;
      entityView.hidden = false;
      showError('');
      showEntity(urn);
      window.scrollTo(0, 0);
      return;
    }
    lastWasSearch = true;
    entityView.hidden = true;
    searchView.hidden = false;
    runSearch(readState());
  }
  // Links inside the app change the view without a reload.
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[data-nav]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    ev.preventDefault();
    go(url.pathname + url.search);
    // The new view's content is where the keyboard goes on from.
    $('#main').focus({ preventScroll: true });
  });
  window.addEventListener('popstate', route);
  route();
})();
