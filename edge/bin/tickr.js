#!/usr/bin/env node
// `tickr` on the PATH (npm workspaces link it): runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
