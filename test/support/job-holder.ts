/**
 * A process that takes a job's lease and dies holding it (the jobs test
 * kills it with SIGKILL mid-run). Usage: job-holder.ts <mongodb uri> <job name> <lease ms>
 */
import { connectDb } from '../../src/platform/db';
import { JobRunner } from '../../src/platform/jobs';
import { createLogger } from '../../src/platform/logger';

async function main(): Promise<void> {
  const [uri, name, leaseMs] = process.argv.slice(2);
  if (!uri || !name || !leaseMs) throw new Error('usage: job-holder.ts <mongodb uri> <job name> <lease ms>');
  await connectDb(uri);
  const runner = new JobRunner(
    [
      {
        name,
        everyMs: 60_000,
        leaseMs: Number(leaseMs),
        run: () => {
          process.stdout.write('running\n');
          return new Promise(() => setInterval(() => undefined, 1_000)); // never ends
        },
      },
    ],
    { logger: createLogger('silent', false), owner: 'job-holder' },
  );
  await runner.runNow(name);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
