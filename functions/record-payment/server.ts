import { type LocalHttpApi, startHttpApi } from '@tally/local-stack';
import type { RecordPaymentDeps } from './handler.js';

export type WebhookServer = LocalHttpApi;

/**
 * The payment webhook for the local stack: `POST /v1/payments/webhook` on 127.0.0.1, calling the
 * record-payment handler with the raw body as received (the signature covers those bytes).
 *
 * @example
 * const hook = await startWebhookServer({ deps });
 * await fetch(`${hook.url}/v1/payments/webhook`, { method: 'POST', headers: { 'tally-signature': sig }, body });
 */
export async function startWebhookServer(
  options: { port?: number; deps?: RecordPaymentDeps } = {},
): Promise<WebhookServer> {
  const mod = await import('./handler.js');
  const handler = options.deps ? mod.makeHandler(options.deps) : mod.handler;
  return startHttpApi({
    route: 'POST /v1/payments/webhook',
    handler: handler as never,
    functionName: 'record-payment',
    maxBodyBytes: 262_144,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}
