import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from './commands/schema.js';
import type { Io } from './io.js';
import { main } from './main.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the real program in-process; files under "mem:" come from `files`, others from disk. */
async function run(argv: string[], files: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readFile: async (path) => {
      if (path.startsWith('mem:')) {
        const text = files[path.slice(4)];
        if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return text;
      }
      return readFile(new URL(path, `file://${ROOT}`), 'utf8');
    },
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const plan = (charges: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'p',
    version: 1,
    name: 'P',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    charges,
    ...extra,
  });
const perUnit = [{ type: 'per-unit', id: 'api', meterId: 'calls', unitPrice: '0.001' }];

describe('tally quote', () => {
  it.each([
    ['events/plans/telecom-mobile.json', 'events/usage/telecom-january.json', 'Europe/Berlin', '56.75'],
    [
      'events/plans/electricity-tou.json',
      'events/usage/electricity-january.json',
      'America/Los_Angeles',
      '166.78',
    ],
    ['events/plans/iot-fleet.json', 'events/usage/iot-january.json', 'UTC', '55.69'],
    ['events/plans/iot-fleet.json', 'events/quotes/iot-january.ndjson', 'UTC', '55.69'],
    // 49 + (3 + 8 + 745) devices + 2,500 packages × 0.25 + 1,199 MB × 0.0225 (26.9775) + 250 × 0.08 + 1
    ['events/plans/iot-fleet.json', 'events/quotes/iot-quantities.json', 'UTC', '1477.98'],
  ])('rates %s with %s to the hand-checked total', async (planFile, usageFile, zone, total) => {
    const args = [
      'quote',
      '--plan',
      planFile,
      '--usage',
      usageFile,
      '--time-zone',
      zone,
      '--period',
      '2026-01',
    ];
    const table = await run(args);
    expect(table.err).toBe('');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(new RegExp(`^total\\s+${total.replace('.', '\\.')}$`, 'm'));
    const json = await run([...args, '--json']);
    expect(JSON.parse(json.out).totals.total).toBe(total);
  });

  it('prints lines with the plan version and period as JSON', async () => {
    const r = await run(
      ['quote', '--plan', 'mem:plan', '--usage', 'mem:usage', '--json', '--period', '2026-03'],
      {
        plan: plan(perUnit),
        usage: '{ "quantities": { "calls": "1500" } }',
      },
    );
    const q = JSON.parse(r.out);
    expect(q.period).toEqual({ start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' });
    expect(q.lines).toEqual([
      expect.objectContaining({ key: 'api', quantity: '1500', amount: '1.5', planVersion: 1 }),
    ]);
  });

  it.each([
    ['a missing plan file', { usage: '{"quantities":{}}' }, /plan file mem:plan: file not found/],
    [
      'invalid plan JSON, with line and column',
      { plan: '{\n  "id": "p",\n  oops\n}', usage: '[]' },
      /mem:plan:3:3: invalid JSON/,
    ],
    [
      'a tier bound that does not increase',
      {
        plan: plan([
          {
            type: 'graduated',
            id: 'g',
            meterId: 'calls',
            tiers: [{ upTo: '10' }, { upTo: '10' }, { upTo: null }],
          },
        ]),
        usage: '{"quantities":{}}',
      },
      /plan\.charges\[0\]\.tiers\[1\]\.upTo: must be greater than the previous bound \(10\), got 10/,
    ],
    [
      'an amount given as a JSON number',
      { plan: plan([{ type: 'flat', id: 'f', amount: 10 }]), usage: '{"quantities":{}}' },
      /plan\.charges\[0\]\.amount: Invalid input: expected string, received number/,
    ],
    [
      'a quantity for an unknown meter',
      { plan: plan(perUnit), usage: '{"quantities":{"cals":"1"}}' },
      /usage\.quantities\.cals: plan p has no meter "cals" \(its meters: calls\)/,
    ],
    [
      'a quantity that is not a decimal string',
      { plan: plan(perUnit), usage: '{"quantities":{"calls":"1,5"}}' },
      /usage\.quantities\.calls: must be a plain decimal string/,
    ],
    [
      'an event with a bad time',
      {
        plan: plan(perUnit, { meters: [{ id: 'calls', eventType: 'api.call', aggregation: 'count' }] }),
        usage: JSON.stringify([
          {
            specversion: '1.0',
            id: '1',
            source: 's',
            type: 'api.call',
            subject: 'c',
            time: 'yesterday',
            data: {},
          },
        ]),
      },
      /usage\[0\]\.time: /,
    ],
    [
      'an event type no meter reads',
      {
        plan: plan(perUnit, { meters: [{ id: 'calls', eventType: 'api.call', aggregation: 'count' }] }),
        usage: JSON.stringify([
          {
            specversion: '1.0',
            id: '1',
            source: 's',
            type: 'api.cal',
            subject: 'c',
            time: '2026-01-01T00:00:00Z',
            data: {},
          },
        ]),
      },
      /usage\[0\]\.type: no meter of plan p reads events of type "api.cal"/,
    ],
    [
      'an event without the metered value (NDJSON)',
      {
        plan: plan(perUnit, {
          meters: [{ id: 'calls', eventType: 'api.call', aggregation: 'sum', valuePath: 'n' }],
        }),
        usage: `${JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 'api.call', subject: 'c', time: '2026-01-01T00:00:00Z', data: { n: 1 } })}\n${JSON.stringify({ specversion: '1.0', id: '2', source: 's', type: 'api.call', subject: 'c', time: '2026-01-01T00:00:00Z', data: {} })}\n`,
      },
      /usage line 2: event s#2: data\.n is missing \(meter calls\)/,
    ],
    [
      'raw events for a plan without meters',
      { plan: plan(perUnit), usage: '[]' },
      /plan p has no "meters": raw events need the meter definitions/,
    ],
    [
      'a call to a destination without a rate',
      {
        plan: plan(
          [
            {
              type: 'call',
              id: 'v',
              meterId: 'calls',
              destinations: [{ prefix: '49', name: 'DE', perMinute: '0.1' }],
            },
          ],
          {
            meters: [
              {
                id: 'calls',
                eventType: 'call',
                aggregation: 'sum',
                valuePath: 's',
                dimensions: { destination: 'to' },
              },
            ],
          },
        ),
        usage: JSON.stringify([
          {
            specversion: '1.0',
            id: '1',
            source: 's',
            type: 'call',
            subject: 'c',
            time: '2026-01-05T00:00:00Z',
            data: { s: 60, to: '33123' },
          },
        ]),
      },
      /call s#1 to "33123" matches no destination prefix/,
    ],
  ])('exits 2 for %s, saying which field and why', async (_title, files, message) => {
    const r = await run(
      ['quote', '--plan', 'mem:plan', '--usage', 'mem:usage'],
      files as Record<string, string>,
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('exits 2 for a bad time zone or period option', async () => {
    const files = { plan: plan(perUnit), usage: '{"quantities":{"calls":"1"}}' };
    const tz = await run(
      ['quote', '--plan', 'mem:plan', '--usage', 'mem:usage', '--time-zone', 'Mars/Base'],
      files,
    );
    expect([tz.code, tz.err]).toEqual([2, expect.stringMatching(/time zone "Mars\/Base" is unknown/)]);
    const month = await run(
      ['quote', '--plan', 'mem:plan', '--usage', 'mem:usage', '--period', '2026-13'],
      files,
    );
    expect([month.code, month.err]).toEqual([2, expect.stringMatching(/--period: "2026-13" is not a month/)]);
  });

  it('exits 2 with usage help for a missing option or unknown command', async () => {
    expect((await run(['quote', '--plan', 'x'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    const help = await run(['--help']);
    expect([help.code, help.out]).toEqual([0, expect.stringContaining('quote')]);
  });
});

describe('tally schema', () => {
  it.each(Object.keys(SCHEMAS))(
    'prints the %s JSON Schema, and events/schemas holds the current one',
    async (name) => {
      const r = await run(['schema', name]);
      expect(r.code).toBe(0);
      const committed = await readFile(
        new URL(`events/schemas/${name}.schema.json`, `file://${ROOT}`),
        'utf8',
      );
      expect(
        r.out,
        `regenerate with: npm run -s tally -- schema ${name} > events/schemas/${name}.schema.json`,
      ).toBe(committed);
    },
  );
});

describe('bin/tally.js', () => {
  it('runs the real command in a child process with its exit codes', () => {
    const ok = spawnSync(
      'node',
      [
        'bin/tally.js',
        'quote',
        '--plan',
        'events/plans/iot-fleet.json',
        '--usage',
        'events/quotes/iot-quantities.json',
        '--period',
        '2026-01',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^total\s+1477\.98$/m);
    const bad = spawnSync('node', ['bin/tally.js', 'quote', '--plan', 'nope.json', '--usage', 'nope.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('plan file nope.json: file not found');
  }, 30_000);
});
