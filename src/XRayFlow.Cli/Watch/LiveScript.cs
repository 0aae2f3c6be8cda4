namespace XRayFlow.Cli.Watch;

/// <summary>
/// The script `xrayflow watch` adds to the report: it listens to /events (server-sent events), reads /status, and
/// when a newer report exists fetches it and swaps the page's &lt;main&gt; in place (no reload: scroll position and
/// open tabs stay). While the recipe is invalid it shows the diagnostics (file:line:col, code, message, the
/// offending line with a caret) and greys out the last good pictures. Text from the server is only ever set as
/// textContent, never parsed as HTML, except the report itself (which the server made).
/// </summary>
internal static class LiveScript
{
    public const string Text = """
        (() => {
          'use strict';
          const live = document.getElementById('xrf-live');
          const mainVersion = () => Number((document.getElementById('xrf-main') || {}).dataset?.liveVersion || 0);
          let busy = false, again = false;
          const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
          function show(st) {
            live.hidden = false;
            live.replaceChildren();
            live.className = st.status;
            document.body.classList.toggle('stale', st.status === 'invalid');
            document.body.dataset.liveStatus = st.status;
            document.body.dataset.liveVersion = String(st.version);
            const head = el('div', 'live-head');
            const when = st.milliseconds != null ? ' (' + (st.milliseconds / 1000).toFixed(2) + ' s)' : '';
            head.textContent = st.status === 'invalid'
              ? 'The recipe has errors: the pictures below are the last good run, greyed out. Save a fixed recipe to run again.'
              : st.status === 'running' ? 'Running…'
              : 'Live: run ' + st.runs + ': ' + st.message + when + '. Watching the recipe and ' + Math.max(0, st.watched - 1) + ' input file(s); the page updates when you save.';
            live.appendChild(head);
            for (const d of st.diagnostics || []) {
              if (st.status !== 'invalid' && d.severity !== 'error') continue;
              const row = el('div', 'diagnostic');
              const loc = d.file ? d.file + ':' + d.line + ':' + d.column + ': ' : '';
              row.appendChild(el('span', 'loc', loc));
              row.appendChild(el('b', 'code', d.severity + ' ' + d.code + ': '));
              row.appendChild(el('span', 'message', d.message));
              if (d.source != null) {
                const caret = ' '.repeat(Math.max(0, d.column - 1)) + '^';
                row.appendChild(el('pre', 'source', String(d.line).padStart(4) + ' | ' + d.source + '\n     | ' + caret));
              }
              live.appendChild(row);
            }
          }
          async function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            try {
              do {
                again = false;
                const st = await (await fetch('/status', { cache: 'no-store' })).json();
                if (st.pageVersion > 0 && st.pageVersion !== mainVersion()) {
                  const html = await (await fetch('/report.html?v=' + st.pageVersion, { cache: 'no-store' })).text();
                  const doc = new DOMParser().parseFromString(html, 'text/html');
                  const fresh = doc.getElementById('xrf-main');
                  const old = document.getElementById('xrf-main');
                  if (fresh && old) { old.replaceWith(document.adoptNode(fresh)); document.title = doc.title; }
                }
                show(st);
              } while (again);
            } catch (e) {
              live.hidden = false;
              live.className = 'invalid';
              live.textContent = 'Lost contact with xrayflow watch (' + e + '); retrying.';
            } finally { busy = false; }
          }
          const events = new EventSource('/events');
          events.onmessage = () => refresh();
          events.onerror = () => { live.hidden = false; live.textContent = 'Lost contact with xrayflow watch; retrying…'; };
          refresh();
        })();
        """;
}
