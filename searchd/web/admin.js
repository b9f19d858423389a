// admin.js — the relevance admin page (/admin): edit the ranking config,
// watch a query's order change (saved and proposed side by side, through
// POST /v1/admin/ranking/preview), explain any hit, save versions and revert.
// The admin token stays in this tab's sessionStorage only.
'use strict';

(() => {
  const TOKEN_KEY = 'metadex.adminToken';
  const PREVIEW_DELAY_MS = 250;
  const PREVIEW_LIMIT = 10;
  // Titles of the config's sections; any other key is shown under its own name.
  const SECTION_TITLE = {
    boosts: 'Field boosts', typo: 'Typo tolerance', prefix: 'Prefix matching',
    exact_bonus: 'Exact match bonus', popularity: 'Popularity', type_boosts: 'Type boosts',
    platform_boosts: 'Platform boosts', synonyms: 'Synonyms', pinned: 'Pinned results',
  };
  const SECTION_HELP = {
    boosts: 'How much a match in each field counts (0–100).',
    typo: 'Matches with spelling mistakes, and what they are worth.',
    prefix: 'Matches of a word being typed (the last word of the query).',
    exact_bonus: 'Added when the query is the name, the last dotted part or the URN.',
    popularity: 'prior = min(cap, weight × log(1 + usage)).',
    type_boosts: 'Multiplies the text score of each entity type.',
    platform_boosts: 'Multiplies the text score of each platform.',
    synonyms: 'One group per line, words separated by commas.',
    pinned: 'One query per line: query = urn, urn, …',
  };
  // Keys the server sets; never edited.
  const SERVER_KEYS = new Set(['version']);

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
  const children = (kids) => kids.flat(Infinity)
    .filter((k) => k !== null && k !== undefined && k !== false)
    .map((k) => (k instanceof Node ? k : String(k)));
  const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const entityHref = (urn) => '/entity/' + encodeURIComponent(urn);
  const fmt = (x) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : String(x));

  // ---- API ----------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || `HTTP ${status}`);
      this.status = status;
      this.field = body && body.error && body.error.field;
    }
  }
  let token = sessionStorage.getItem(TOKEN_KEY) || '';
  async function api(method, path, body, signal) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  function say(node, text, kind) {
    node.textContent = text || '';
    node.classList.toggle('ok', kind === 'ok');
    node.classList.toggle('bad', kind === 'bad');
    node.classList.toggle('muted', !kind);
  }
  // What an admin request's failure means to the person at the keyboard.
  function authMessage(e) {
    if (e.status === 401) return 'The token was refused: check it and enter it again.';
    if (e.status === 503) return 'The admin API is disabled on this server (start metadex-searchd with --admin-token-file).';
    if (e.status === 404 || e.status === 405) return 'This server has no ranking admin API.';
    return e.message;
  }

  // ---- State --------------------------------------------------------------------------
  let saved = null;   // {version, config, saved_at} as the server has it
  let draft = null;   // the config being edited
  const fieldsBox = $('#config-fields');
  const tokenMsg = $('#token-msg');
  const saveMsg = $('#save-msg');
  const previewMsg = $('#preview-msg');
  const configError = $('#config-error');

  // ---- Token ------------------------------------------------------------------------------
  $('#token').value = token;
  $('#token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = $('#token').value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    checkToken();
  });
  $('#token-forget').addEventListener('click', () => {
    token = '';
    $('#token').value = '';
    sessionStorage.removeItem(TOKEN_KEY);
    say(tokenMsg, 'Token forgotten.');
    $('#versions').replaceChildren();
    clearPreview('Enter the admin token to preview, save and revert.');
  });
  // The versions list needs the token: loading it checks the token too.
  async function checkToken() {
    if (!token) {
      say(tokenMsg, 'Enter the admin token to preview, save and revert.');
      clearPreview('Enter the admin token to preview.');
      return false;
    }
    try {
      await loadVersions();
      say(tokenMsg, 'Token accepted.', 'ok');
      schedulePreview(0);
      return true;
    } catch (e) {
      say(tokenMsg, authMessage(e), 'bad');
      if (e.status === 401) {
        token = '';
        sessionStorage.removeItem(TOKEN_KEY);
        $('#token').focus();
        $('#token').select();
      }
      $('#versions').replaceChildren();
      clearPreview('Preview needs an accepted token.');
      return false;
    }
  }

  // ---- Config form ------------------------------------------------------------------------
  const getPath = (obj, path) => path.reduce((o, k) => (o == null ? undefined : o[k]), obj);
  function setPath(obj, path, v) {
    let o = obj;
    for (const k of path.slice(0, -1)) o = o[k];
    o[path[path.length - 1]] = v;
  }
  const inputId = (path) => 'cfg-' + path.join('-').replace(/[^A-Za-z0-9_-]/g, '_');

  // One editable value: number, boolean or (fallback) JSON text.
  function setting(path, value, label) {
    const id = inputId(path);
    const dataPath = path.join('.');
    let input, cls = 'setting';
    if (typeof value === 'boolean') {
      cls += ' bool';
      input = el('input', { type: 'checkbox', id, checked: value });
      input.addEventListener('change', () => edit(path, input.checked));
      return el('div', { class: cls, dataset: { path: dataPath } }, input, el('label', { for: id, text: label }));
    }
    if (typeof value === 'number') {
      input = el('input', { type: 'number', id, step: 'any', inputmode: 'decimal', value: String(value) });
      input.addEventListener('input', () => {
        // A value that is not a number goes to the server as written: its
        // answer names the field and why.
        const n = input.value.trim() === '' ? NaN : Number(input.value);
        edit(path, Number.isFinite(n) ? n : input.value);
      });
    } else {
      cls += ' wide';
      input = el('textarea', { id, rows: '3' });
      input.value = JSON.stringify(value, null, 1);
      input.addEventListener('input', () => {
        try { edit(path, JSON.parse(input.value)); } catch (_) { edit(path, input.value); }
      });
    }
    return el('div', { class: cls, dataset: { path: dataPath } }, el('label', { for: id, text: label }), input);
  }

  // Synonym groups as lines of comma-separated words.
  function synonymsSetting(path, groups) {
    const id = inputId(path);
    const ta = el('textarea', { id, rows: String(Math.max(3, (groups || []).length + 1)), 'aria-describedby': `${id}-help` });
    ta.value = (groups || []).map((g) => (Array.isArray(g) ? g.join(', ') : String(g))).join('\n');
    ta.addEventListener('input', () => {
      const v = ta.value.split('\n').map((l) => l.split(',').map((w) => w.trim()).filter(Boolean)).filter((g) => g.length);
      edit(path, v);
    });
    return el('div', { class: 'setting wide', dataset: { path: path.join('.') } },
      el('label', { for: id, text: 'Groups of words that mean the same' }), ta);
  }
  // Pinned results as "query = urn, urn" lines.
  function pinnedSetting(path, pinned) {
    const id = inputId(path);
    const ta = el('textarea', { id, rows: '3' });
    ta.value = Object.entries(pinned || {}).map(([q, urns]) => `${q} = ${(urns || []).join(', ')}`).join('\n');
    ta.addEventListener('input', () => {
      const v = {};
      for (const line of ta.value.split('\n')) {
        const i = line.indexOf('=');
        if (i <= 0) continue;
        // URNs hold commas inside parentheses: split at top-level commas only.
        const urns = [];
        let depth = 0, cur = '';
        for (const c of line.slice(i + 1)) {
          if (c === '(') depth++;
          if (c === ')') depth--;
          if (c === ',' && depth === 0) { urns.push(cur.trim()); cur = ''; } else cur += c;
        }
        urns.push(cur.trim());
        v[line.slice(0, i).trim()] = urns.filter(Boolean);
      }
      edit(path, v);
    });
    return el('div', { class: 'setting wide', dataset: { path: path.join('.') } },
      el('label', { for: id, text: 'Queries and the results pinned first' }), ta);
  }
  // A map of names to numbers that may grow (type and platform boosts).
  function addRow(section) {
    const id = `add-${section}`;
    const name = el('input', { type: 'text', id, placeholder: section === 'platform_boosts' ? 'platform' : 'type', size: '12' });
    const add = () => {
      const k = name.value.trim();
      if (!k || (draft[section] && k in draft[section])) return;
      if (!draft[section]) draft[section] = {};
      draft[section][k] = 1;
      renderConfig();
      const input = document.getElementById(inputId([section, k]));
      if (input) input.focus();
      schedulePreview();
    };
    name.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); add(); } });
    return el('div', { class: 'setting add' },
      el('label', { for: id, class: 'visually-hidden', text: `Add to ${SECTION_TITLE[section] || section}` }),
      name, el('button', { type: 'button', onclick: add }, 'Add'));
  }

  function renderConfig() {
    const focusId = document.activeElement && document.activeElement.id;
    const groups = [];
    for (const [key, value] of Object.entries(draft)) {
      if (SERVER_KEYS.has(key)) continue;
      const title = SECTION_TITLE[key] || key;
      const help = SECTION_HELP[key] ? el('p', { class: 'muted small', id: `help-${key}`, text: SECTION_HELP[key] }) : null;
      let body;
      if (key === 'synonyms' && Array.isArray(value)) body = synonymsSetting([key], value);
      else if (key === 'pinned' && value && typeof value === 'object' && !Array.isArray(value)) body = pinnedSetting([key], value);
      else if (value && typeof value === 'object' && !Array.isArray(value)) {
        body = Object.entries(value).map(([k, v]) => setting([key, k], v, k));
        if (key === 'type_boosts' || key === 'platform_boosts') body.push(addRow(key));
      } else body = setting([key], value, title);
      groups.push(el('fieldset', { dataset: { section: key } }, el('legend', { text: title }), help, body));
    }
    fieldsBox.replaceChildren(...groups);
    markChanged();
    if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
  }
  function markChanged() {
    for (const s of fieldsBox.querySelectorAll('.setting[data-path]')) {
      const path = s.dataset.path.split('.');
      s.classList.toggle('changed', !same(getPath(draft, path), getPath(saved && saved.config, path)));
    }
    const dirty = !same(draft, saved && saved.config);
    $('#discard').disabled = !dirty;
    $('#save').disabled = !dirty;
  }
  function edit(path, value) {
    setPath(draft, path, value);
    markChanged();
    schedulePreview();
  }

  // The API's validation error goes next to the field it names ("boosts.name",
  // "synonyms[2]": the nearest setting that holds it).
  function clearFieldErrors() {
    for (const s of fieldsBox.querySelectorAll('.setting.invalid')) {
      s.classList.remove('invalid');
      const input = s.querySelector('input, textarea');
      if (input) { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-errormessage'); }
    }
    for (const e of fieldsBox.querySelectorAll('.field-error')) e.remove();
    configError.hidden = true;
  }
  function showFieldError(field, message) {
    clearFieldErrors();
    let best = null;
    if (field) {
      for (const s of fieldsBox.querySelectorAll('.setting[data-path]')) {
        const p = s.dataset.path;
        if ((field === p || field.startsWith(p + '.') || field.startsWith(p + '['))
            && (!best || p.length > best.dataset.path.length)) best = s;
      }
    }
    if (!best) {
      configError.textContent = message;
      configError.hidden = false;
      return;
    }
    const id = `err-${inputId(best.dataset.path.split('.'))}`;
    best.classList.add('invalid');
    best.append(el('p', { class: 'field-error', id, role: 'alert', text: message }));
    const input = best.querySelector('input, textarea');
    if (input) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-errormessage', id); }
  }

  function showVersion() {
    $('#config-version').textContent = saved.saved_at || saved.version
      ? `Saved version ${saved.version}${saved.saved_at ? ` · ${saved.saved_at}` : ''}`
      : 'Defaults: nothing saved yet.';
  }
  async function loadConfig() {
    try {
      saved = await api('GET', '/v1/admin/ranking');
    } catch (e) {
      fieldsBox.replaceChildren(el('p', { class: 'message bad', text: `Could not load the ranking settings: ${authMessage(e)}` }));
      $('#save').disabled = $('#discard').disabled = true;
      return false;
    }
    draft = clone(saved.config);
    showVersion();
    clearFieldErrors();
    renderConfig();
    return true;
  }

  $('#discard').addEventListener('click', () => {
    draft = clone(saved.config);
    clearFieldErrors();
    renderConfig();
    say(saveMsg, 'Changes discarded.');
    schedulePreview(0);
  });
  $('#config').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!token) { say(saveMsg, 'Enter the admin token first.', 'bad'); $('#token').focus(); return; }
    $('#save').disabled = true;
    try {
      const ans = await api('PUT', '/v1/admin/ranking', draft);
      saved = { version: ans.version, config: ans.config, saved_at: ans.saved_at };
      draft = clone(ans.config);
      showVersion();
      clearFieldErrors();
      renderConfig();
      say(saveMsg, `Saved as version ${ans.version}. Searches use it from now on.`, 'ok');
      loadVersions().catch(() => {});
      schedulePreview(0);
    } catch (e) {
      if (e.status === 400) {
        showFieldError(e.field, e.message);
        say(saveMsg, 'Not saved: a setting is invalid.', 'bad');
      } else {
        say(saveMsg, `Not saved: ${authMessage(e)}`, 'bad');
      }
      markChanged();
    }
  });

  // ---- Versions ----------------------------------------------------------------------------
  async function loadVersions() {
    const ans = await api('GET', '/v1/admin/ranking/versions');
    const versions = Array.isArray(ans.versions) ? ans.versions : [];
    say($('#versions-msg'), versions.length ? '' : 'No saved versions yet: the defaults apply.');
    $('#versions').replaceChildren(...versions.map((v) => el('li', { dataset: { version: String(v.version) } },
      el('strong', { text: `v${v.version}` }),
      el('span', { class: 'when', text: v.saved_at || '' }),
      saved && v.version === saved.version
        ? el('span', { class: 'muted', text: 'current' })
        : el('button', {
          type: 'button', class: 'revert', 'aria-label': `Revert to version ${v.version}`,
          onclick: () => revert(v.version),
        }, 'Revert'))));
  }
  async function revert(version) {
    if (!same(draft, saved && saved.config) && !window.confirm('Discard the unsaved changes and revert?')) return;
    try {
      const ans = await api('POST', '/v1/admin/ranking/revert', { version });
      await loadConfig();
      await loadVersions();
      say(saveMsg, `Reverted to version ${version}${ans && ans.version ? ` (saved as version ${ans.version})` : ''}.`, 'ok');
      schedulePreview(0);
    } catch (e) {
      say(saveMsg, `Not reverted: ${authMessage(e)}`, 'bad');
    }
  }

  // ---- Preview ------------------------------------------------------------------------------
  let previewTimer = 0, previewSeq = 0, previewCtrl = null;
  const previewQuery = $('#pq');
  const previewType = $('#ptype');
  previewQuery.addEventListener('input', () => schedulePreview());
  previewType.addEventListener('change', () => schedulePreview(0));

  function clearPreview(msg) {
    previewSeq++;
    if (previewCtrl) previewCtrl.abort();
    $('#saved').replaceChildren();
    $('#proposed').replaceChildren();
    say(previewMsg, msg);
  }
  function schedulePreview(delay = PREVIEW_DELAY_MS) {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(runPreview, delay);
  }
  async function runPreview() {
    const q = previewQuery.value.trim();
    if (!draft) return;
    if (!token) { clearPreview('Enter the admin token to preview.'); return; }
    if (!q) { clearPreview('Type a query to compare the saved and the proposed order.'); return; }
    const seq = ++previewSeq;
    if (previewCtrl) previewCtrl.abort();
    const ctrl = new AbortController();
    previewCtrl = ctrl;
    const body = { q, config: draft, limit: PREVIEW_LIMIT };
    if (previewType.value) body.type = previewType.value;
    say(previewMsg, 'Ranking…');
    try {
      const ans = await api('POST', '/v1/admin/ranking/preview', body, ctrl.signal);
      if (seq !== previewSeq) return;
      clearFieldErrors();
      renderPreview(ans);
    } catch (e) {
      if (e.name === 'AbortError' || seq !== previewSeq) return;
      $('#proposed').classList.add('stale');
      if (e.status === 400 && e.field) {
        showFieldError(e.field, e.message);
        say(previewMsg, 'Fix the marked setting to see the proposed order.', 'bad');
      } else {
        say(previewMsg, `Preview failed: ${authMessage(e)}`, 'bad');
      }
    }
  }

  function renderPreview(ans) {
    $('#proposed').classList.remove('stale');
    const savedHits = ans.saved || [];
    const proposed = ans.proposed || [];
    const moves = new Map((ans.moves || []).map((m) => [m.urn, m]));
    const savedRank = new Map(savedHits.map((h, i) => [h.urn, i + 1]));
    const proposedUrns = new Set(proposed.map((h) => h.urn));
    $('#saved').replaceChildren(...savedHits.map((h, i) => rankRow(h, i + 1, 'saved',
      proposedUrns.has(h.urn) ? null : el('span', { class: 'move down', text: 'out', title: 'Not in the proposed top results' }))));
    $('#proposed').replaceChildren(...proposed.map((h, i) => {
      const m = moves.get(h.urn);
      const before = m && m.saved_rank ? m.saved_rank : savedRank.get(h.urn);
      const delta = m && typeof m.delta === 'number' ? m.delta : before ? before - (i + 1) : null;
      let move;
      if (!before) move = el('span', { class: 'move new', text: 'new', title: 'Not in the saved top results' });
      else if (delta > 0) move = el('span', { class: 'move up', text: `▲ ${delta}`, title: `Up ${delta} (was ${before})` });
      else if (delta < 0) move = el('span', { class: 'move down', text: `▼ ${-delta}`, title: `Down ${-delta} (was ${before})` });
      else move = el('span', { class: 'move same', text: '=', title: 'Same place' });
      return rankRow(h, i + 1, 'proposed', move);
    }));
    const changed = proposed.some((h, i) => savedHits[i] === undefined || savedHits[i].urn !== h.urn)
      || savedHits.length !== proposed.length;
    say(previewMsg, proposed.length
      ? (changed ? 'The proposed settings change the order.' : 'Same order with the proposed settings.')
      : 'No results for this query.');
  }
  function rankRow(h, rank, side, move) {
    const explainId = `explain-${side}-${rank}`;
    const btn = el('button', {
      type: 'button', class: 'linklike explain-toggle', 'aria-expanded': 'false', 'aria-controls': explainId,
      'aria-label': `Explain the score of ${h.name || h.urn}`,
    }, 'Explain');
    const box = el('div', { class: 'explain', id: explainId, hidden: true }, explainView(h.explain));
    btn.addEventListener('click', () => {
      const open = box.hidden;
      box.hidden = !open;
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    return el('li', { class: 'rankrow', dataset: { urn: h.urn } },
      el('span', { class: 'rank', text: String(rank) }),
      el('a', { class: 'name', href: entityHref(h.urn), text: h.name || h.urn }),
      el('span', {}, move, ' ', el('span', { class: 'score', text: typeof h.score === 'number' ? fmt(h.score) : '' })),
      el('span', { class: 'sub' }, [h.type, h.platform].filter(Boolean).join(' · '), btn),
      box);
  }
  function explainView(x) {
    if (!x || typeof x !== 'object') return el('p', { class: 'muted', text: 'No explanation in the answer.' });
    const rows = [];
    for (const [f, v] of Object.entries(x.fields || {})) rows.push([`field ${f}`, v]);
    for (const k of ['typo_penalty', 'exact_bonus', 'popularity', 'type_boost', 'platform_boost'])
      if (x[k] !== undefined && x[k] !== null) rows.push([k.replace('_', ' '), x[k]]);
    // One line per distinct (term, field, way): a word can match twice (its
    // plain and stemmed forms) and that reads as noise here.
    const seen = new Set();
    const terms = (Array.isArray(x.matched_terms) ? x.matched_terms : []).filter((t) => {
      const k = `${t.term}\u0000${t.field}\u0000${t.via}\u0000${t.edits || 0}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return [
      el('table', {}, el('tbody', {},
        rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', text: k }), el('td', { class: 'num', text: fmt(v) }))),
        x.total !== undefined ? el('tr', {}, el('th', { scope: 'row', text: 'total' }), el('td', { class: 'num' }, el('strong', { text: fmt(x.total) }))) : null)),
      terms.length ? el('p', {}, 'Matched: ', terms.map((t, i) => [i ? '; ' : '',
        el('code', { text: t.term }), ` in ${t.field}`,
        t.via && t.via !== 'exact' ? ` (${t.via}${t.edits ? `, ${t.edits} edit${t.edits > 1 ? 's' : ''}` : ''})` : ''])) : null,
    ];
  }

  // ---- Start -------------------------------------------------------------------------------
  (async () => {
    const ok = await loadConfig();
    if (ok) await checkToken();
    else if (!token) say(tokenMsg, 'Enter the admin token to preview, save and revert.');
  })();
})();
