import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../packages/local-stack/src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: { env: Record<string, string>; endpoints: { dynamodb: string; sqs: string; ses: string } };
  }
}

/**
 * One local stack (in memory) for the whole integration run. Its environment (endpoints, dummy
 * credentials, resource names) is put in process.env before the test workers start, so every SDK client
 * a test or handler builds talks to the emulators. Tests isolate themselves with their own prefixes.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startLocalStack({ prefix: 'tally-' });
  project.provide('localStack', { env: { ...stack.env }, endpoints: stack.endpoints });
  return () => stack.stop();
}
