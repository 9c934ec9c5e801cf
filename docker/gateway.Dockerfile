# The MazeVault gateway image (apps/gateway), for AKS (deploy/k8s/helm) and the compose `gateway`
# profile. From the repository root:
#
#   docker build -f docker/gateway.Dockerfile -t mazevault/gateway:dev .
#
# Its own file (not a target of docker/Dockerfile) for its own build context: BuildKit reads the
# allow-list in gateway.Dockerfile.dockerignore beside it, which sends apps/gateway and no other app,
# so the image that runs in the cloud carries none of the Primary's code. The `deps` and `base`
# stages are docker/Dockerfile's, verbatim (tools/shipping/test/gateway-image.int-spec.ts fails when
# they drift).
#
# Like the Primary's image, it runs the TypeScript sources through SWC (tools/register.cjs) and
# never migrates in its entrypoint; the gateway's schema is migrated by the same image first:
#   gateway (default): docker run ... mazevault/gateway:dev
#   migrations:        docker run ... mazevault/gateway:dev libs/persistence/src/cli/migrate.cli.ts run gateway
# docker/compose.yaml runs them as the one-shot `gateway-migrate` service, the Helm chart as an init
# container of the (single-replica) gateway pod.

ARG NODE_IMAGE=node:24-trixie-slim

# ---- deps: runtime dependencies only (no build step, so dev dependencies are never needed) --------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `typescript` stays although package.json lists it under devDependencies: it is a peer dependency
# of @swc-node/register, which requires it at run time to read tsconfig, so the lockfile marks it as
# a production package.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- base: what every app shares -----------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
# npm, npx, corepack and yarn are not needed at run time; removing them shrinks the attack surface
# (and the CVE scanner noise) of the final images.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && groupadd --system --gid 10001 mazevault \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mazevault

WORKDIR /app
# SWC keeps a transform cache on disk; /tmp is the one writable path (a tmpfs/emptyDir when the root
# filesystem is read-only). A missing or unwritable cache only costs start-up time.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    SWC_NODE_CACHE_DIR=/tmp/swc-node

# Everything is owned by root and read-only to the service user: the process cannot rewrite its code.
# libs/testing is excluded by the .dockerignore: test-only code never ships.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY tools/register.cjs ./tools/register.cjs
COPY libs ./libs

USER 10001:10001
# Node is PID 1; each app handles SIGTERM itself (close the listener, drain, exit).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "-r", "./tools/register.cjs"]

# ---- gateway (apps/gateway) -----------------------------------------------------------------------
FROM base AS gateway
COPY apps/gateway/src ./apps/gateway/src
COPY docker/gateway-healthcheck.cjs ./docker/gateway-healthcheck.cjs
ENV MAZEVAULT_MODE=gateway \
    PORT=8443
EXPOSE 8443
# GET https://127.0.0.1:$PORT/api/v1/health: 200 when the gateway can serve, 503 otherwise. The
# script accepts the gateway's own certificate whatever signed it (self-signed without TLS_CERT_FILE):
# it only asks the process in this container whether it serves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "docker/gateway-healthcheck.cjs"]
CMD ["apps/gateway/src/main.ts"]
