import type { Config } from './config';
import type { EventBus } from './events';
import type { Logger } from './logger';
import type { Mailer } from './mail';

/**
 * What every feature's routes and services may be built from. createApp
 * makes one of each (the bus included) and hands them down; a feature that
 * needs more (a payment gateway, another feature's service) says so in its
 * own deps type.
 */
export interface CoreDeps {
  config: Config;
  logger: Logger;
  mailer: Mailer;
  events: EventBus;
}
