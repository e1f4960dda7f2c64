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
COPY client/package.json client/package-lock.json ./
RUN npm ci

COPY client/ ./
RUN npm run build

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
