import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What `npm start` keeps beside DynamoDB's files when a run ends, so that the next `npm start` (without
 * `--fresh`) reopens the same state instead of generating it again: DynamoDB's tables are already in the
 * data folder (LevelDB); SES, Step Functions and the test clock live in memory, so the mails, the dunning
 * executions still running and the clock's time are saved here, with the run's summary.
 *
 * Written only when a run has finished (and again when a kept-up stack is stopped), after the mails, so a
 * folder without it holds a run that did not finish.
 */
export const SAVED_RUN_FILE = 'tally-run.json';
export const SAVED_MAILS_FILE = 'tally-mails.json';
const VERSION = 1;

export const SavedRunSchema = z.object({
  version: z.literal(VERSION),
  customers: z.number().int().positive(),
  seed: z.number().int(),
  /** Wall time the run finished (ISO 8601). */
  finishedAt: z.iso.datetime(),
  /** Wall time this file was written (the end of the run, or a later stop of the kept-up stack). */
  savedAt: z.iso.datetime(),
  /** The test clock at the save: a reopened stack starts there. */
  clock: z.iso.datetime(),
  /** The run's summary as it printed it (a DemoSummary). */
  summary: z.record(z.string(), z.unknown()),
  /** Dunning executions that were waiting on the clock: started again, same name and input, on reopen. */
  dunning: z.array(z.object({ name: z.string().min(1), input: z.string() })),
  /** How many mails SAVED_MAILS_FILE holds (checked when they are read back). */
  mails: z.number().int().nonnegative(),
});
export type SavedRun = z.infer<typeof SavedRunSchema>;

/** What the data folder holds: nothing, a run that did not finish, a finished run, or one this code can't read. */
export type DataFolder =
  | { readonly state: 'empty' }
  | { readonly state: 'unfinished' }
  | { readonly state: 'unreadable'; readonly why: string }
  | { readonly state: 'finished'; readonly run: SavedRun };

export function readDataFolder(dataDir: string): DataFolder {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return { state: 'empty' };
  const file = join(dataDir, SAVED_RUN_FILE);
  if (!existsSync(file)) return { state: 'unfinished' };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { state: 'unreadable', why: `${file} is not JSON (${(err as Error).message})` };
  }
  const parsed = SavedRunSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      state: 'unreadable',
      why: `${file} was written by another version of the demo (${issue?.path.join('.') || 'file'}: ${issue?.message})`,
    };
  }
  return { state: 'finished', run: parsed.data };
}

export type StartPlan =
  | { readonly action: 'run'; readonly why?: string }
  | { readonly action: 'reopen'; readonly run: SavedRun };

/**
 * Whether `npm start` reopens the data folder or runs the demo from the start (wiping the folder), and why
 * when it does not do what a user who ran it before would expect. A folder is reopened only when it holds
 * a finished run of the same customers and seed; `--fresh` always starts over.
 */
export function planStart(
  folder: DataFolder,
  request: {
    readonly fresh: boolean;
    readonly customers: number;
    readonly seed: number;
    readonly dataDir: string;
  },
): StartPlan {
  if (request.fresh) return { action: 'run' };
  switch (folder.state) {
    case 'empty':
      return { action: 'run' };
    case 'unfinished':
      return { action: 'run', why: `${request.dataDir} holds a run that did not finish: starting over` };
    case 'unreadable':
      return { action: 'run', why: `${folder.why}: starting over` };
    case 'finished': {
      const { customers, seed } = folder.run;
      if (customers === request.customers && seed === request.seed)
        return { action: 'reopen', run: folder.run };
      return {
        action: 'run',
        why:
          `${request.dataDir} holds a run of ${customers} customers with seed ${seed}, and this one asks for ` +
          `${request.customers} with seed ${request.seed}: starting over (--data <folder> keeps runs apart)`,
      };
    }
  }
}

/** Writes the mails, then the run file (each through a temporary file renamed into place). */
export function saveRun(
  dataDir: string,
  run: Omit<SavedRun, 'version' | 'mails'>,
  mails: readonly unknown[],
): void {
  writeAtomically(join(dataDir, SAVED_MAILS_FILE), JSON.stringify(mails));
  const saved: SavedRun = { version: VERSION, ...run, mails: mails.length };
  writeAtomically(join(dataDir, SAVED_RUN_FILE), `${JSON.stringify(saved, null, 2)}\n`);
}

/** The saved mails of a finished run; an error names the file when they are missing or fewer than saved. */
export function readSavedMails(dataDir: string, run: SavedRun): Record<string, unknown>[] {
  const file = join(dataDir, SAVED_MAILS_FILE);
  const mails = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(mails) || mails.length !== run.mails) {
    throw new Error(
      `${file}: expected ${run.mails} saved mails, found ${Array.isArray(mails) ? mails.length : 'no list'}`,
    );
  }
  return mails as Record<string, unknown>[];
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
