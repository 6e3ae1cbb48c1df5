# Agentic Arena: TypeScript compiled to dist/ in a build stage; the image runs plain JavaScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Only the compiled app: with no app/cli.ts beside it, bin/arena.js runs dist/ (no tsx at run time).
COPY --from=build /app/dist ./dist
COPY bin/arena.js ./bin/arena.js
RUN groupadd --system arena && useradd --system --gid arena --home /app arena \
  && mkdir -p /app/data && chown -R arena:arena /app/data
USER arena
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.DASHBOARD_PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# A young generation of at most 2 x 8 MB (V8's default on this size of machine is 2 x 16 MB, which the
# start-up alone fills and then keeps): ~15-25 MB less idle RSS (docs/benchmarks.md, "Footprint").
# bench/footprint.ts starts `arena start` with the flags of this line.
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=1024", "bin/arena.js", "start"]
