/**
 * The HTTP host: the express app over the other parts (messages endpoint, pages, health, the
 * parts' routes, one error handler) and the separate metrics port. This file is the folder's
 * face; other parts import only from here.
 */
export { createApp, type AppDeps } from './app';
export { metricsServer } from './observability';
