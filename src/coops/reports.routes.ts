import { Router } from 'express';
import type { WorkspaceDeps } from './workspace.routes';

/** Money and reports. */
export function reportsRoutes(_deps: WorkspaceDeps): Router {
  return Router({ mergeParams: true });
}
