/**
 * The entry of a handler worker thread (see `HandlerPool`): builds every function once, with a
 * SharedClock of the main thread's test clock, then runs the invocations the main thread posts, each
 * concurrently with the others as Lambda instances would on one machine, and posts back each result, each
 * error (by name and message, so Step Functions Retry rules still match) and each WARN/ERROR log.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedClock } from '@tally/local-stack';
import { buildHandlers } from './handlers.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';
import { serializeError } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('handler-worker.ts runs as a worker thread (new Worker), not as a program');
const data = workerData as WorkerData;
const post = (message: FromWorker) => port.postMessage(message);

try {
  const invoke = await buildHandlers({
    clock: new SharedClock(data.clock),
    onLog: (log) => post({ type: 'log', log }),
  });
  port.on('message', (message: ToWorker) => {
    invoke(message.name, message.event).then(
      (value) => {
        try {
          post({ type: 'result', id: message.id, value });
        } catch (err) {
          // An answer that is not plain data (no handler returns one; Lambda would answer it as JSON)
          post({ type: 'error', id: message.id, error: serializeError(err) });
        }
      },
      (err: unknown) => post({ type: 'error', id: message.id, error: serializeError(err) }),
    );
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'init-error', error: serializeError(err) });
}
