import { Router } from 'express';
import type { WorkspaceDeps } from './workspace.routes';

/** Orders to fulfil: the co-op's shares only. */
export function fulfilmentRoutes(_deps: WorkspaceDeps): Router {
  return Router({ mergeParams: true });
}
