import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a local stack that stays up (`npm start` without --once, `npm run stack`) leaves its environment,
 * relative to the folder it was started in: the `tally` CLI run there reads it when its own environment
 * names no stack, and a shell can `source` it. One file: the stack started last owns it.
 */
export const LOCAL_ENV_FILE = join('.tally', 'env');

/** The variable that names the process serving the stack: a file whose process is gone is not used. */
const PID_VAR = 'TALLY_LOCAL_STACK_PID';

const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/** Writes `env` as `export K='v'` lines, with this process's id, through a temporary file. */
export function writeLocalEnv(file: string, env: Readonly<Record<string, string>>, pid = process.pid): void {
  const text = Object.entries({ ...env, [PID_VAR]: String(pid) })
    .map(([k, v]) => `export ${k}=${quote(v)}\n`)
    .join('');
  writeFileSync(`${file}.${pid}.tmp`, text);
  renameSync(`${file}.${pid}.tmp`, file);
}

/** Removes the file if this process wrote it (a stack started later has written its own since). */
export function removeLocalEnv(file: string, pid = process.pid): void {
  if (readEnvFile(file)?.[PID_VAR] === String(pid)) rmSync(file, { force: true });
}

/**
 * The environment of the local stack that is up, from `file`: undefined when there is no file, it is not
 * one this module wrote, or the process that wrote it has ended (a stack stopped by a crash or a kill).
 */
export function readLocalEnv(file: string): Record<string, string> | undefined {
  const env = readEnvFile(file);
  const pid = Number(env?.[PID_VAR]);
  if (!env || !Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const { [PID_VAR]: _pid, ...rest } = env;
  return rest;
}

function readEnvFile(file: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'\\'')*)'$/.exec(line);
    if (!m) return undefined;
    env[m[1]!] = m[2]!.replaceAll(`'\\''`, "'");
  }
  return env;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
