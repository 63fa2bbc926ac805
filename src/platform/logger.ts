import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** One JSON logger for the process; pretty only when a person watches a terminal. */
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
