/**
 * The one table `npm run bench` prints: every figure side by side with its baseline and peer,
 * as median (min–max) over the run's repetitions, with ratios and the target they answer to.
 */
import { fmt } from './stats.mjs';

const kB = (b) => (Number.isFinite(b) ? `${(b / 1000).toFixed(2)} kB` : 'n/a');
const ms = (v) => (Number.isFinite(v) ? `${fmt(v)} ms` : 'n/a');

/** "median (min–max)" with a unit formatter. */
function spread(s, unit = (v) => fmt(v)) {
  if (!s) return '—';
  if (s.min === s.max) return unit(s.median);
  return `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;
}
const signed = (v) => (v >= 0 ? `+${ms(v)}` : `−${ms(-v)}`);
const ratio = (s) => (s ? `${fmt(s.median)}×` : '—');
const check = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');

/** Table rows (arrays of cells) from the figures' results; failed figures get one error row. */
export function tableRows(results) {
  const rows = [];
  const failed = (id, name) => {
    const r = results[id];
    if (!r) return true;
    if (r.error) {
      rows.push([name, 'FAILED', r.error.split('\n')[0].slice(0, 60), '', '', '', '', '', '']);
      return true;
    }
    return false;
  };

  if (!failed('bundle', '1 bundle')) {
    const b = results.bundle;
    const a = b.apps;
    rows.push([
      '1 bundle',
      'initial JS gzip: (b) REST · (c) +listener vs (a) minimal',
      `${kB(a.rest.initialGzip.median)} · ${kB(a.realtime.initialGzip.median)}`,
      kB(a.minimal.initialGzip.median),
      `${fmt(b.realtimeVsMinimal.median)}×`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'SDK core gzip, no HttpClient, no socket.io: (b) · (c)',
      `${kB(b.sdkCoreRest.median)} · ${kB(b.sdkCoreRealtime.median)}`,
      `HttpClient alone: ${kB(a.http.initialGzip.median - a.minimal.initialGzip.median)}`,
      '',
      '',
      '',
      `≤ 6 kB${check(b.sdkCoreRealtime.median <= 6000)}`,
    ]);
    rows.push([
      '',
      'socket.io-client: lazy chunk gzip (c) · bytes in initial JS',
      `${kB(b.socketIoLazyGzip.median)} · ${a.realtime.socketIoInInitial} B`,
      '',
      '',
      '',
      '',
      `none initial${check(b.socketIoInitialFree)}`,
    ]);
  }

  if (!failed('dispatch', '2 dispatch')) {
    const d = results.dispatch;
    const eps = (v) => `${fmt(v / 1000)}k/s`;
    const us = (v) => `${fmt(v)} µs`;
    rows.push([
      '2 dispatch',
      `${fmt(d.events / 1000)}k events → 1 client, SDK on() vs socket.on: events/s of client CPU`,
      d.sdk ? spread(d.sdk.cpuEps, eps) : 'n/a',
      spread(d.raw.cpuEps, eps),
      d.ratio ? `${ratio(d.ratio)} (raw/SDK)` : '—',
      '',
      '',
      d.ratio ? `≤ 1.10${check(d.ratio.median <= 1.1)}` : '≤ 1.10',
    ]);
    if (d.controlRatio) {
      rows.push([
        '',
        'control: a second bare socket (noise floor of the ratio)',
        '',
        d.control ? spread(d.control.cpuEps, eps) : '',
        `${ratio(d.controlRatio)} (raw/control)`,
        '',
        '',
        '',
      ]);
    }
    rows.push([
      '',
      'client CPU per event',
      d.sdk ? spread(d.sdk.cpuUs, us) : 'n/a',
      spread(d.raw.cpuUs, us),
      '',
      '',
      '',
      '',
    ]);
    if (d.handlerNs?.sdk) {
      rows.push([
        '',
        'handler alone, in-process (no socket): ns per event',
        `${fmt(d.handlerNs.sdk)} ns`,
        `${fmt(d.handlerNs.raw)} ns`,
        `+${fmt(d.handlerNs.sdk - d.handlerNs.raw)} ns`,
        '',
        '',
        '',
      ]);
    }
    rows.push([
      '',
      'wall events/s, backlog drained',
      d.sdk ? spread(d.sdk.eps, eps) : 'n/a',
      spread(d.raw.eps, eps),
      d.wallRatio ? `${ratio(d.wallRatio)} (raw/SDK)` : '—',
      '',
      '',
      d.serverBoundRounds ? `${d.serverBoundRounds} rounds waited on the server` : '',
    ]);
  }

  if (!failed('fanout', '3 fan-out')) {
    const f = results.fanout;
    rows.push([
      '3 fan-out',
      `REST write → event at the last of ${f.clients} sockets`,
      f.backand ? spread(f.backand, ms) : 'n/a',
      `${spread(f.raw, ms)} io.emit`,
      f.ratioVsRaw ? ratio(f.ratioVsRaw) : '—',
      spread(f.feathers, ms),
      f.ratioVsFeathers ? ratio(f.ratioVsFeathers) : '—',
      f.ratioVsRaw
        ? `≤ 1.2× raw${check(f.ratioVsRaw.median <= 1.2)}, < Feathers${check(f.ratioVsFeathers.median < 1)}`
        : '≤ 1.2× raw, < Feathers',
    ]);
    const cpu = f.serverCpu ?? {};
    rows.push([
      '',
      'server CPU for that write + fan-out',
      cpu.backand ? spread(cpu.backand, ms) : 'n/a',
      spread(cpu.raw, ms),
      cpu.backand ? `${fmt(cpu.backand.median / cpu.raw.median)}×` : '—',
      spread(cpu.feathers, ms),
      cpu.backand ? `${fmt(cpu.backand.median / cpu.feathers.median)}×` : '—',
      '',
    ]);
  }

  if (!failed('latency', '4 write→event')) {
    const l = results.latency;
    const b = l.backand;
    const cell = (s, k) => (s ? spread(s[k], ms) : 'n/a');
    const label = `${l.subscribers} subscribers, ${l.rate} writes/s`;
    rows.push([
      '4 write→event',
      `${label}: event p50`,
      cell(b, 'eventP50'),
      `${cell(l.raw, 'eventP50')} emit`,
      b ? `${fmt(b.eventP50.median / b.responseP50.median)}× of HTTP p50` : '—',
      cell(l.feathers, 'eventP50'),
      b ? ratio({ median: b.eventP50.median / l.feathers.eventP50.median }) : '—',
      '',
    ]);
    rows.push([
      '',
      'event p99',
      cell(b, 'eventP99'),
      cell(l.raw, 'eventP99'),
      '',
      cell(l.feathers, 'eventP99'),
      '',
      '',
    ]);
    rows.push([
      '',
      'HTTP response p50 · p99 (same writes)',
      b ? `${ms(b.responseP50.median)} · ${ms(b.responseP99.median)}` : 'n/a',
      `${ms(l.raw.responseP50.median)} · ${ms(l.raw.responseP99.median)}`,
      '',
      `${ms(l.feathers.responseP50.median)} · ${ms(l.feathers.responseP99.median)}`,
      '',
      b && b.missing ? `${b.missing} events missing ✗` : '',
    ]);
  }

  if (!failed('memory', '5 memory')) {
    const m = results.memory;
    const s = m.sdkObservable;
    const c = m.sdkCallback;
    rows.push([
      '5 memory',
      `${fmt(m.cycles / 1000)}k on()/unsubscribe: handlers left on the socket`,
      s ? `${s.handlersLeft} · ${c.handlersLeft} (on(cb))` : 'n/a',
      `${m.raw.handlersLeft} (on/off)`,
      '',
      '',
      '',
      s
        ? `0 leaked${check(s.handlersLeft === 0 && c.handlersLeft === 0 && m.sdkWithStanding.handlersLeft === 0)}`
        : '0 leaked',
    ]);
    rows.push([
      '',
      'heap growth after GC',
      s ? `${spread(s.heapGrowth, kB)}` : 'n/a',
      spread(m.raw.heapGrowth, kB),
      '',
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'time per cycle: on().subscribe · on(cb)',
      s ? `${fmt(s.cycle.median)} µs · ${fmt(c.cycle.median)} µs` : 'n/a',
      `${fmt(m.raw.cycle.median)} µs`,
      s ? `${fmt(s.cycle.median / m.raw.cycle.median)}×` : '',
      '',
      '',
      '',
    ]);
  }

  if (!failed('throughput', '6 REST')) {
    const t = results.throughput;
    const rps = (v) => `${fmt(v)}/s`;
    for (const kind of ['list', 'create']) {
      const r = kind === 'list' ? t.listRatio : t.createRatio;
      rows.push([
        kind === 'list' ? '6 REST' : '',
        kind === 'list'
          ? `list ${t.pageSize} of ${t.rows} rows (${kB(t.listBytes.backand)} vs ${kB(t.listBytes.feathers)}), req/s, ${t.connections} conns`
          : 'create one row, req/s',
        t.backand ? spread(t.backand[kind], rps) : 'n/a',
        '',
        '',
        spread(t.feathers[kind], rps),
        r ? `${ratio(r)} (backand/Feathers)` : '—',
        r ? `> 1${check(r.median > 1)}` : '> 1',
      ]);
    }
  }
  if (!failed('signin', '7 sign-in')) {
    const s = results.signin;
    const b = s.bounded;
    const u = s.unbounded;
    const rate = (v) => `${fmt(v)}/s`;
    const dur = (v) => (Number.isFinite(v) && v >= 1000 ? `${fmt(v / 1000)} s` : ms(v));
    const med = (x) => fmt(x.median);
    rows.push([
      '7 sign-in',
      `${fmt(s.attempts)} right passwords at once (${s.users} users): sign-ins/s`,
      spread(b.rate, rate),
      `${spread(u.rate, rate)} unbounded`,
      ratio(s.rateRatio),
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'successful sign-in: p99 latency',
      spread(b.okP99, dur),
      spread(u.okP99, dur),
      ratio(s.p99Ratio),
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'successful sign-in: p50 latency',
      spread(b.okP50, dur),
      spread(u.okP50, dur),
      '',
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      `answered 200 · 503 · 429 (queue ${s.bound.maxConcurrentHashes} + ${s.bound.maxQueuedHashes}); p99 to a 503`,
      `${med(b.ok)} · ${med(b.busy)} · ${med(b.limited)}; ${dur(b.refusedP99.median)}`,
      `${med(u.ok)} · ${med(u.busy)} · ${med(u.limited)}`,
      '',
      '',
      '',
      `Retry-After on all${check(b.refusedWithoutRetryAfter === 0)}`,
    ]);
  }
  if (results.live && !results.live.skipped && !failed('live', '8 live queries')) {
    const l = results.live;
    const req = (x) => `${fmt(x.httpPerWrite.median)} HTTP`;
    rows.push([
      '8 live queries',
      `${l.clients} sockets, ${l.lists} filtered lists: HTTP requests per write (live vs refetch)`,
      req(l.live),
      `${req(l.refetch)} refetch`,
      '',
      '',
      '',
      `0${check(l.live.httpPerWrite.median === 0)}`,
    ]);
    rows.push([
      '',
      'server CPU per write: filtered live · unfiltered live (vs refetch)',
      `${spread(l.live.serverCpuPerWrite, ms)} · ${spread(l.unfiltered.serverCpuPerWrite, ms)}`,
      spread(l.refetch.serverCpuPerWrite, ms),
      `${fmt(l.refetch.serverCpuPerWrite.median / l.live.serverCpuPerWrite.median)}× less`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'event→list p99 (p50): filtered live · unfiltered live (vs refetch)',
      `${ms(l.live.p99)} (${ms(l.live.p50)}) · ${ms(l.unfiltered.p99)} (${ms(l.unfiltered.p50)})`,
      `${ms(l.refetch.p99)} (${ms(l.refetch.p50)})`,
      `${fmt(l.refetch.p99 / l.live.p99)}× faster`,
      '',
      '',
      '',
    ]);
  }
  if (results.scaleout && !results.scaleout.skipped && !failed('scaleout', '9 scale-out')) {
    const { fanout: f, cross: c, writes: w } = results.scaleout;
    const one = f.subjects.one;
    const rps = (v) => `${fmt(v)}/s`;
    const eps = (v) => `${fmt(v)}/s`;
    const pair = (x) => `${ms(x.lastP50)} · ${ms(x.lastP99)}`;
    rows.push([
      '9 scale-out',
      `${fmt(f.clients)} sockets, one write → last socket p50 · p99: 3 nodes (vs 1 node)`,
      pair(f.subjects.three),
      pair(one),
      `${ratio(f.ratios.last)} (pairs)`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      '… 1 node with the Redis adapter (vs 1 node)',
      pair(f.subjects.oneRedis),
      pair(one),
      `${ratio(f.ratios.lastRedis)} (pairs)`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'server CPU per event, nodes summed: 3 nodes · 1 node + Redis (vs 1 node)',
      `${spread(f.subjects.three.cpuPerEvent, ms)} · ${ms(f.subjects.oneRedis.cpuPerEvent.median)}`,
      spread(one.cpuPerEvent, ms),
      ratio(f.ratios.cpuPerEvent),
      '',
      '',
      `Redis +${ms(f.subjects.three.redisCpuPerEvent.median)}`,
    ]);
    rows.push([
      '',
      `events/s sustained (${f.stream.inFlight} writes in flight): 3 nodes · 1 node + Redis`,
      `${spread(f.subjects.three.eps, eps)} · ${eps(f.subjects.oneRedis.eps.median)}`,
      spread(one.eps, eps),
      ratio(f.ratios.eps),
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      `cross-node event (${c.perNode} sockets a node, ${c.rate} writes/s): p50 · p99, other node vs writer's`,
      `${ms(c.cross.p50)} · ${ms(c.cross.p99)}`,
      `${ms(c.same.p50)} · ${ms(c.same.p99)}`,
      `${signed(c.diffP50)} · ${signed(c.diffP99)}`,
      '',
      '',
      c.missing ? `${c.missing} events missing ✗` : '',
    ]);
    rows.push([
      '',
      `REST create req/s, ${w.connections} conns: SQLite file 3 nodes (vs 1 node)`,
      w.sqlite3 ? spread(w.sqlite3.rps, rps) : 'n/a',
      w.sqlite1 ? spread(w.sqlite1.rps, rps) : 'n/a',
      w.sqlite3VsSqlite1 ? ratio(w.sqlite3VsSqlite1) : '—',
      '',
      '',
      '',
    ]);
    if (w.postgresUnavailable) {
      rows.push(['', 'REST create req/s, PostgreSQL', w.postgresUnavailable, '', '', '', '', '']);
    } else {
      rows.push([
        '',
        'REST create req/s: PostgreSQL 1 node (vs SQLite file 1 node)',
        spread(w.pg1.rps, rps),
        spread(w.sqlite1.rps, rps),
        ratio(w.pg1VsSqlite),
        '',
        '',
        '',
      ]);
      rows.push([
        '',
        'REST create req/s: PostgreSQL 3 nodes (vs PostgreSQL 1 node)',
        spread(w.pg3.rps, rps),
        spread(w.pg1.rps, rps),
        ratio(w.pg3VsPg1),
        '',
        '',
        '',
      ]);
    }
  }
  return rows;
}

export const HEADER = [
  'figure',
  'measure',
  'ngx-backand',
  'baseline',
  'ratio',
  'Feathers',
  'ratio',
  'target',
];

/** Renders rows as a fixed-width text table (or Markdown with `markdown: true`). */
export function renderTable(rows, { markdown = false } = {}) {
  const all = [HEADER, ...rows];
  if (markdown) {
    const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map(line)].join('\n');
  }
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
