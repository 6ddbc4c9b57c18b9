// npm 11.19 on these machines writes package-lock.json with the optional platform packages of the host
// only (npm/cli#4828, #8805), and then its own `npm ci` rejects that lock as out of sync ("Missing: ...").
// This adds the missing platform entries from the registry's metadata, like `npm install` on each platform
// would. Run it after any `npm install` that changed the lock: `node .ci/fix-lock.mjs`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const run = (args, { withStderr = false } = {}) => {
  try {
    return execFileSync('npm', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', withStderr ? 'pipe' : 'ignore'],
    });
  } catch (err) {
    return `${err.stdout ?? ''}${withStderr ? (err.stderr ?? '') : ''}`;
  }
};

function inferPlatform(name) {
  const part = (re) => name.match(re)?.[1];
  const os = part(/-(android|darwin|linux|win32|freebsd|openbsd|netbsd|sunos|aix|openharmony)(?:-|$)/);
  const cpu = part(/-(arm64|x64|arm|ia32|ppc64|riscv64|s390x|loong64|mips64el|wasm32)(?:-|$)/);
  const libc = part(/-(musl|gnu|gnueabihf|musleabihf|msvc)$/);
  if (!os || !cpu) throw new Error(`cannot tell the platform of ${name}: add its lock entry by hand`);
  return {
    os: [os],
    cpu: [cpu],
    ...(os === 'linux' && libc ? { libc: [libc.startsWith('musl') ? 'musl' : 'glibc'] } : {}),
  };
}

for (let round = 0; round < 3; round++) {
  const out = run(['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { withStderr: true });
  // npm prints the version blank ("Missing: @rollup/rollup-linux-arm64-gnu@ from lock file"): take it
  // from the package that declares the optional dependency.
  const names = [...out.matchAll(/Missing: (@?[^@\s]+)@(\S*) from lock file/g)].map((m) => m[1]);
  if (names.length === 0) {
    console.log('package-lock.json: npm ci accepts it');
    process.exit(0);
  }
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  for (const name of names) {
    const parent = Object.values(lock.packages).find((p) => p.optionalDependencies?.[name]);
    if (!parent) throw new Error(`no package in the lock declares ${name} as optional`);
    const version = parent.optionalDependencies[name];
    // The registry reachable here serves only this platform's builds (404 for the others), so the
    // platform is read from the package name when the registry has no metadata. npm skips these entries
    // on other platforms' machines by os/cpu and never downloads them here.
    const viewed = JSON.parse(run(['view', `${name}@${version}`, '--json']) || '{}');
    const meta = viewed.dist ? viewed : inferPlatform(name);
    lock.packages[`node_modules/${name}`] = {
      version,
      ...(meta.dist?.integrity ? { integrity: meta.dist.integrity } : {}),
      ...(meta.cpu ? { cpu: meta.cpu } : {}),
      ...(parent?.dev ? { dev: true } : {}),
      ...(meta.libc ? { libc: meta.libc } : {}),
      ...(meta.license ? { license: meta.license } : {}),
      optional: true,
      ...(meta.os ? { os: meta.os } : {}),
      ...(meta.engines ? { engines: meta.engines } : {}),
    };
    console.log(`added node_modules/${name}@${version}`);
  }
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
}
console.error('package-lock.json: npm ci still rejects it');
process.exit(1);
