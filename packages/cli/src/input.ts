import type { z } from 'zod';
import { InputError } from './errors.js';
import type { Io } from './io.js';

/** Renders a zod path as `charges[2].tiers[1].upTo`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** One line per issue: `plan.charges[2].tiers[1].upTo: must be greater than the previous bound`. */
export function formatIssues(root: string, error: z.ZodError): string {
  return error.issues.map((i) => `${formatPath(root, i.path)}: ${i.message}`).join('\n');
}

export async function readInputFile(io: Io, path: string, what: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(cause);
    throw new InputError(`${what} ${path}: ${why}`, { cause });
  }
}

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** JSON.parse with an error that names the file, line and column. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const pos = /position (\d+)/.exec(message);
    const at = pos?.[1] === undefined ? undefined : lineCol(text, Number(pos[1]));
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    throw new InputError(`${where}${at ? `:${at.line}:${at.col}` : ''}: invalid JSON: ${reason}`, { cause });
  }
}

/** Parses with a schema, or fails with every issue's path and reason. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(formatIssues(root, result.error));
  return result.data;
}
