# syntax=docker/dockerfile:1
# Gatehouse container image. Unbuilt on the development machines (no Docker engine there); kept correct by reading.
#
# Later capabilities need, at run time:
#   --cap-add NET_ADMIN            WireGuard interface, routes and nftables rules
#   --device /dev/net/tun          wireguard-go (userspace WireGuard) when the host kernel has no module
#   -p 51820:51820/udp             the WireGuard port (plus the UI port you choose)
#   -v gatehouse-data:/data        store, certificates and keys (kept 0700/0600)
#   --network host                 recommended: the reachability checks see the box's own interfaces and
#                                  address events, talk to the router (UPnP, NAT-PMP, PCP, port mapping) and hear
#                                  its events (a UPnP GENA callback on a random port, announcements on UDP 5350);
#                                  on a bridge network they see the container's network instead
# The runtime image already contains wireguard-tools, wireguard-go and nftables for those capabilities.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Skip the prepare script here: sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
COPY web ./web
COPY scripts ./scripts
COPY bin ./bin
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      wireguard-tools wireguard-go nftables iproute2 traceroute ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The V8 heap cap and glibc's malloc thresholds, as in `npm start` and packaging/gatehouse.service (README: "Running
# on a small box"): without the cap V8 sizes the heap from the host's RAM and lets it grow lazily under load; the
# thresholds give freed native memory back to the system. Override with -e NODE_OPTIONS=... / -e GLIBC_TUNABLES=...
ENV NODE_ENV=production \
    GATEHOUSE_DATA_DIR=/data \
    GATEHOUSE_LISTEN=0.0.0.0:8443 \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=2" \
    GLIBC_TUNABLES="glibc.malloc.mmap_threshold=32768:glibc.malloc.trim_threshold=65536"
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/bin ./bin
VOLUME ["/data"]
EXPOSE 8443/tcp 51820/udp
# Off loopback Gatehouse serves HTTPS with its self-signed bootstrap certificate until ACME replaces it,
# so the health check talks HTTPS without verifying the certificate (it only asks "is the process answering").
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:process.env.GATEHOUSE_LISTEN.split(':').pop(),path:'/healthz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/gatehouse.js"]
CMD ["serve"]
