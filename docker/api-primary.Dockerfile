# MazeVault Primary (apps/api-primary). Build from the repository root:
#
#   docker build -f docker/api-primary.Dockerfile -t mazevault/api-primary:dev .
#
# Needs BuildKit (the default builder since Docker 23): it reads the build-context rules from
# api-primary.Dockerfile.dockerignore beside this file, and provides the npm cache mount. No
# `# syntax=` line on purpose: the built-in frontend suffices, and air-gapped hosts cannot pull one.
#
# The image runs the TypeScript sources directly through SWC (tools/register.cjs), exactly like
# `npm start` and CI do, until a bundling build target exists: there is no separate compile step.
#
# One image, two commands (migrations never run in the entrypoint: several replicas starting at once
# would race on the schema, and a failed migration must stop the rollout, not crash-loop the API):
#   API (default):   docker run ... mazevault/api-primary:dev
#   migrations:      docker run ... mazevault/api-primary:dev libs/persistence/src/cli/migrate.cli.ts run
# docker/compose.yaml runs the second as a one-shot service, the Helm chart as a pre-install/pre-upgrade hook Job.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: runtime dependencies only (no build step, so dev dependencies are never needed) --------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `typescript` stays although package.json lists it under devDependencies: it is a peer dependency
# of @swc-node/register, which requires it at run time to read tsconfig, so the lockfile marks it as
# a production package.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# npm, npx, corepack and yarn are not needed at run time; removing them shrinks the attack surface
# (and the CVE scanner noise) of the final image.
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
    PORT=8080 \
    SWC_NODE_CACHE_DIR=/tmp/swc-node

# Everything is owned by root and read-only to the service user: the process cannot rewrite its code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY tools/register.cjs ./tools/register.cjs
COPY libs ./libs
COPY apps/api-primary/src ./apps/api-primary/src

USER 10001:10001
EXPOSE 8080

# 200 only when PostgreSQL and Redis answer (503 otherwise). Node 20 has fetch; no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node is PID 1; Nest's shutdown hooks handle SIGTERM (close the listener, drain, exit).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "-r", "./tools/register.cjs"]
CMD ["apps/api-primary/src/main.ts"]
