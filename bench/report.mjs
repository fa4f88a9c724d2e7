/**
 * `node bench/report.mjs [bench/results/full.json]`: the table of a results file as Markdown
 * (for BENCHMARKS.md), with the machine line above it.
 */
import { readFileSync } from 'node:fs';
import { renderTable, tableRows } from './lib/table.mjs';

const file = process.argv[2] ?? new URL('./results/full.json', import.meta.url);
const record = JSON.parse(readFileSync(file, 'utf8'));
const m = record.machine;
console.log(
  `${record.mode} run, ${record.date}, ${record.seconds} s · ${m.cpus}× ${m.cpuModel}, ` +
    `${m.memoryGiB} GiB, ${m.os} · Node ${m.node} · ${m.pinning} · ` +
    `load average ${m.loadAverage.join(' / ')} at start, ${m.loadAverageAtEnd.join(' / ')} at end · ` +
    `commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}\n`,
);
console.log(renderTable(tableRows(record.figures), { markdown: true }));
