# syntax=docker/dockerfile:1
# ICMP production image: `docker build -t icmp .` at the repository root.
# Two stages: `build` installs every dependency and compiles server/web/widget; the final stage holds
# only the server's production dependencies and the compiled output (no sources, no dev tools).
# deploy/scripts/check-image-layout.mjs replays the final stage's COPY and RUN npm lines without
# docker and starts the server from exactly those files (npm run deploy:check:image).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY web/package.json web/
COPY widget/package.json widget/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to node (graceful shutdown) and reaps zombies, in docker and
# in Kubernetes alike (no need for `docker run --init`).
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/package-lock.json /app/package-lock.json
COPY --from=build /app/server/package.json /app/server/package.json
COPY --from=build /app/web/package.json /app/web/package.json
COPY --from=build /app/widget/package.json /app/widget/package.json
RUN npm ci --omit=dev --workspace server --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/server/dist /app/server/dist
COPY --from=build /app/server/drizzle /app/server/drizzle
COPY --from=build /app/web/dist /app/web/dist
COPY --from=build /app/widget/dist /app/widget/dist
# DATA_DIR holds PGlite's database (when DATABASE_URL is unset) and the generated keys; on
# PostgreSQL with ICMP_API_KEY and CHANNEL_SECRETS_KEY set it stays empty.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Migrations: `docker run --rm icmp node server/dist/db/migrate-cli.js` (compose's `migrate` service,
# the Kubernetes migration Job) before the apps start with MIGRATE_ON_START=false.
# The flag is server/package.json's start script's (ARCHITECTURE, twenty-eighth pass); deploy:check
# keeps the two the same.
CMD ["node", "--max-semi-space-size=64", "server/dist/main.js"]
