/** The co-op member's workspace: its pages are its only door (nothing below it may import it). */
export { workspaceRoutes, type WorkspaceDeps } from './workspace.routes';
