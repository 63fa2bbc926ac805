import mongoose from 'mongoose';
import { connectDb, ensureIndexes } from '../../src/platform/db';
import { startTestEngines, stopTestEngines } from './engines';

// Every model must be registered before the indexes are built once for the run.
import '../../src/app';

/**
 * Root hooks: one database engine (on a throw-away directory) and one
 * stripe-mock for the whole run; each test file makes and owns its data.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const engines = await startTestEngines();
    await connectDb(engines.db.uri);
    await ensureIndexes();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await mongoose.disconnect().catch(() => undefined);
    await stopTestEngines();
  },
};
