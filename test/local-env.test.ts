import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLocalEnv, removeLocalEnv, writeLocalEnv } from '@tally/local-stack';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../packages/cli/src/main.js';

// A local stack that stays up leaves its variables in .tally/env; the tally CLI started in that folder
// reads them when nothing else names a stack.
const file = () => join(mkdtempSync(join(tmpdir(), 'tally-local-env-')), 'env');

/** A process id that was in use a moment ago and is not now. */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('the local stack environment file', () => {
  it('reads back what was written, quotes included, without the process id', () => {
    const f = file();
    writeLocalEnv(f, { TALLY_BILLING_TABLE: 'tally-Billing', ODD: "it's 'quoted'" });
    expect(readLocalEnv(f)).toEqual({ TALLY_BILLING_TABLE: 'tally-Billing', ODD: "it's 'quoted'" });
    // And a shell reads it the same way.
    const shell = spawnSync('sh', ['-c', `. ${f} && printf %s "$ODD"`], { encoding: 'utf8' });
    expect(shell.stdout).toBe("it's 'quoted'");
  });

  it('is ignored once the process that wrote it has ended, or when it is not in its format', () => {
    const f = file();
    writeLocalEnv(f, { TALLY_BILLING_TABLE: 'x' }, endedPid());
    expect(readLocalEnv(f)).toBeUndefined();
    writeFileSync(f, `export TALLY_BILLING_TABLE=x\nexport TALLY_LOCAL_STACK_PID='${process.pid}'\n`);
    expect(readLocalEnv(f)).toBeUndefined();
    expect(readLocalEnv(join(f, 'missing'))).toBeUndefined();
  });

  it('is removed only by the process that wrote it (a stack started later owns it then)', () => {
    const f = file();
    writeLocalEnv(f, { TALLY_BILLING_TABLE: 'x' }, process.pid);
    removeLocalEnv(f, process.pid + 1);
    expect(existsSync(f)).toBe(true);
    removeLocalEnv(f, process.pid);
    expect(existsSync(f)).toBe(false);
  });
});

describe('tally with no stack in its environment', () => {
  /** Runs the CLI with the stack's variables out of process.env, as in a new shell. */
  async function bare(argv: string[], localEnvFile: string) {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) {
      if (k.startsWith('TALLY_') || k.startsWith('AWS_ENDPOINT_URL')) delete process.env[k];
    }
    let out = '';
    let err = '';
    try {
      const code = await main(
        argv,
        { out: (t) => (out += t), err: (t) => (err += t), readFile: async () => '' },
        { localEnvFile },
      );
      return { code, out, err };
    } finally {
      process.env = saved;
    }
  }

  it('works on the local stack that left its variables in the file', async () => {
    const f = file();
    writeLocalEnv(f, inject('localStack').env);
    const run = await bare(['clock', 'show'], f);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^(\d{4}-\d\d-\d\dT[\d:.]+Z|no test clock stored.*)\n$/);
  });

  it('says which endpoint does not answer, in a line, when the variables name a stack that has stopped', async () => {
    const stopped = { ...inject('localStack').env, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' };
    const f = file();
    writeLocalEnv(f, stopped);
    const run = await bare(['invoices', 'list', '--customer', 'cust-1'], f);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^error: connect ECONNREFUSED 127\.0\.0\.1:1: the stack's endpoint does not answer/,
    );
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it('says how to name a stack, with exit code 2, when no stack is up', async () => {
    const f = file();
    writeLocalEnv(f, inject('localStack').env, endedPid());
    const run = await bare(['invoices', 'list', '--customer', 'cust-1'], f);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/TALLY_BILLING_TABLE is not set/);
    expect(run.err).toMatch(/No stack is named: start the local stack in this folder \(npm start/);
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});
