# syntax=docker/dockerfile:1
# One image for every townhall role; the command picks it (see docker-compose.yml):
#   node bin/townhall.js server | worker | gateway | sandbox | validate
# There is no compile step: bin/townhall.js bundles the TypeScript CLI with esbuild on first use
# (bin/cli-bundle.js), here at image build time, as is the Temporal workflow bundle, so a
# container starts without building either.

# Production dependencies only, from the lock file.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
# TOWNHALL_DATA_DIR holds the workflow bundle cache (built below, read by `townhall worker`) and
# the gateway's spool; HOST/PORT are where `townhall server` listens inside the container.
ENV NODE_ENV=production \
    TOWNHALL_DATA_DIR=/app/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The bundle cache under TOWNHALL_DATA_DIR is keyed on every file the bundle contains;
# built as the unprivileged user so the same user can read it (and add to it) at run time.
RUN mkdir -p "$TOWNHALL_DATA_DIR" && chown node:node "$TOWNHALL_DATA_DIR"
# The CLI bundle goes to node_modules/.cache, which only root may write; every user reads it.
RUN node bin/townhall.js --help > /dev/null && ls node_modules/.cache/townhall-cli/cli-*.mjs
USER node
RUN node bin/townhall.js bundle && ls "$TOWNHALL_DATA_DIR"/workflow-bundle-*.js

EXPOSE 3000
# /readyz answers 200 only when the store and Temporal answer. node is in the image; curl is not.
# Only the server listens: compose turns this off for the worker, gateway and sandbox.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/townhall.js", "server"]
