#!/usr/bin/env node
// The tally CLI: runs the TypeScript sources through tsx (there is no build step).
import { register } from 'tsx/esm/api';

register();
const { runAsProgram } = await import('../packages/cli/src/main.ts');
process.exitCode = await runAsProgram();
