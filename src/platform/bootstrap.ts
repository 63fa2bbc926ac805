import { ConfigError, loadConfig, loadDotEnv, type Config } from './config';
import { connectDb, disconnectDb, ensureIndexes } from './db';
import { EmbeddedEngine, EngineNotFoundError } from './engine';
import { createLogger, type Logger } from './logger';

export interface Runtime {
  config: Config;
  logger: Logger;
  engine?: EmbeddedEngine;
  /** The database the app is connected to. */
  uri: string;
  /** Closes the database connection and stops the engine we started. */
  close(): Promise<void>;
}

/**
 * What the server and the command-line scripts share: read the config
 * (exiting with a message naming each bad variable), start the embedded
 * engine when there is no MONGODB_URI, connect, and build the indexes.
 */
export async function bootstrap(opts: { logLevel?: string } = {}): Promise<Runtime> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(opts.logLevel ?? config.logLevel, config.logFormat === 'pretty');

  let engine: EmbeddedEngine | undefined;
  let uri = config.db.uri;
  if (!uri) {
    try {
      engine = new EmbeddedEngine({
        dataDir: config.db.dataDir,
        enginesDir: config.db.enginesDir,
        mongodBin: config.db.mongodBin,
        logger,
        // Restarted in place when it dies; if that keeps failing, the shop stops so its own supervisor can act.
        onGiveUp: (err) => {
          logger.fatal({ err }, 'the database engine cannot be started again; stopping');
          process.exit(1);
        },
      });
    } catch (e) {
      if (e instanceof EngineNotFoundError) {
        console.error(e.message);
        process.exit(1);
      }
      throw e;
    }
    await engine.start();
    uri = engine.uri;
    logger.info(
      { engine: engine.kind, bin: engine.bin, dataDir: engine.dataDir },
      `database engine: ${engine.kind} on 127.0.0.1:${engine.port}, data in ${engine.dataDir}`,
    );
  } else {
    logger.info('database: MONGODB_URI (no local engine started)');
  }
  await connectDb(uri);
  await ensureIndexes();
  return {
    config,
    logger,
    engine,
    uri,
    async close() {
      await disconnectDb().catch(() => undefined);
      if (engine) await engine.stop();
    },
  };
}
