/**
 * `npm run stack`: starts the local stack and keeps it up until Ctrl-C, printing the endpoints and the
 * environment to point the AWS CLI, SDK scripts or `tally` at it.
 *   --data <dir>   persist DynamoDB in <dir> (default .tally/stack; --memory for none)
 *   --once         stop again right after start-up (a smoke check)
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_ENV_FILE, removeLocalEnv, writeLocalEnv } from './env-file.js';
import { startLocalStack } from './stack.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '.tally/stack' },
    memory: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
  },
});
const stack = await startLocalStack({ ...(values.memory ? {} : { dataDir: values.data }), applyEnv: false });
console.log('tally local stack is up (127.0.0.1 only):');
console.log(`  DynamoDB ${stack.endpoints.dynamodb}`);
console.log(`  SQS      ${stack.endpoints.sqs}`);
console.log(`  SES      ${stack.endpoints.ses}  (open it in a browser to read the mails)`);
console.log('\nEnvironment:');
for (const [k, v] of Object.entries(stack.env)) console.log(`  export ${k}=${v}`);
if (values.once) {
  await stack.stop();
  console.log('\nstopped (--once).');
  process.exit(0);
}
// The tally CLI started in this folder finds the stack through this file (removed again at Ctrl-C).
mkdirSync(dirname(LOCAL_ENV_FILE), { recursive: true });
writeLocalEnv(LOCAL_ENV_FILE, stack.env);
console.log(`\nThe tally CLI run from this folder uses this stack (${LOCAL_ENV_FILE}). Ctrl-C to stop.`);
const shutdown = async () => {
  removeLocalEnv(LOCAL_ENV_FILE);
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
