// A handler worker's entry: plain JavaScript, so Node starts it as it is under tsx, vitest or node alike;
// it registers tsx's loader in the worker thread, which then loads the TypeScript worker and what it imports.
import { register } from 'tsx/esm/api';

register();
await import('./handler-worker.ts');
