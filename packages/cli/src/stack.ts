import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { readLocalEnv } from '@tally/local-stack';
import { billingTable } from '@tally/resources';
import {
  STATEFUL_OUTPUTS,
  STATELESS_OUTPUTS,
  type StackOutputDefinition,
  stackNames,
} from '../../../infra/stack-outputs.js';
import { InputError } from './errors.js';

/**
 * Which AWS account, region and deployment the CLI talks to: the global `--profile`, `--region` and
 * `--stack <prefix>` options. Without `--stack` every command reads its resource names from the environment
 * (the local stack by default: `npm run stack` prints the variables).
 */
export interface StackTarget {
  readonly profile?: string;
  readonly region?: string;
  readonly stack?: string;
}

/** The CloudFormation client surface used here (tests inject a fake). */
export type CloudFormationSender = Pick<CloudFormationClient, 'send'>;

/** Builds the CloudFormation client for a target; the default reads the profile's credentials and region. */
export type CloudFormationFactory = (target: Pick<StackTarget, 'profile' | 'region'>) => CloudFormationSender;

export const defaultCloudFormation: CloudFormationFactory = ({ profile, region }) =>
  new CloudFormationClient({ ...(profile ? { profile } : {}), ...(region ? { region } : {}) });

/** Same rule as infra/config.ts `stackPrefix`. */
const PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,30}$/;

/** The outputs of a stack by key, or null when the stack does not exist. */
export async function describeOutputs(
  cfn: CloudFormationSender,
  stackName: string,
): Promise<{ status: string; outputs: Record<string, string> } | null> {
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = res.Stacks?.[0];
    if (!stack) return null;
    const outputs: Record<string, string> = {};
    for (const o of stack.Outputs ?? []) {
      if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
    }
    return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) return null;
    throw new Error(`reading the outputs of stack ${stackName}: ${e.message ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Maps one stack's outputs to the environment variables they name; fails naming every missing output. */
export function envFromOutputs(
  stackName: string,
  status: string,
  outputs: Readonly<Record<string, string>>,
  contract: readonly StackOutputDefinition[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const def of contract) {
    if (def.envVar === undefined) continue;
    const value = outputs[def.key];
    if (value === undefined || value === '') missing.push(def.key);
    else env[def.envVar] = value;
  }
  if (missing.length > 0) {
    throw new InputError(
      `stack ${stackName} (${status}) has no output ${missing.join(', ')}: deploy it with this version of tally (npx cdk deploy --all)`,
    );
  }
  return env;
}

/**
 * The environment for a deployed stack: the table names, queue URLs and the rest the commands read, from the
 * outputs of `<prefix>Stateful` and `<prefix>Stateless` (infra/stack-outputs.ts is the contract).
 *
 * @example await stackEnvironment(new CloudFormationClient({ region: 'eu-west-1' }), 'Tally', 'eu-west-1')
 * // { TALLY_BILLING_TABLE: 'TallyStateful-BillingTable…', TALLY_USAGE_QUEUE_URL: 'https://sqs…', … }
 */
export async function stackEnvironment(
  cfn: CloudFormationSender,
  prefix: string,
  where = 'the default region',
): Promise<Record<string, string>> {
  if (!PREFIX.test(prefix)) {
    throw new InputError(
      `--stack ${prefix}: a stack prefix is letters, digits and hyphens, starting with a letter`,
    );
  }
  const names = stackNames(prefix);
  const parts = [
    [names.stateful, STATEFUL_OUTPUTS],
    [names.stateless, STATELESS_OUTPUTS],
  ] as const;
  const described = await Promise.all(parts.map(([name]) => describeOutputs(cfn, name)));
  const env: Record<string, string> = {};
  for (const [i, [name, contract]] of parts.entries()) {
    const found = described[i];
    if (!found) {
      throw new InputError(
        `stack ${name} not found in ${where}: deploy it (npx cdk deploy --all) or check --stack, --region and --profile`,
      );
    }
    Object.assign(env, envFromOutputs(name, found.status, found.outputs, contract));
  }
  return env;
}

/** Dummy credentials the local stack exports (packages/local-stack): never sent to AWS. */
const LOCAL_CREDENTIAL = 'local';

/**
 * Applies the global options to `env` (process.env in the CLI): `--profile` and `--region` select the
 * account and region like the AWS CLI's options (a profile wins over credentials in the environment), and
 * `--stack` replaces the resource names with the deployed stack's and drops the local stack's endpoints and
 * dummy credentials, so no variable left in the shell sends a command to the emulators. Without `--stack`,
 * an environment that names no stack takes the variables of the local stack that is up from
 * `localEnvFile` (see LOCAL_ENV_FILE), when given: `tally` then works on `npm start`'s stack as it is.
 */
export async function applyTarget(
  target: StackTarget,
  env: NodeJS.ProcessEnv,
  cloudFormation: CloudFormationFactory = defaultCloudFormation,
  localEnvFile?: string,
): Promise<void> {
  if (target.profile !== undefined) {
    if (target.profile === '') throw new InputError('--profile needs a profile name');
    env.AWS_PROFILE = target.profile;
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[k];
  }
  if (target.region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(target.region)) {
      throw new InputError(`--region ${target.region}: expected an AWS region such as eu-west-1`);
    }
    env.AWS_REGION = target.region;
  }
  if (target.stack === undefined) {
    // No stack named anywhere (every stack, local or deployed, names its billing table): the local stack
    // that is up, if one left its variables in `localEnvFile`.
    if (localEnvFile !== undefined && env[billingTable.envVar] === undefined) {
      for (const [k, v] of Object.entries(readLocalEnv(localEnvFile) ?? {})) env[k] ??= v;
    }
    return;
  }
  // Before the first AWS call, DescribeStacks included.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_ENDPOINT_URL')) delete env[k];
  if (env.AWS_ACCESS_KEY_ID === LOCAL_CREDENTIAL) {
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
  }
  const cfn = cloudFormation({
    ...(target.profile !== undefined ? { profile: target.profile } : {}),
    ...(target.region !== undefined ? { region: target.region } : {}),
  });
  const where = target.region ?? env.AWS_REGION ?? "the profile's region";
  Object.assign(env, await stackEnvironment(cfn, target.stack, where));
}
