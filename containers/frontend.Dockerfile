# syntax=docker/dockerfile:1
# Frontend image: the static SvelteKit build served by nginx, which also proxies
# /api, /media and /ws to the backend (service name `backend`, port 8000).
# Build context: the repository root.
#   docker build -f containers/frontend.Dockerfile -t socialnet-frontend:latest .

########## build: npm ci && npm run build -> client/build ##########
FROM node:20-bookworm-slim AS build

WORKDIR /client
ENV CI=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first so that a source change reuses this layer.
# Optional build secrets (containers/build.sh passes the host's): `npmrc`, npm
# settings (registry, cafile = /run/secrets/ca_bundle, ...), and `ca_bundle`, a
# CA bundle; mounted for this step only, never stored in a layer.
COPY client/package.json client/package-lock.json ./
RUN --mount=type=secret,id=npmrc --mount=type=secret,id=ca_bundle \
    NPM_CONFIG_USERCONFIG=/run/secrets/npmrc npm ci

# `svelte-kit sync` first: .svelte-kit/ is not in the build context.
COPY client/ ./
RUN npx svelte-kit sync && npm run build

########## runtime: official nginx, unprivileged ##########
FROM nginx:1.27-bookworm AS runtime

# Our nginx.conf is complete (pid, temp paths under /tmp, listen 8080), so the
# stock server block goes; the entrypoint's IPv6 helper then has nothing to edit.
RUN rm -f /etc/nginx/conf.d/default.conf /usr/share/nginx/html/*
COPY containers/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /client/build /usr/share/nginx/html

# uid 101 is the image's own `nginx` user; files stay root-owned (read-only to it).
USER 101:101
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=5s --retries=3 \
    CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:8080/healthz"]
