/**
 * `node bench/profile-summary.mjs <file.cpuprofile> [top]`: where the time of a profiled run went,
 * by package and by function (self time).
 */
import { formatProfile, summarizeProfile } from './lib/cpuprofile.mjs';

const [file, top = '15'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
console.log(formatProfile(summarizeProfile(file, Number(top))));
