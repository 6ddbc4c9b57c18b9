import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnTemplate } from '@tally/local-stack';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** What the template is made from: the CDK app, the code it reads (resources, policies) and the versions. */
const INPUTS = ['infra', 'packages', 'cdk.json', 'package-lock.json'];
const CACHE = join(ROOT, 'node_modules', '.cache', 'tally');

/**
 * The stateless stack's CloudFormation template, synthesized in-process with bundling skipped: the local
 * runtime takes the dunning state machine's ASL from it, so what runs here is what deploys.
 *
 * A synth takes 5 to 15 s on a small machine, and every local pipeline (npm start, the soak, several tests)
 * needs one, so the template is kept in `node_modules/.cache/tally/` under a hash of everything it is made
 * from (infra/, the packages' sources, cdk.json, the lock file): any change there synthesizes afresh.
 */
export async function statelessTemplate(): Promise<CfnTemplate> {
  const file = join(CACHE, `stateless-${inputsHash()}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  } catch {
    // not cached yet (or unreadable): synthesize below
  }
  const template = await synthesize();
  mkdirSync(CACHE, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(template));
  renameSync(partial, file);
  return template;
}

async function synthesize(): Promise<CfnTemplate> {
  const [{ App }, { Template }, { buildApp }] = await Promise.all([
    import('aws-cdk-lib'),
    import('aws-cdk-lib/assertions'),
    import('../../../infra/build-app.js'),
  ]);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stateless } = buildApp(app);
  return Template.fromStack(stateless).toJSON() as CfnTemplate;
}

/** A hash of the template's inputs: file paths, sizes and contents (TypeScript and JSON only). */
function inputsHash(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name === 'node_modules' || name.startsWith('.') || name === 'cdk.out') continue;
        visit(join(path, name));
      }
    } else if (/\.(ts|json)$/.test(path) && !/\.test\.ts$/.test(path)) {
      hash.update(path.slice(ROOT.length)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const input of INPUTS) visit(join(ROOT, input));
  return hash.digest('hex').slice(0, 24);
}
