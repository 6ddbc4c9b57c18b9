import { meterJsonSchema, usageEventJsonSchema } from '@tally/metering';
import { planJsonSchema } from '@tally/rating';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';

/** The JSON Schemas tally publishes, by name. events/schemas/<name>.schema.json holds each one. */
export const SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = {
  'usage-event': usageEventJsonSchema,
  meter: meterJsonSchema,
  plan: planJsonSchema,
};

/** `tally schema <name>`: prints a JSON Schema for producers and plan authors. */
export function register(program: Command, { io }: CommandContext): void {
  program
    .command('schema')
    .description(`print a JSON Schema (${Object.keys(SCHEMAS).join(', ')})`)
    .argument('<name>', 'which schema')
    .action((name: string) => {
      const schema = SCHEMAS[name];
      if (schema === undefined) {
        throw new InputError(`schema "${name}" is unknown: choose one of ${Object.keys(SCHEMAS).join(', ')}`);
      }
      io.out(`${JSON.stringify(schema(), null, 2)}\n`);
    });
}
