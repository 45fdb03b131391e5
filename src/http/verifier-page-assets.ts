/*
 * The verifier page's HTML, style, script and icon, as strings: no build step, no file to locate at
 * run time, the same on every runtime. The script is plain ES2020 for current browsers. It writes
 * nothing into the DOM as HTML: every value is a text node or an attribute of fixed name (the page's
 * Trusted Types policy makes any innerHTML throw), and it talks to this server only (`fetch('verify')`,
 * same origin; the Content-Security-Policy's connect-src 'self' enforces it).
 *
 * Written without template literals inside the script (this file wraps it in one).
 */

/**
 * The page. `auth` says whether to ask for the bearer token up front (`bearer`), never (`none`), or
 * when the server answers 401 (`custom`: an `authorize` hook, which may accept the session's
 * cookies). Asset URLs are relative, so the page also works where the handler is mounted under a
 * prefix.
 *
 * @internal
 */
export function verifierPageHtml(auth: 'bearer' | 'none' | 'custom'): string {
  return `<!doctype html>
<html lang="en" data-auth="${auth}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>credsign verifier</title>
<link rel="icon" href="verify/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="verify/app.css">
<script src="verify/app.js" defer></script>
</head>
<body>
<a class="skip" href="#input">Skip to the input</a>
<header class="top">
  <h1><img src="verify/icon.svg" alt="" width="28" height="28"> credsign verifier</h1>
  <p>Paste or drop a verifiable credential or presentation: a JWT, an SD-JWT, or a JSON-LD document with a Data Integrity proof. It is sent to this server only, which checks it with the same <code>verify()</code> as its API, offline.</p>
</header>
<main>
<form id="verify-form" class="panel" novalidate>
  <div id="drop-zone" class="drop">
    <label for="input">Credential or presentation</label>
    <textarea id="input" name="input" rows="9" spellcheck="false" autocomplete="off" autocapitalize="off" aria-describedby="input-hint" placeholder="eyJhbGciOi… or { &quot;@context&quot;: … }"></textarea>
    <p id="input-hint" class="hint">Drop a file or text here, or <label class="file-label" for="file">choose a file</label><input id="file" type="file" accept=".jwt,.json,.jsonld,.txt,text/plain,application/json">. Ctrl+Enter verifies.</p>
  </div>
  <details class="options">
    <summary>Presentation options</summary>
    <div class="row">
      <label for="challenge">Expected challenge (nonce)</label>
      <input id="challenge" name="challenge" type="text" autocomplete="off" spellcheck="false">
    </div>
    <div class="row">
      <label for="domain">Expected domain (audience)</label>
      <input id="domain" name="domain" type="text" autocomplete="off" spellcheck="false">
    </div>
  </details>
  <div id="token-row" class="row token" hidden>
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-hint">
    <p id="token-hint" class="hint">This server needs a bearer token to verify. It is kept in this page only and sent to this server only.</p>
  </div>
  <div class="actions">
    <button id="verify-button" type="submit">Verify</button>
    <button id="clear-button" type="button" class="secondary">Clear</button>
    <span id="status" role="status" aria-live="polite"></span>
  </div>
</form>
<section id="result" aria-label="Verification result" tabindex="-1" aria-live="polite"></section>
</main>
</body>
</html>
`
}

/** The page's style sheet. @internal */
export const VERIFIER_PAGE_STYLE = String.raw`
:root {
  color-scheme: light;
  --ink: #1c2430; --muted: #5b6675; --line: #d9dee5; --paper: #ffffff; --back: #f3f5f8;
  --accent: #2454c5; --ok: #17703a; --ok-back: #e6f4ea; --bad: #b3261e; --bad-back: #fbe9e7;
  --warn-back: #fff4d6; --code-back: #eef1f5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  font-size: 16px; line-height: 1.45; color: var(--ink); background: var(--back);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 0 16px 48px; }
.skip { position: absolute; left: -999px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.skip:focus { left: 16px; top: 8px; background: var(--paper); padding: 6px 10px; z-index: 1; }
.top, main { max-width: 880px; margin: 0 auto; }
.top { padding: 28px 0 12px; }
.top h1 { font-size: 1.5rem; margin: 0 0 6px; display: flex; align-items: center; gap: 10px; }
.top p { margin: 0; color: var(--muted); max-width: 70ch; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; background: var(--code-back); padding: 0 4px; border-radius: 4px; }
.panel, .card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 16px 0; }
label { font-weight: 600; display: block; margin-bottom: 6px; }
textarea, input[type=text], input[type=password] {
  width: 100%; font: 0.9rem/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  color: var(--ink); background: #fbfcfd; border: 1px solid #b9c1cc; border-radius: 6px; padding: 8px 10px;
}
textarea { resize: vertical; min-height: 9em; word-break: break-all; }
.drop.dragging textarea { border-color: var(--accent); background: #eef3ff; }
.hint { color: var(--muted); font-size: 0.875rem; margin: 6px 0 0; }
.file-label { display: inline; font-weight: 600; color: var(--accent); text-decoration: underline; cursor: pointer; margin: 0; }
#file { position: absolute; width: 1px; height: 1px; opacity: 0; }
#file:focus-visible { outline: none; }
.file-label:has(+ #file:focus-visible) { outline: 3px solid #8fb0ff; outline-offset: 2px; }
.options { margin: 14px 0 0; }
.options summary { cursor: pointer; font-weight: 600; color: var(--muted); }
.row { margin-top: 12px; }
.actions { display: flex; align-items: center; gap: 12px; margin-top: 16px; flex-wrap: wrap; }
button { font: inherit; font-weight: 600; border-radius: 6px; padding: 8px 18px; cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: #fff; }
button.secondary { background: var(--paper); color: var(--accent); }
button[disabled] { opacity: 0.6; cursor: progress; }
:focus-visible { outline: 3px solid #8fb0ff; outline-offset: 2px; }
#status { color: var(--muted); }
#result:focus { outline: none; }
.card { padding: 0; overflow: hidden; }
.card .body { padding: 4px 20px 16px; }
.banner { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; padding: 14px 20px; border-bottom: 1px solid var(--line); }
.banner h2, .banner h3, .banner h4 { margin: 0; font-size: 1.25rem; display: flex; align-items: center; gap: 8px; }
.card[data-verdict=verified] > .banner { background: var(--ok-back); color: var(--ok); }
.card[data-verdict=failed] > .banner, .card[data-verdict=error] > .banner { background: var(--bad-back); color: var(--bad); }
.mark { display: inline-grid; place-items: center; width: 1.5em; height: 1.5em; border-radius: 50%; color: #fff; font-size: 0.85em; }
[data-verdict=verified] > .banner .mark { background: var(--ok); }
[data-verdict=failed] > .banner .mark, [data-verdict=error] > .banner .mark { background: var(--bad); }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 2px 8px; border-radius: 999px; background: var(--paper); color: var(--ink); border: 1px solid var(--line); }
.warning { background: var(--warn-back); border-radius: 6px; padding: 8px 12px; margin: 14px 0 0; }
.note { color: var(--muted); margin: 14px 0 0; }
.card h3, .card h4, .card h5 { font-size: 1rem; margin: 20px 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 14px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td.claim { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.875rem; white-space: nowrap; }
td.value { overflow-wrap: anywhere; white-space: pre-wrap; }
.tag { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 1px 6px; border-radius: 4px; background: #e8eefc; color: var(--accent); margin-left: 6px; white-space: nowrap; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.checks li { display: grid; grid-template-columns: 1.5em max-content 1fr; gap: 4px 10px; align-items: baseline; padding: 5px 0; border-bottom: 1px solid var(--line); }
ul.checks .icon { font-weight: 700; }
ul.checks li[data-passed=true] .icon { color: var(--ok); }
ul.checks li[data-passed=false] .icon { color: var(--bad); }
ul.checks .name { font-weight: 600; }
ul.checks .detail { color: var(--muted); overflow-wrap: anywhere; }
ul.checks .code, ul.errors .code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.8rem; color: var(--bad); background: var(--bad-back); border-radius: 4px; padding: 0 5px; margin-right: 6px; }
ul.errors li { padding: 5px 0; overflow-wrap: anywhere; }
ul.paths { margin: 0; padding-left: 1.2em; }
ul.paths li { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.875rem; }
.sd { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.sd p { margin: 0 0 6px; }
.card .card { margin: 12px 0 0; }
@media (max-width: 640px) {
  body { padding: 0 10px 32px; }
  .panel { padding: 14px; }
  .banner, .card .body { padding-left: 14px; padding-right: 14px; }
  .sd { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: 1fr; gap: 2px; }
  dl.facts dd { margin-bottom: 8px; }
  ul.checks li { grid-template-columns: 1.5em 1fr; }
  ul.checks .detail { grid-column: 2; }
  td.claim { white-space: normal; overflow-wrap: anywhere; }
}
`

/** The page's icon: a seal with a check mark. @internal */
export const VERIFIER_PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#2454c5"/><path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>
`

/** The page's script. @internal */
export const VERIFIER_PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var MAX_FILE_BYTES = 1024 * 1024;
  var byId = function (id) { return document.getElementById(id); };
  var form = byId('verify-form');
  var input = byId('input');
  var file = byId('file');
  var drop = byId('drop-zone');
  var result = byId('result');
  var statusLine = byId('status');
  var button = byId('verify-button');
  var clear = byId('clear-button');
  var tokenRow = byId('token-row');
  var token = byId('token');
  var challenge = byId('challenge');
  var domain = byId('domain');
  if (document.documentElement.dataset.auth === 'bearer') tokenRow.hidden = false;

  // Every node is built here; a string only ever becomes a text node (append) or the value of a
  // fixed, harmless attribute (class, data-*, tabindex).
  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }

  function heading(level, children) {
    return el('h' + Math.min(level, 6), '', children);
  }

  function setBusy(busy, message) {
    button.disabled = busy;
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    statusLine.textContent = message || '';
  }

  function banner(level, verdict, title, badges) {
    var mark = el('span', 'mark', [verdict === 'verified' ? '\u2713' : '\u2717']);
    mark.setAttribute('aria-hidden', 'true');
    var h = heading(level, [mark, title]);
    h.className = 'verdict';
    if (level === 2) h.tabIndex = -1;
    return el('div', 'banner', [h, el('div', 'badges', badges.map(function (b) { return el('span', 'badge', [b]); }))]);
  }

  function facts(card) {
    var rows = [];
    var add = function (label, value) {
      if (value === undefined || value === null || value === '') return;
      var dd = el('dd', '', [value]);
      dd.dataset.fact = label;
      rows.push(el('dt', '', [label]), dd);
    };
    add('Kind', card.kind);
    add('Type', card.types.join(', '));
    add('Credential type (vct)', card.vct);
    add('Issuer', card.issuer);
    add('Issuer name', card.issuerName);
    add('Holder', card.holder);
    add('Verified with key', card.key);
    card.dates.forEach(function (d) { add(d.label, d.value); });
    return rows.length === 0 ? null : el('dl', 'facts', rows);
  }

  function claimsTable(card, level) {
    if (card.claims.length === 0) return null;
    var sd = card.sdJwt !== undefined;
    var head = el('tr', '', [el('th', '', ['Claim']), el('th', '', ['Value'])]);
    var body = card.claims.map(function (claim) {
      var name = el('td', 'claim', [claim.path]);
      if (claim.disclosed) name.append(el('span', 'tag', ['disclosed']));
      var row = el('tr', '', [name, el('td', 'value', [claim.value])]);
      row.dataset.claim = claim.path;
      return row;
    });
    var table = el('table', 'claims', [el('thead', '', [head]), el('tbody', '', body)]);
    var parts = [heading(level, [sd ? 'Subject claims (disclosed and always visible)' : 'Subject claims']), table];
    if (card.claimsOmitted) parts.push(el('p', 'note', [card.claimsOmitted + ' more claims not shown.']));
    return el('div', 'section', parts);
  }

  function disclosure(card, level) {
    if (card.sdJwt === undefined) return null;
    var disclosed = card.sdJwt.disclosed;
    var withheld = card.sdJwt.withheld || [];
    var counted = card.sdJwt.withheld !== undefined;
    var total = withheld.reduce(function (n, w) { return n + w.count; }, 0);
    var left = el('div', 'disclosed', [
      el('p', '', [el('strong', '', ['Disclosed: ' + disclosed.length])]),
      disclosed.length === 0 ? el('p', 'note', ['None.']) : el('ul', 'paths', disclosed.map(function (p) { return el('li', '', [p]); })),
    ]);
    var right = el('div', 'withheld', [
      el('p', '', [el('strong', '', [counted ? 'Withheld: ' + total : 'Withheld: not counted'])]),
      withheld.length === 0 ? el('p', 'note', [counted ? 'None.' : 'The SD-JWT could not be read again to count them.']) : el('ul', 'paths', withheld.map(function (w) {
        var li = el('li', '', [w.path + ': ' + w.count + (w.count === 1 ? ' undisclosed digest' : ' undisclosed digests')]);
        li.dataset.withheld = w.path;
        return li;
      })),
      el('p', 'hint', ['Names and values of withheld claims stay hidden; an issuer may add decoy digests, so a count is an upper bound.']),
    ]);
    left.dataset.count = String(disclosed.length);
    if (counted) right.dataset.count = String(total);
    return el('div', 'section', [heading(level, ['Selective disclosure']), el('div', 'sd', [left, right])]);
  }

  function checkList(card, level) {
    if (card.checks.length === 0) return null;
    var items = card.checks.map(function (check) {
      var icon = el('span', 'icon', [check.passed ? '\u2713' : '\u2717', el('span', 'sr', [check.passed ? ' passed' : ' failed'])]);
      var detail = el('span', 'detail', [check.code ? el('span', 'code', [check.code]) : null, check.detail || '']);
      var li = el('li', '', [icon, el('span', 'name', [check.name]), detail]);
      li.dataset.check = check.name;
      li.dataset.passed = String(check.passed);
      if (check.code) li.dataset.code = check.code;
      return li;
    });
    return el('div', 'section', [heading(level, ['Checks']), el('ul', 'plain checks', items)]);
  }

  function errorList(errors, level, title) {
    if (!errors || errors.length === 0) return null;
    var items = errors.map(function (e) {
      var li = el('li', '', [el('span', 'code', [String(e.code)]), String(e.message || ''), e.path ? ' (at ' + e.path + ')' : '']);
      li.dataset.code = String(e.code);
      return li;
    });
    return el('div', 'section', [heading(level, [title]), el('ul', 'plain errors', items)]);
  }

  function renderCard(card, level) {
    var verdict = card.verified ? 'verified' : 'failed';
    var title = card.verified ? 'Verified' : 'Not verified';
    if (level > 2) title = (card.verified ? 'Verified ' : 'Not verified ') + card.kind;
    var parts = [];
    if (!card.verified)
      parts.push(el('p', 'warning', ['Not verified: what follows is what the document claims, and it cannot be trusted.']));
    if (card.note) parts.push(el('p', 'note', [card.note]));
    parts.push(facts(card));
    parts.push(claimsTable(card, level + 1));
    parts.push(disclosure(card, level + 1));
    parts.push(checkList(card, level + 1));
    parts.push(errorList(card.errors, level + 1, 'Other errors'));
    if (card.credentials.length > 0) {
      parts.push(heading(level + 1, ['Credentials in this presentation (' + card.credentials.length + ')']));
      card.credentials.forEach(function (embedded) { parts.push(renderCard(embedded, level + 2)); });
    }
    var section = el('article', 'card', [banner(level, verdict, title, [card.formatLabel]), el('div', 'body', parts)]);
    section.dataset.verdict = verdict;
    section.dataset.format = card.format;
    return section;
  }

  function renderProblem(status, problem) {
    var code = problem && problem.code ? String(problem.code) : 'http_' + status;
    // A problem (RFC 9457) has detail; the EECC compatibility mode answers the origin's message.
    var text = problem ? problem.detail || problem.message : undefined;
    var detail = typeof text === 'string' && text !== '' ? text : 'The server answered ' + status + '.';
    var parts = [el('p', '', [el('span', 'code', [code]), ' ' + detail])];
    parts.push(errorList(problem && Array.isArray(problem.errors) ? problem.errors : [], 3, 'Errors'));
    var section = el('article', 'card', [banner(2, 'error', 'Could not verify', []), el('div', 'body', parts)]);
    section.dataset.verdict = 'error';
    section.dataset.code = code;
    return section;
  }

  function show(node) {
    result.replaceChildren(node);
    var h = result.querySelector('.verdict');
    (h || result).focus();
  }

  async function submit(event) {
    if (event) event.preventDefault();
    var text = input.value.trim();
    if (text === '') {
      statusLine.textContent = 'Paste a credential or presentation first.';
      input.focus();
      return;
    }
    var headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (token.value.trim() !== '') headers.authorization = 'Bearer ' + token.value.trim();
    var body = { input: text };
    if (challenge.value.trim() !== '') body.challenge = challenge.value.trim();
    if (domain.value.trim() !== '') body.domain = domain.value.trim();
    setBusy(true, 'Verifying\u2026');
    var response;
    try {
      response = await fetch('verify', {
        method: 'POST',
        headers: headers,
        body: JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      setBusy(false, '');
      show(renderProblem(0, { code: 'network_error', detail: 'The server could not be reached.' }));
      return;
    }
    var data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    setBusy(false, '');
    if (response.status === 401) {
      tokenRow.hidden = false;
      show(renderProblem(401, { code: 'unauthorized', detail: token.value.trim() === '' ? 'This server needs an API token: enter it above.' : 'The server refused this API token.' }));
      token.focus();
      return;
    }
    if (!response.ok || data === null || typeof data.verified !== 'boolean') {
      show(renderProblem(response.status, data));
      return;
    }
    show(renderCard(data, 2));
    statusLine.textContent = data.verified ? 'Verified.' : 'Not verified.';
  }

  function readFile(chosen) {
    if (!chosen) return;
    if (chosen.size > MAX_FILE_BYTES) {
      statusLine.textContent = 'The file is larger than 1 MiB.';
      return;
    }
    chosen.text().then(function (content) {
      input.value = content;
      form.requestSubmit();
    }, function () { statusLine.textContent = 'The file could not be read.'; });
  }

  form.addEventListener('submit', submit);
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  clear.addEventListener('click', function () {
    input.value = '';
    result.replaceChildren();
    statusLine.textContent = '';
    input.focus();
  });
  file.addEventListener('change', function () { readFile(file.files && file.files[0]); file.value = ''; });
  drop.addEventListener('dragover', function (event) { event.preventDefault(); drop.classList.add('dragging'); });
  drop.addEventListener('dragleave', function () { drop.classList.remove('dragging'); });
  drop.addEventListener('drop', function (event) {
    event.preventDefault();
    drop.classList.remove('dragging');
    var data = event.dataTransfer;
    if (!data) return;
    if (data.files && data.files.length > 0) return readFile(data.files[0]);
    var dropped = data.getData('text/plain');
    if (dropped) { input.value = dropped; form.requestSubmit(); }
  });
})();
`
