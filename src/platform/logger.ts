import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * One logger for the process: JSON lines (production, tests, `LOG_FORMAT=json`)
 * or short human lines through pino-pretty (development's default, terminal
 * or not, so `npm start | tee` stays readable). pino-pretty is a runtime
 * dependency for that reason: `npm ci --omit=dev` keeps it.
 */
export function createLogger(
  level: string,
  pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { app: 'filiera' },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["stripe-signature"]'], remove: true },
    transport:
      pretty && !destination
        ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' } }
        : undefined,
  };
  // A destination (a test capturing the log) receives exactly what production writes.
  return destination ? pino(options, destination) : pino(options);
}
