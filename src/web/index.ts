import path from 'node:path';
import express, { Router } from 'express';
import { AppError } from '../errors';

/** Web Chat's prebuilt bundle ships in the package's `dist/`; its `exports` map hides it from `require.resolve`. */
const WEBCHAT_DIST = path.resolve(path.dirname(require.resolve('botframework-webchat')), '../dist');
const PUBLIC_DIR = path.join(__dirname, 'public');

/**
 * The web chat page (SPEC §6): `GET /` with the official Web Chat, served from this process
 * (no CDN), talking to the local channel. Its scripts are separate files, so a
 * Content-Security-Policy without inline scripts can be applied.
 */
export function webChatPage(): Router {
  const router = Router();
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
  router.get('/', (_req, res) => {
    res.set({ ...headers, 'Cache-Control': 'no-cache' }).sendFile(path.join(PUBLIC_DIR, 'index.html'));
  });
  router.get('/assets/webchat.js', (_req, res) => {
    res.set({ ...headers, 'Cache-Control': 'public, max-age=86400' }).sendFile(path.join(WEBCHAT_DIST, 'webchat.js'));
  });
  router.use('/assets', express.static(PUBLIC_DIR, { index: false, setHeaders: (res) => res.set({ ...headers, 'Cache-Control': 'no-cache' }) }));
  router.use('/assets', () => {
    throw new AppError('NOT_FOUND', 'No such file.');
  });
  return router;
}
