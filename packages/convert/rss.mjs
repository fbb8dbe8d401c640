import { convert } from '@lakeload/convert';

const t1 = performance.now();
let last = 0;
const iv = setInterval(() => {
  const r = process.memoryUsage();
  const m = (r.rss / 1e6).toFixed(0);
  if (Math.abs(m - last) > 50) {
    last = m;
    console.log(
      ((performance.now() - t1) / 1000).toFixed(1),
      'rss',
      m,
      'heap',
      (r.heapUsed / 1e6).toFixed(0),
      'ext',
      (r.external / 1e6).toFixed(0),
      'ab',
      (r.arrayBuffers / 1e6).toFixed(0),
    );
  }
}, 100);
const s = await convert({
  inputs: [process.argv[2] ?? `/tmp/perf/in/orders.jsonl`],
  outDir: process.argv[3],
  onProgress: (p) => {
    if (p.phase !== 'read') console.log(p.phase, p.dataset, ((performance.now() - t1) / 1000).toFixed(2));
  },
});
clearInterval(iv);
console.log(
  'conv',
  ((performance.now() - t1) / 1000).toFixed(2) + 's',
  'maxRSS MB',
  (process.resourceUsage().maxRSS / 1024).toFixed(0),
);
