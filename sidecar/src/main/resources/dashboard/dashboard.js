// The CoBa sidecar's dashboard: the runs list (/) and one run (/runs/{runId}). Everything it shows
// comes from protocol v1 (/v1/...), already downsampled by the sidecar; uPlot draws it.
// window.dashboard tells what was drawn (for people in the console and for the browser test).
'use strict';

(function () {
  const POLL_MS = 2000;
  const POINTS = 512;
  const TOKEN_KEY = 'coba.token';
  const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
    '#7f7f7f', '#bcbd22', '#17becf'];
  const TITLES = {
    weights: 'Weights',
    valLosses: 'Validation loss',
    trainLosses: 'Training loss',
    gradNorms: 'Gradient norm',
    ratios: 'Validation-loss ratio',
    slopes: 'Convergence slope',
    rcs: 'RCS (relative convergence score)',
    acs: 'ACS (absolute convergence score)',
    df: 'DF (divergence factor)',
  };

  const body = document.body;
  const root = new URL(body.dataset.root, location.href);
  const state = { page: body.dataset.page, step: null, polls: 0, error: null, charts: {}, weights: null };
  window.dashboard = state;

  // ------------------------------------------------------------------ token and fetch

  function token() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  class Unauthorized extends Error {}

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const t = token();
    if (t) {
      headers.Authorization = 'Bearer ' + t;
    }
    const r = await fetch(new URL(path, root), { headers, cache: 'no-store' });
    if (r.status === 401) {
      throw new Unauthorized('this sidecar needs a bearer token');
    }
    const json = await r.json();
    if (!r.ok) {
      const e = new Error(json.error || ('HTTP ' + r.status));
      e.status = r.status;
      throw e;
    }
    return json;
  }

  function askToken(again) {
    const form = document.getElementById('token-form');
    form.hidden = false;
    form.onsubmit = (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token-input').value.trim());
      form.hidden = true;
      again();
    };
  }

  function status(text, isError) {
    const el = document.getElementById('status');
    el.textContent = text;
    el.classList.toggle('error', !!isError);
  }

  /** Runs {@code once} now and every POLL_MS; a 401 stops and asks for the token. */
  function poll(once) {
    let timer = null;
    const tick = async () => {
      try {
        await once();
        state.error = null;
        state.polls++;
        timer = setTimeout(tick, POLL_MS);
      } catch (e) {
        state.error = e.message;
        if (e instanceof Unauthorized) {
          status(e.message, true);
          askToken(tick);
        } else {
          status(e.message, true);
          if (e.status !== 404) {
            timer = setTimeout(tick, POLL_MS);
          }
        }
      }
    };
    tick();
    return () => clearTimeout(timer);
  }

  // ------------------------------------------------------------------ the runs list

  async function listRuns() {
    const runs = [];
    let after = null;
    do {
      const page = await api('v1/runs?limit=1000' + (after ? '&after=' + encodeURIComponent(after) : ''));
      runs.push(...page.runs);
      after = page.next;
    } while (after);
    const rows = runs.map((r) => {
      const tr = document.createElement('tr');
      const link = document.createElement('a');
      link.href = new URL('runs/' + encodeURIComponent(r.runId), root).pathname;
      link.textContent = r.runId;
      tr.append(cell(link), cell(r.method), cell(r.tasks.join(', ')), cell(String(r.worldSize), 'num'),
        cell(r.step === null ? '–' : String(r.step), 'num'));
      return tr;
    });
    document.querySelector('#runs tbody').replaceChildren(...rows);
    document.getElementById('empty').hidden = runs.length > 0;
    state.runs = runs.map((r) => r.runId);
    status(runs.length + (runs.length === 1 ? ' run' : ' runs') + ', refreshed ' + new Date().toLocaleTimeString());
  }

  function cell(content, cls) {
    const td = document.createElement('td');
    if (cls) {
      td.className = cls;
    }
    td.append(content);
    return td;
  }

  // ------------------------------------------------------------------ one run

  const runId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const plots = {};
  let weightsPlot = null;

  async function showRun() {
    const path = 'v1/runs/' + encodeURIComponent(runId);
    const now = await api(path + '/weights');
    if (state.polls > 0 && now.step === state.step) {
      return; // nothing new: the series would be the same
    }
    const series = await api(path + '/series?points=' + POINTS);
    state.tasks = series.tasks;
    drawWeights(now);
    document.getElementById('summary').textContent = series.method + ' · ' + series.tasks.length + ' tasks · last step '
      + (series.step === null ? '–' : series.step);
    document.getElementById('sampling').textContent = series.steps.length + ' points, '
      + (series.stepsPerPoint === 1 ? 'one per step' : 'one per ' + series.stepsPerPoint + ' steps (downsampled by the sidecar)');
    series.charts.forEach((chart) => drawChart(chart, series.steps));
    dropChartsBut(new Set(series.charts.map((c) => c.name)));
    state.step = now.step; // the series may be newer: then the next poll sees a new step and redraws
    status('refreshed ' + new Date().toLocaleTimeString());
  }

  function width(el) {
    return Math.max(300, Math.floor(el.clientWidth || 560));
  }

  /** One chart of the series: redrawn in place while its lines stay the same, else made anew. */
  function drawChart(chart, steps) {
    const labels = chart.lines.map((l) => l.label);
    const key = chart.name + '|' + labels.join('\u0000');
    let p = plots[chart.name];
    const aligned = [steps, ...chart.lines.map((l) => l.values)];
    if (p && p.key === key) {
      p.plot.setData(aligned);
    } else {
      if (p) {
        p.plot.destroy();
        p.el.remove();
      }
      const el = document.createElement('div');
      el.className = 'chart';
      el.dataset.chart = chart.name;
      document.getElementById('charts').append(el);
      const opts = {
        title: TITLES[chart.name] || chart.name,
        width: width(el),
        height: 240,
        scales: { x: { time: false } },
        series: [{ label: 'step' }, ...chart.lines.map((l, i) => ({
          label: l.label,
          stroke: chart.perTask ? COLORS[i % COLORS.length] : '#333',
          width: 1.5,
          spanGaps: true,
          points: { show: false },
        }))],
        axes: [{ label: 'step' }, { size: 64 }],
      };
      p = { key, el, plot: new uPlot(opts, aligned, el) };
      plots[chart.name] = p;
    }
    state.charts[chart.name] = { series: p.plot.series.length - 1, points: p.plot.data[0].length, labels };
  }

  /** Charts the series no longer has (the run was restored from a state, or deleted and made anew). */
  function dropChartsBut(names) {
    for (const name of Object.keys(plots)) {
      if (!names.has(name)) {
        plots[name].plot.destroy();
        plots[name].el.remove();
        delete plots[name];
        delete state.charts[name];
      }
    }
  }

  function resize() {
    for (const p of Object.values(plots)) {
      p.plot.setSize({ width: width(p.el), height: p.plot.height });
    }
    if (weightsPlot) {
      weightsPlot.plot.setSize({ width: width(document.getElementById('weights-now')), height: weightsPlot.plot.height });
    }
  }

  /** The weights for the next step as bars, from /weights: the exact values /metrics shows. */
  function drawWeights(now) {
    const tasks = state.tasks; // the run's order (an object's keys are not, for names like "2")
    const values = tasks.map((t) => now.weights[t]);
    const xs = tasks.map((_, i) => i);
    state.weights = Object.assign({}, now.weights);
    const el = document.getElementById('weights-now');
    if (weightsPlot && weightsPlot.tasks.join('\u0000') === tasks.join('\u0000')) {
      weightsPlot.plot.setData([xs, values]);
    } else {
      if (weightsPlot) {
        weightsPlot.plot.destroy();
      }
      const opts = {
        width: width(el),
        height: 220,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, tasks.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(max, 1e-9) * 1.1] } },
        series: [{}, { label: 'weight', fill: '#1f77b4aa', stroke: '#1f77b4', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
        axes: [{ splits: () => xs, values: (u, splits) => splits.map((v) => tasks[v] ?? '') }, { size: 64 }],
      };
      weightsPlot = { tasks, plot: new uPlot(opts, [xs, values], el) };
    }
    state.charts['weights-now'] = { series: 1, points: weightsPlot.plot.data[0].length, labels: tasks };
  }

  // ------------------------------------------------------------------ start

  if (state.page === 'runs') {
    poll(listRuns);
  } else {
    document.getElementById('run-id').textContent = runId;
    document.title = 'CoBa sidecar: ' + runId;
    window.addEventListener('resize', resize);
    poll(showRun);
  }
})();
