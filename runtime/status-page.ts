// The status page served at / by the process's HTTP server: plain HTML and a little script that reads /status.json
// every few seconds. Charts are uPlot, served by the same server from the installed package (no CDN: the page works
// on a machine with no internet access).
export const statusPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gridstream status</title>
<link rel="stylesheet" href="/assets/uplot.css">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .2em; } h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  table { border-collapse: collapse; } td, th { padding: .25em .8em .25em 0; text-align: left; vertical-align: top; }
  th { font-weight: 600; border-bottom: 1px solid #ccc; }
  .state { padding: .05em .5em; border-radius: .6em; font-size: .9em; }
  .running, .done { background: #d8f3dc; } .backing-off, .starting { background: #ffe8a3; } .failed { background: #ffc9c9; } .stopped { background: #e9ecef; }
  .err { color: #a61e1e; max-width: 40em; word-break: break-word; } .muted { color: #777; }
  .charts { display: flex; flex-wrap: wrap; gap: 2em; }
</style>
</head>
<body>
<h1>gridstream</h1>
<div id="process" class="muted">loading…</div>
<h2>Stages</h2>
<table id="stages"><thead><tr><th>stage</th><th>state</th><th>since</th><th>last success</th><th>failures</th><th>restarts</th><th>last error</th></tr></thead><tbody></tbody></table>
<div class="charts">
  <div><h2>Records per second (last hour)</h2><div id="rate"></div></div>
  <div><h2>Lag, records (last hour)</h2><div id="lag"></div></div>
</div>
<h2>Dead letters</h2>
<table id="dlq"><thead><tr><th>topic</th><th>dead letters</th></tr></thead><tbody></tbody></table>
<h2>Last runs</h2>
<table id="runs"><thead><tr><th>task</th><th>started</th><th>status</th><th>out</th><th>rejected</th><th>notes</th></tr></thead><tbody></tbody></table>
<script src="/assets/uplot.js"></script>
<script>
const REFRESH_MS = 3000;
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const age = (ms, now) => { if (ms == null) return '—'; const s = Math.max(0, Math.round((now - ms) / 1000)); return s < 90 ? s + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago'; };
const rows = (id, html) => { document.querySelector('#' + id + ' tbody').innerHTML = html || '<tr><td class="muted" colspan="7">none</td></tr>'; };
const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const charts = {};

function chart(id, history, field) {
  const names = Object.keys(history.stages).filter((n) => history.stages[n][field].some((v) => v != null));
  const data = [history.t.map((t) => t / 1000), ...names.map((n) => history.stages[n][field])];
  const key = names.join('|');
  if (!charts[id] || charts[id].key !== key) {
    charts[id]?.plot.destroy();
    const opts = { width: 560, height: 240, series: [{}, ...names.map((n, i) => ({ label: n, stroke: palette[i % palette.length], spanGaps: false }))], axes: [{}, { size: 60 }] };
    charts[id] = { key, plot: new uPlot(opts, data, document.getElementById(id)) };
  } else charts[id].plot.setData(data);
}

async function refresh() {
  try {
    const s = await (await fetch('/status.json', { cache: 'no-store' })).json();
    const now = s.process.now;
    document.getElementById('process').textContent = 'process ' + s.process.id + ' · gridstream ' + s.process.version + ' · node ' + s.process.node + ' · up ' + age(s.process.startedAt, now).replace(' ago', '') + ' · updated ' + new Date(now).toLocaleTimeString();
    rows('stages', s.stages.map((st) => '<tr data-stage="' + esc(st.name) + '"><td>' + esc(st.name) + '</td><td><span class="state ' + esc(st.state) + '">' + esc(st.state) + '</span>' +
      (st.nextAttemptAt ? ' <span class="muted">retry in ' + Math.max(0, Math.round((st.nextAttemptAt - now) / 1000)) + ' s</span>' : '') + '</td><td>' + age(st.since, now) + '</td><td>' + age(st.lastSuccess, now) +
      '</td><td>' + st.failures + '</td><td>' + st.restarts + '</td><td class="err">' + esc(st.lastError ?? '') + '</td></tr>').join(''));
    chart('rate', s.history, 'rate');
    chart('lag', s.history, 'lag');
    if (Array.isArray(s.dlq)) rows('dlq', s.dlq.map((d) => '<tr><td>' + esc(d.topic) + '</td><td>' + esc(d.count) + (d.approximate ? ' (≈)' : '') + '</td></tr>').join(''));
    else rows('dlq', '<tr><td class="muted" colspan="2">' + esc(s.dlq?.error ?? 'not available in this process') + '</td></tr>');
    if (Array.isArray(s.runs)) rows('runs', s.runs.map((r) => '<tr><td>' + esc(r.task) + '</td><td>' + esc(new Date(r.started_at).toLocaleString()) + ' (' + age(Date.parse(r.started_at), now) + ')</td><td>' + esc(r.status) + '</td><td>' + esc(r.records_out) + '</td><td>' + esc(r.records_rejected) + '</td><td>' + esc(r.notes ?? '') + '</td></tr>').join(''));
    else rows('runs', '<tr><td class="muted" colspan="6">' + esc(s.runs?.error ?? 'not available in this process') + '</td></tr>');
  } catch (err) {
    document.getElementById('process').textContent = 'cannot reach the process: ' + err.message;
  }
}
refresh();
setInterval(refresh, REFRESH_MS);
</script>
</body>
</html>
`;
