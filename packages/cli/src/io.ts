import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CloudFormationFactory } from './stack.js';

/** Where commands write and read: injected so tests run the real program in-process. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFile(resolve(path), 'utf8'),
};

/** What every command's `register` receives. */
export interface CommandContext {
  readonly io: Io;
  /**
   * The environment the global options (`--profile`, `--region`, `--stack`) write the target into before a
   * command runs. Default process.env, where the commands' AWS clients and resource names are read.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The CloudFormation client `--stack` reads outputs with. Default: the SDK's, for the profile and region. */
  readonly cloudFormation?: CloudFormationFactory;
  /**
   * Where a local stack that is up leaves its variables (LOCAL_ENV_FILE under the working folder, when the
   * CLI runs as a program): read when neither `--stack` nor the environment names a stack. None: not read.
   */
  readonly localEnvFile?: string;
}
