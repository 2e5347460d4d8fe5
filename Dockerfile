# One image for every engine node (and `tickr jobs` / `tickr migrate`).
# TypeScript runs as it is, through tsx: no build step to fall out of date.
FROM node:20-bookworm-slim

WORKDIR /app

# The manifests alone first, so a code change does not reinstall packages.
# npm ci installs dev dependencies too: tsx runs the node.
COPY package.json package-lock.json ./
COPY engine/package.json engine/
COPY edge/package.json edge/
COPY bench/package.json bench/
COPY storefront/package.json storefront/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# The storefront's production build, served by a node started with TICKR_WEB_PORT.
RUN npm run build:storefront

# Only now: set before npm ci, it would leave out tsx (a dev dependency).
ENV NODE_ENV=production

USER node
EXPOSE 3000 4000 5173
CMD ["node", "--import", "tsx", "edge/src/cli.ts", "start"]
