import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MissingConfigurationError } from '@tally/store';
import { WORKFLOW_ENV } from './env.js';

/**
 * The webhook signing secrets (comma-separated, several while rotating). Locally from TALLY_WEBHOOK_SECRET;
 * in AWS from the Secrets Manager secret named by TALLY_WEBHOOK_SECRET_ARN, cached for `ttlMs` so a rotation
 * reaches warm Lambdas within minutes without a call per request.
 */
export function webhookSecretsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  opts: { ttlMs?: number; client?: SecretsManagerClient } = {},
): () => Promise<string[]> {
  const split = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const inline = env[WORKFLOW_ENV.webhookSecret];
  if (inline) return async () => split(inline);
  const arn = env[WORKFLOW_ENV.webhookSecretArn];
  if (!arn) {
    return async () => {
      throw new MissingConfigurationError(
        WORKFLOW_ENV.webhookSecretArn,
        'the Secrets Manager secret with the webhook signing secret',
      );
    };
  }
  const client = opts.client ?? new SecretsManagerClient({});
  const ttl = opts.ttlMs ?? 300_000;
  let cached: { at: number; value: string[] } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < ttl) return cached.value;
    const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    cached = { at: Date.now(), value: split(res.SecretString ?? '') };
    return cached.value;
  };
}
