# syntax=docker/dockerfile:1
# The Technical Support bot as a container. The install and start steps are
# deploy/production.sh, the same script CI runs (.ci/production-check), so what this image does
# is tested on every change even where Docker is not available.

# Build stage: the full install (TypeScript and the native toolchain for better-sqlite3), the
# compile, then the production install of the built output into /app.
FROM node:20-bookworm AS build
RUN npm install -g npm@11 --no-audit --no-fund
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY deploy/production.sh ./deploy/production.sh
COPY rules ./rules
COPY dialogs ./dialogs
COPY src ./src
RUN npm run build && deploy/production.sh install /app

# Runtime stage: Node and the installed bot, nothing else; runs as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3978 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
# The SQLite store (when DATABASE_URL is unset) lives here; mount a volume to keep it.
VOLUME ["/data"]
EXPOSE 3978
# /readyz: 503 while the database is unreachable or the instance drains.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["deploy/production.sh", "start"]
