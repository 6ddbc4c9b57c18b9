import { readFile } from 'node:fs/promises';
import { main } from '../../packages/cli/src/main.js';

export interface TallyRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the real `tally` entry (main, with its environment wiring) in this process: `env` is laid over
 * process.env for the run and taken away after, what the CLI prints is captured, files are read from disk.
 */
export async function runTally(env: Readonly<Record<string, string>>, ...argv: string[]): Promise<TallyRun> {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(argv, {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      readFile: (p) => readFile(p, 'utf8'),
    });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}
