/**
 * Loaded into the app by `npm run bench -- --alloc-profile` (`--import`):
 * samples where the app allocates, the objects the garbage collector has
 * already taken included, and writes a `.heapprofile` (Chrome DevTools'
 * format) to bench/results/profiles when the process exits.
 *
 * A CPU profile shows how much time goes to garbage collection, not what
 * made the garbage; Node's own `--heap-prof` keeps only what is still alive
 * at exit, which for a page is nothing.
 */
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.ALLOC_PROFILE_DIR ?? join(process.cwd(), 'bench', 'results', 'profiles');
const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: 32 * 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});

// What the resident memory is made of, every 15 s (MiB): V8's spaces, buffers outside the heap, the rest.
const mib = (n) => Math.round((n / 1048576) * 10) / 10;
setInterval(() => {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mib(s.physical_space_size)]));
  console.error(
    `alloc-profile: memory ${JSON.stringify({ rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers), spaces })}`,
  );
}, 15_000).unref();

// A session in the process's own thread answers synchronously, so this works in an exit handler.
process.once('exit', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return console.error('alloc-profile: not written:', err.message);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `ALLOC.${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}.${process.pid}.heapprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    console.error(`alloc-profile: ${file}`);
  });
});
