# One image for every engine node (and `tickr jobs` / `tickr migrate`).
# The node runs compiled: `npm run build` turns its TypeScript into dist/ (tsc)
# and builds the storefront (vite); nothing is compiled at start.
FROM node:20-bookworm-slim

WORKDIR /app

# The manifests alone first, so a code change does not reinstall packages.
# npm ci installs dev dependencies too: tsc and vite build the image.
COPY package.json package-lock.json ./
COPY engine/package.json engine/
COPY edge/package.json edge/
COPY node/package.json node/
COPY bench/package.json bench/
COPY storefront/package.json storefront/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# dist/ (the node, tsc) and the storefront's production build, served by a node started with TICKR_WEB_PORT.
RUN npm run build

# Only now: set before npm ci, it would leave out the build tools (dev dependencies).
ENV NODE_ENV=production

USER node
EXPOSE 3000 4000 5173
CMD ["node", "--enable-source-maps", "dist/node/src/cli.js", "start"]
