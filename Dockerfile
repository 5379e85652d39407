# vigil engine image: build with the dev toolchain, run with production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY app ./app
COPY engine ./engine
COPY api ./api
COPY workers ./workers
COPY bench ./bench
COPY dashboards ./dashboards
COPY web ./web
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    VIGIL_DATA_DIR=/data \
    VIGIL_HTTP_HOST=0.0.0.0 \
    VIGIL_HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Listening beyond loopback needs auth.tokens: mount a config file and pass --config.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.VIGIL_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=64", "bin/vigil.js"]
CMD ["serve", "--config", "/etc/vigil/vigil.json"]
