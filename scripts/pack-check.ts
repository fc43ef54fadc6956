/**
 * pack-check: proof that `npm install indirect-buffer` needs no compiler.
 *
 *   npm run build                  # first: the .node file and dist/ must exist
 *   npx tsx scripts/pack-check.ts  # linux-x64-gnu hosts only
 *
 * What it does, all inside one temporary directory (the git tree is only read):
 *   1. checks that `npm/<platform>/package.json` exists and is right for every
 *      target in `napi.targets`;
 *   2. stages `npm/linux-x64-gnu` plus the built `indirect-buffer.linux-x64-gnu.node`
 *      and packs it;
 *   3. stages the root package (exactly the files `npm pack` selects) with the
 *      `optionalDependencies` that `napi prepublish` adds at publish time, packs it,
 *      and lists the tarball: no `.node`, no Rust sources;
 *   4. builds a PATH that holds nothing but links to `node` and `npm` and shows
 *      that `cargo`, `rustc`, `cc`, `gcc` and `clang` cannot be found on it;
 *   5. installs both tarballs into an empty project with that PATH, offline,
 *      against an empty npm cache: the other platforms' optional packages are
 *      skipped, nothing is compiled;
 *   6. runs a CommonJS and an ES module program there that create a 2x3 float64
 *      matrix, set and get elements and read its `pointer`;
 *   7. loads the package by name, the ES module entry by file path, and `require`,
 *      under Node and, when PACK_CHECK_BUN / PACK_CHECK_DENO name their binaries,
 *      under Bun and Deno (Deno with --allow-ffi --allow-read only), in that project
 *      and through a symlinked install whose real path lies outside node_modules;
 *   8. compiles a TypeScript consumer of the published types in a default project
 *      (strict, nodenext, no lib, no @types) as CommonJS and as ESM, with the
 *      repository's TypeScript 5 and with the tsc named by PACK_CHECK_TSC7.
 *
 * It prints one line per check and a closing `pack-check: N passed, N failed`
 * line, and exits non-zero if any check failed. PACK_CHECK_KEEP=1 keeps the
 * temporary directory for inspection.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const HOST_PLATFORM = 'linux-x64-gnu'
const COMPILERS = ['cargo', 'rustc', 'cc', 'gcc', 'clang'] as const
const COMMAND_TIMEOUT_MS = 5 * 60 * 1000

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------

/** A check failed. */
class CheckError extends Error {}
/** A check could not run because an earlier one failed. */
class SkipError extends Error {}

interface RunResult {
  status: number | null
  signal: string | null
  stdout: string
  stderr: string
  error: Error | undefined
}

interface RunOptions {
  cwd: string
  env?: NodeJS.ProcessEnv
}

function run(command: string, args: readonly string[], options: RunOptions): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    error: result.error,
  }
}

function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ')
}

function tail(text: string, lines = 25): string {
  const all = text.trimEnd().split('\n')
  return all.slice(-lines).join('\n')
}

/** Runs a command and throws a CheckError with its output if it does not exit 0. */
function runOk(command: string, args: readonly string[], options: RunOptions): RunResult {
  const result = run(command, args, options)
  if (result.error !== undefined || result.status !== 0) {
    const why =
      result.error !== undefined
        ? result.error.message
        : result.signal !== null
          ? `killed by ${result.signal}`
          : `exit code ${String(result.status)}`
    const output = tail(`${result.stdout}\n${result.stderr}`)
    throw new CheckError(`\`${describeCommand(command, args)}\` failed (${why})${output ? `:\n${output}` : ''}`)
  }
  return result
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readJson(file: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new CheckError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!isRecord(parsed)) throw new CheckError(`${file} does not hold a JSON object`)
  return parsed
}

function stringField(pkg: Record<string, unknown>, key: string, where: string): string {
  const value = pkg[key]
  if (typeof value !== 'string' || value === '') throw new CheckError(`${where}: "${key}" is not a non-empty string`)
  return value
}

function sameStringArray(actual: unknown, expected: readonly string[]): boolean {
  return Array.isArray(actual) && actual.length === expected.length && actual.every((item, index) => item === expected[index])
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------
// napi-rs target naming (mirrors @napi-rs/cli's parseTriple for native targets)
// ---------------------------------------------------------------------------

interface Target {
  triple: string
  /** e.g. `linux-x64-gnu`, `darwin-arm64`: the npm/<dir> and package suffix */
  platformArchAbi: string
  platform: string
  arch: string
  abi: string | null
}

const CPU_TO_NODE_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'x64',
  aarch64: 'arm64',
  i686: 'ia32',
  armv7: 'arm',
  loongarch64: 'loong64',
  riscv64gc: 'riscv64',
  powerpc64le: 'ppc64',
  powerpc64: 'ppc64',
}

const SYS_TO_NODE_PLATFORM: Readonly<Record<string, string>> = {
  linux: 'linux',
  freebsd: 'freebsd',
  darwin: 'darwin',
  windows: 'win32',
  ohos: 'openharmony',
}

function parseTriple(triple: string): Target {
  if (triple.startsWith('wasm32-')) {
    throw new CheckError(`target ${triple}: WASI targets are not handled by pack-check`)
  }
  const parts = (triple.endsWith('eabi') ? `${triple.slice(0, -4)}-eabi` : triple).split('-')
  let cpu: string | undefined
  let sys: string | undefined
  let abi: string | null = null
  if (parts.length === 2) {
    ;[cpu, sys] = parts
  } else {
    cpu = parts[0]
    sys = parts[2]
    abi = parts[3] ?? null
  }
  if (abi === 'android' || abi === 'ohos') {
    sys = abi
    abi = null
  }
  if (cpu === undefined || sys === undefined) throw new CheckError(`cannot parse target triple ${triple}`)
  const platform = SYS_TO_NODE_PLATFORM[sys] ?? sys
  const arch = CPU_TO_NODE_ARCH[cpu] ?? cpu
  return {
    triple,
    platformArchAbi: abi !== null ? `${platform}-${arch}-${abi}` : `${platform}-${arch}`,
    platform,
    arch,
    abi,
  }
}

/** The `libc` field napi-rs writes into a platform package (none for other ABIs). */
function expectedLibc(target: Target): string[] | undefined {
  if (target.platform !== 'linux') return undefined
  if (target.abi === 'gnu') return ['glibc']
  if (target.abi === 'musl') return ['musl']
  return undefined
}

// ---------------------------------------------------------------------------
// locating things
// ---------------------------------------------------------------------------

/** The directory of the root package.json whose name is `indirect-buffer`. */
function findPackageRoot(): string {
  const starts: string[] = []
  const script = process.argv[1]
  if (script !== undefined && script !== '') starts.push(path.dirname(path.resolve(script)))
  starts.push(process.cwd())
  for (const start of starts) {
    let dir = start
    for (;;) {
      const manifest = path.join(dir, 'package.json')
      if (fs.existsSync(manifest)) {
        try {
          const parsed: unknown = JSON.parse(fs.readFileSync(manifest, 'utf8'))
          if (isRecord(parsed) && parsed.name === 'indirect-buffer' && isRecord(parsed.napi)) return dir
        } catch {
          // not this one
        }
      }
      const parent = path.dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  throw new CheckError('cannot find the indirect-buffer package root (run from the repository)')
}

/** npm's JavaScript entry point (npm-cli.js), run with this very node binary. */
function findNpmCli(): string {
  const candidates: string[] = []
  const execPath = process.env.npm_execpath
  if (execPath !== undefined && path.basename(execPath) === 'npm-cli.js') candidates.push(execPath)
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const npm = path.join(dir, 'npm')
    if (isExecutableFile(npm)) candidates.push(fs.realpathSync(npm))
  }
  const nodeDir = path.dirname(process.execPath)
  candidates.push(path.join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'))
  for (const candidate of candidates) {
    if (candidate.endsWith('.js') && fs.existsSync(candidate)) return fs.realpathSync(candidate)
  }
  throw new CheckError(`cannot find npm's npm-cli.js (looked at: ${candidates.join(', ') || 'nothing on PATH'})`)
}

function hostIsLinuxX64Gnu(): { ok: boolean; description: string } {
  let libc = 'unknown-libc'
  if (process.platform === 'linux') {
    const report: unknown = process.report?.getReport()
    const header = isRecord(report) ? report.header : undefined
    libc = isRecord(header) && typeof header.glibcVersionRuntime === 'string' ? 'gnu' : 'musl'
  }
  const description = `${process.platform}-${process.arch}${process.platform === 'linux' ? `-${libc}` : ''}`
  return { ok: description === HOST_PLATFORM, description }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  const out: string[] = []
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else out.push(path.relative(dir, full))
    }
  }
  walk(dir)
  return out.sort()
}

function listTarball(tarball: string): string[] {
  const result = runOk('tar', ['-tzf', tarball], { cwd: path.dirname(tarball) })
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

interface PackedFile {
  path: string
}

/** Parses `npm pack --json` output: an array with one entry per packed package. */
function parsePackJson(stdout: string, what: string): { filename: string; files: PackedFile[] } {
  const start = stdout.indexOf('[')
  let parsed: unknown
  try {
    parsed = JSON.parse(start >= 0 ? stdout.slice(start) : stdout)
  } catch {
    throw new CheckError(`npm pack --json for ${what} printed something that is not JSON:\n${tail(stdout)}`)
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined
  if (!isRecord(first) || typeof first.filename !== 'string' || !Array.isArray(first.files)) {
    throw new CheckError(`npm pack --json for ${what}: unexpected output:\n${tail(stdout)}`)
  }
  const files: PackedFile[] = []
  for (const file of first.files as unknown[]) {
    if (isRecord(file) && typeof file.path === 'string') files.push({ path: file.path })
  }
  return { filename: first.filename, files }
}

// ---------------------------------------------------------------------------
// the programs run in the installed project
// ---------------------------------------------------------------------------

// Both programs print one line:
//   <kind> ok: values=1.5,-2.25,42,0 pointer=0x<hex> entry=<path> native=<path>
// `entry` is where `indirect-buffer` resolved to and `native` is every `.node`
// file mapped into the process (from /proc/self/maps), both relative to the project.
const PROGRAM_BODY = `
const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' });
m.set(0, 2, 1.5);
m.set(1, 1, -2.25);
m.set(1, 2, 42);
const values = [m.get(0, 2), m.get(1, 1), m.get(1, 2), m.get(0, 0)];
for (const v of values) {
  if (typeof v !== 'number') throw new Error('get() returned a ' + typeof v);
}
const pointer = m.pointer;
if (typeof pointer !== 'bigint') throw new Error('pointer is a ' + typeof pointer + ', not a bigint');
if (pointer === 0n) throw new Error('pointer is 0n');
const here = fs.realpathSync(process.cwd());
const rel = (p) => path.relative(here, fs.realpathSync(p)).split(path.sep).join('/');
const natives = [...new Set(
  fs.readFileSync('/proc/self/maps', 'utf8')
    .split('\\n')
    .map((line) => line.indexOf('/') >= 0 ? line.slice(line.indexOf('/')).trim() : '')
    .filter((file) => file.endsWith('.node'))
)].map(rel).sort();
console.log(KIND + ' ok: values=' + values.join(',') + ' pointer=0x' + pointer.toString(16) +
  ' entry=' + rel(ENTRY) + ' native=' + (natives.join('|') || 'none'));
`

const CJS_PROGRAM = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { IndirectMemory2D } = require('indirect-buffer');
const KIND = 'cjs';
const ENTRY = require.resolve('indirect-buffer');
${PROGRAM_BODY}`

const ESM_PROGRAM = `import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { IndirectMemory2D } from 'indirect-buffer';
const KIND = 'esm';
const ENTRY = typeof import.meta.resolve === 'function'
  ? fileURLToPath(import.meta.resolve('indirect-buffer'))
  : createRequire(import.meta.url).resolve('indirect-buffer');
${PROGRAM_BODY}`

// Bun, Deno and Node, each entry: one line `loaded: 1.5`.
const LOAD_BODY = `const m = IndirectMemory2D.createMemory({ rows: 1, cols: 2, format: 'd' });
m.set(0, 1, 1.5);
if (typeof m.pointer !== 'bigint') throw new Error('no pointer');
console.log('loaded: ' + m.get(0, 1));
`

// A consumer of the published types; \`@ts-expect-error\` lines fail the check when the types are too loose.
const TYPINGS_PROGRAM = `import { BufferCollection2D, IndirectMemory2D, type Dtype } from 'PACKAGE';

const m = IndirectMemory2D.createMemory({ rows: 2, cols: 3, format: 'd' });
const row: Float64Array = m.row(0);
const value: number = m.get(0, 0);
const pointer: bigint = m.pointer;
const q = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'q' });
const big: bigint = q.get(0, 0);
const wide: BigUint64Array = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'Q' }).row(0);
// Native 'l' is C long: 64-bit on Linux and macOS, 32-bit on Windows.
const long = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: 'l' });
const longRow: Int32Array | BigInt64Array = long.row(0);
const longValue: number | bigint = long.get(0, 0);
// @ts-expect-error a native 'l' row is not always an Int32Array
const narrow: Int32Array = long.row(0);
const standard: Int32Array = IndirectMemory2D.createMemory({ rows: 1, cols: 1, format: '<l' }).row(0);
const dispose: () => void = m[Symbol.dispose];
const exported = m.acquire();
const disposable: Disposable = exported;
const collection = new BufferCollection2D([new Uint8Array(2)]);
const dtype: Dtype = collection.dtype;
// @ts-expect-error set() on a float64 matrix takes a number
m.set(0, 0, 'x');

export { row, value, pointer, big, wide, longRow, longValue, narrow, standard, dispose, disposable, dtype };
`

function resolveFrom(dir: string, request: string): string | undefined {
  try {
    return require.resolve(request, { paths: [dir] })
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

interface Outcome {
  name: string
  status: 'PASS' | 'FAIL' | 'SKIP'
  detail: string
}

function main(): number {
  const outcomes: Outcome[] = []
  const check = (name: string, body: () => string): boolean => {
    let outcome: Outcome
    try {
      outcome = { name, status: 'PASS', detail: body() }
    } catch (error) {
      if (error instanceof SkipError) outcome = { name, status: 'SKIP', detail: error.message }
      else if (error instanceof CheckError) outcome = { name, status: 'FAIL', detail: error.message }
      else outcome = { name, status: 'FAIL', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) }
    }
    outcomes.push(outcome)
    console.log(`${outcome.status} ${name}: ${outcome.detail}`)
    return outcome.status === 'PASS'
  }
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new SkipError(`skipped: ${what} failed`)
    return value
  }

  let root: string | undefined
  let rootPkg: Record<string, unknown> | undefined
  let rootName = ''
  let rootVersion = ''
  let binaryName = ''
  let targets: Target[] = []
  let npmDirBefore: string[] = []
  let npmCli: string | undefined
  let tmp: string | undefined

  const keep = process.env.PACK_CHECK_KEEP === '1'
  const cleanup = (): void => {
    if (tmp !== undefined && !keep) fs.rmSync(tmp, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    // 1. the build products this check packs
    const built = check('build outputs', () => {
      const host = hostIsLinuxX64Gnu()
      if (!host.ok) {
        throw new CheckError(
          `pack-check installs the ${HOST_PLATFORM} package, so it runs on ${HOST_PLATFORM} only; this host is ${host.description}`,
        )
      }
      root = findPackageRoot()
      rootPkg = readJson(path.join(root, 'package.json'))
      rootName = stringField(rootPkg, 'name', 'package.json')
      rootVersion = stringField(rootPkg, 'version', 'package.json')
      const napi = rootPkg.napi
      if (!isRecord(napi) || !Array.isArray(napi.targets) || napi.targets.length === 0) {
        throw new CheckError('package.json: "napi.targets" is missing or empty')
      }
      binaryName = typeof napi.binaryName === 'string' ? napi.binaryName : 'index'
      targets = (napi.targets as unknown[]).map((triple) => {
        if (typeof triple !== 'string') throw new CheckError('package.json: "napi.targets" holds a non-string')
        return parseTriple(triple)
      })
      if (!targets.some((target) => target.platformArchAbi === HOST_PLATFORM)) {
        throw new CheckError(`package.json: "napi.targets" has no ${HOST_PLATFORM} target`)
      }
      npmDirBefore = listFiles(path.join(root, 'npm'))
      const missing: string[] = []
      const addon = path.join(root, `${binaryName}.${HOST_PLATFORM}.node`)
      if (!fs.existsSync(addon) || fs.statSync(addon).size === 0) missing.push(path.relative(root, addon))
      for (const file of ['index.js', 'index.d.ts', path.join('dist', 'index.js'), path.join('dist', 'index.d.ts')]) {
        if (!fs.existsSync(path.join(root, file))) missing.push(file)
      }
      if (missing.length > 0) {
        throw new CheckError(`missing ${missing.join(', ')}: run \`npm run build\` first`)
      }
      npmCli = findNpmCli()
      const size = fs.statSync(addon).size
      return `${rootName}@${rootVersion}, ${path.basename(addon)} (${size} bytes), loader and dist/ present`
    })
    if (!built || root === undefined || rootPkg === undefined || npmCli === undefined) return finish(outcomes)
    const repo: string = root
    const pkg: Record<string, unknown> = rootPkg
    const cli: string = npmCli

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'indirect-buffer-pack-check-'))
    const work: string = tmp
    const dirs = {
      bin: path.join(work, 'bin'),
      home: path.join(work, 'home'),
      childTmp: path.join(work, 'tmp'),
      cache: path.join(work, 'npm-cache'),
      stagePlatform: path.join(work, 'stage', HOST_PLATFORM),
      stageRoot: path.join(work, 'stage', 'root'),
      tarballs: path.join(work, 'tarballs'),
      project: path.join(work, 'project'),
    }
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true })
    const hostNpm = (args: readonly string[], cwd: string): RunResult => runOk(process.execPath, [cli, ...args], { cwd })

    // 2. every platform package directory, as `napi create-npm-dirs` writes it
    check('platform package dirs', () => {
      const problems: string[] = []
      for (const target of targets) {
        const dir = path.join(repo, 'npm', target.platformArchAbi)
        const where = `npm/${target.platformArchAbi}/package.json`
        if (!fs.existsSync(path.join(dir, 'package.json'))) {
          problems.push(`${where} is missing`)
          continue
        }
        const platformPkg = readJson(path.join(dir, 'package.json'))
        const nodeFile = `${binaryName}.${target.platformArchAbi}.node`
        const expect = (key: string, ok: boolean, wanted: string): void => {
          if (!ok) problems.push(`${where}: "${key}" should be ${wanted}, is ${JSON.stringify(platformPkg[key])}`)
        }
        expect('name', platformPkg.name === `${rootName}-${target.platformArchAbi}`, `${rootName}-${target.platformArchAbi}`)
        expect('version', platformPkg.version === rootVersion, rootVersion)
        expect('main', platformPkg.main === nodeFile, nodeFile)
        expect('files', sameStringArray(platformPkg.files, [nodeFile]), JSON.stringify([nodeFile]))
        expect('os', sameStringArray(platformPkg.os, [target.platform]), JSON.stringify([target.platform]))
        expect('cpu', sameStringArray(platformPkg.cpu, [target.arch]), JSON.stringify([target.arch]))
        const libc = expectedLibc(target)
        expect(
          'libc',
          libc === undefined ? platformPkg.libc === undefined : sameStringArray(platformPkg.libc, libc),
          libc === undefined ? 'absent' : JSON.stringify(libc),
        )
        expect('license', platformPkg.license === pkg.license, JSON.stringify(pkg.license))
        expect('engines', JSON.stringify(platformPkg.engines) === JSON.stringify(pkg.engines), JSON.stringify(pkg.engines))
        expect('repository', JSON.stringify(platformPkg.repository) === JSON.stringify(pkg.repository), JSON.stringify(pkg.repository))
        if (!fs.existsSync(path.join(dir, 'README.md'))) problems.push(`npm/${target.platformArchAbi}/README.md is missing`)
      }
      if (problems.length > 0) throw new CheckError(problems.join('; '))
      return `${targets.length} packages match napi.targets (${targets.map((t) => t.platformArchAbi).join(', ')})`
    })

    // 3. a PATH with node and npm and nothing else
    const env: NodeJS.ProcessEnv = {
      PATH: dirs.bin,
      HOME: dirs.home,
      TMPDIR: dirs.childTmp,
      LANG: 'C',
      npm_config_cache: dirs.cache,
      npm_config_userconfig: path.join(dirs.home, '.npmrc'),
      npm_config_globalconfig: path.join(dirs.home, 'global-npmrc'),
      npm_config_offline: 'true',
      // never contacted (offline); a closed local port in case anything tried
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_loglevel: 'warn',
    }
    let pathReady = false
    check('PATH without compilers', () => {
      fs.writeFileSync(path.join(dirs.home, '.npmrc'), '')
      fs.writeFileSync(path.join(dirs.home, 'global-npmrc'), '')
      fs.symlinkSync(process.execPath, path.join(dirs.bin, 'node'))
      fs.symlinkSync(cli, path.join(dirs.bin, 'npm'))
      if (!fs.existsSync('/bin/sh')) throw new CheckError('/bin/sh is needed for the PATH probe')
      const lookup = (tool: string): RunResult => run('/bin/sh', ['-c', 'command -v "$1"', 'sh', tool], { cwd: dirs.project, env })
      for (const tool of ['node', 'npm']) {
        const found = lookup(tool)
        if (found.status !== 0 || found.stdout.trim() !== path.join(dirs.bin, tool)) {
          throw new CheckError(`${tool} should be found at ${path.join(dirs.bin, tool)}, got ${JSON.stringify(found.stdout.trim())}`)
        }
      }
      const present = COMPILERS.filter((tool) => {
        const found = lookup(tool)
        return found.status === 0 || found.stdout.trim() !== ''
      })
      if (present.length > 0) throw new CheckError(`found on the reduced PATH: ${present.join(', ')}`)
      // the same, seen from a node process started with that environment
      const probe = runOk(
        path.join(dirs.bin, 'node'),
        [
          '-e',
          `const fs = require('node:fs'), path = require('node:path');
           const tools = ${JSON.stringify(COMPILERS)};
           const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
           const found = tools.filter((t) => dirs.some((d) => fs.existsSync(path.join(d, t))));
           console.log(JSON.stringify({ dirs, entries: fs.readdirSync(dirs[0]).sort(), found }));`,
        ],
        { cwd: dirs.project, env },
      )
      const seen: unknown = JSON.parse(probe.stdout)
      if (
        !isRecord(seen) ||
        !sameStringArray(seen.dirs, [dirs.bin]) ||
        !sameStringArray(seen.entries, ['node', 'npm']) ||
        !sameStringArray(seen.found, [])
      ) {
        throw new CheckError(`node sees an unexpected PATH: ${probe.stdout.trim()}`)
      }
      const npmVersion = runOk(path.join(dirs.bin, 'npm'), ['--version'], { cwd: dirs.project, env }).stdout.trim()
      pathReady = true
      return `PATH holds only node (${process.version}) and npm (${npmVersion}); ${COMPILERS.join(', ')} not found`
    })

    // 4. the platform package, with the freshly built addon in a staged copy
    let platformTarball: string | undefined
    check(`${HOST_PLATFORM} tarball`, () => {
      fs.cpSync(path.join(repo, 'npm', HOST_PLATFORM), dirs.stagePlatform, { recursive: true })
      const nodeFile = `${binaryName}.${HOST_PLATFORM}.node`
      fs.copyFileSync(path.join(repo, nodeFile), path.join(dirs.stagePlatform, nodeFile))
      const packed = parsePackJson(
        hostNpm(['pack', '--json', '--ignore-scripts', '--pack-destination', dirs.tarballs], dirs.stagePlatform).stdout,
        HOST_PLATFORM,
      )
      const tarball = path.join(dirs.tarballs, packed.filename)
      const entries = listTarball(tarball)
      const wanted = ['package/package.json', `package/${nodeFile}`]
      const missing = wanted.filter((entry) => !entries.includes(entry))
      if (missing.length > 0) throw new CheckError(`${packed.filename} lacks ${missing.join(', ')} (has ${entries.join(', ')})`)
      platformTarball = tarball
      return `${packed.filename}: ${entries.map((e) => e.replace(/^package\//, '')).join(', ')}`
    })

    // 5. the root package as it is published: the files npm selects plus the
    //    optionalDependencies `napi prepublish` writes
    let rootTarball: string | undefined
    check('root tarball', () => {
      const selected = parsePackJson(hostNpm(['pack', '--dry-run', '--json', '--ignore-scripts'], repo).stdout, rootName)
      for (const file of selected.files) {
        const destination = path.join(dirs.stageRoot, file.path)
        fs.mkdirSync(path.dirname(destination), { recursive: true })
        fs.copyFileSync(path.join(repo, file.path), destination)
      }
      const optionalDependencies: Record<string, string> = {}
      for (const target of targets) optionalDependencies[`${rootName}-${target.platformArchAbi}`] = rootVersion
      const staged = { ...pkg, optionalDependencies }
      fs.writeFileSync(path.join(dirs.stageRoot, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`)
      const packed = parsePackJson(
        hostNpm(['pack', '--json', '--ignore-scripts', '--pack-destination', dirs.tarballs], dirs.stageRoot).stdout,
        rootName,
      )
      const tarball = path.join(dirs.tarballs, packed.filename)
      const entries = listTarball(tarball)
      const forbidden = entries.filter((entry) => {
        const inner = entry.replace(/^package\//, '')
        return (
          inner.endsWith('.node') ||
          inner.endsWith('.rs') ||
          /^(src|crates|target|npm|__test__)\//.test(inner) ||
          /^Cargo\.(toml|lock)$/.test(inner)
        )
      })
      if (forbidden.length > 0) throw new CheckError(`${packed.filename} must not contain ${forbidden.join(', ')}`)
      const wanted = [
        'package/package.json',
        'package/index.js',
        'package/index.d.ts',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/index.mjs',
        'package/dist/index.d.mts',
      ]
      const missing = wanted.filter((entry) => !entries.includes(entry))
      if (missing.length > 0) throw new CheckError(`${packed.filename} lacks ${missing.join(', ')}`)
      const packedManifest = run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: dirs.tarballs })
      const manifest: unknown = JSON.parse(packedManifest.stdout)
      const packedOptional = isRecord(manifest) ? manifest.optionalDependencies : undefined
      if (JSON.stringify(packedOptional) !== JSON.stringify(optionalDependencies)) {
        throw new CheckError(`${packed.filename}: optionalDependencies are ${JSON.stringify(packedOptional)}`)
      }
      rootTarball = tarball
      return `${packed.filename}: ${entries.length} files, no .node, no src/ or crates/; ${Object.keys(optionalDependencies).length} optionalDependencies @ ${rootVersion}`
    })

    // 6. npm install in an empty project: offline, empty cache, no compiler
    let installed = false
    check('offline install', () => {
      if (!pathReady) throw new SkipError('skipped: PATH without compilers failed')
      const platformTgz = need(platformTarball, `${HOST_PLATFORM} tarball`)
      const rootTgz = need(rootTarball, 'root tarball')
      fs.writeFileSync(
        path.join(dirs.project, 'package.json'),
        `${JSON.stringify({ name: 'pack-check-project', version: '1.0.0', private: true, license: 'MIT' }, null, 2)}\n`,
      )
      const result = runOk(path.join(dirs.bin, 'npm'), ['install', '--offline', '--no-audit', '--no-fund', platformTgz, rootTgz], {
        cwd: dirs.project,
        env,
      })
      const modules = path.join(dirs.project, 'node_modules')
      const installedPkg = readJson(path.join(modules, rootName, 'package.json'))
      if (installedPkg.version !== rootVersion) throw new CheckError(`installed ${rootName} has version ${String(installedPkg.version)}`)
      const addon = path.join(modules, `${rootName}-${HOST_PLATFORM}`, `${binaryName}.${HOST_PLATFORM}.node`)
      if (!fs.existsSync(addon)) throw new CheckError(`${path.relative(dirs.project, addon)} was not installed`)
      const strays = listFiles(modules).filter((file) => file.endsWith('.node') && path.join(modules, file) !== addon)
      if (strays.length > 0) throw new CheckError(`unexpected native files installed: ${strays.join(', ')}`)
      const others = fs.readdirSync(modules).filter((name) => name.startsWith(`${rootName}-`) && name !== `${rootName}-${HOST_PLATFORM}`)
      if (others.length > 0) throw new CheckError(`other platform packages were installed: ${others.join(', ')}`)
      const installedNames = fs.readdirSync(modules).filter((name) => !name.startsWith('.'))
      if (!sameStringArray(installedNames.sort(), [rootName, `${rootName}-${HOST_PLATFORM}`].sort())) {
        throw new CheckError(`node_modules holds ${installedNames.join(', ')}`)
      }
      const summary = result.stdout
        .trim()
        .split('\n')
        .filter((line) => /added/.test(line))
        .join(' ')
      installed = true
      return `${summary || 'installed'}; ${targets.length - 1} other optional platform packages skipped`
    })

    // 7/8. require and import it
    const programs: { name: string; file: string; source: string; kind: string }[] = [
      { name: 'CommonJS require', file: 'check.cjs', source: CJS_PROGRAM, kind: 'cjs' },
      { name: 'ESM import', file: 'check.mjs', source: ESM_PROGRAM, kind: 'esm' },
    ]
    for (const program of programs) {
      check(program.name, () => {
        if (!installed) throw new SkipError('skipped: offline install failed')
        fs.writeFileSync(path.join(dirs.project, program.file), program.source)
        const result = runOk(path.join(dirs.bin, 'node'), [program.file], { cwd: dirs.project, env })
        const line = result.stdout.trim()
        const match = /^(\w+) ok: values=(\S+) pointer=0x([0-9a-f]+) entry=(\S+) native=(\S+)$/.exec(line)
        const expected = {
          kind: program.kind,
          values: '1.5,-2.25,42,0',
          entry: `node_modules/${rootName}/dist/index.${program.kind === 'esm' ? 'mjs' : 'js'}`,
          native: `node_modules/${rootName}-${HOST_PLATFORM}/${binaryName}.${HOST_PLATFORM}.node`,
        }
        if (
          match === null ||
          match[1] !== expected.kind ||
          match[2] !== expected.values ||
          /^0+$/.test(match[3] ?? '') ||
          match[4] !== expected.entry ||
          match[5] !== expected.native
        ) {
          throw new CheckError(
            `unexpected output ${JSON.stringify(line)}; expected "${expected.kind} ok: values=${expected.values} pointer=0x<nonzero> entry=${expected.entry} native=${expected.native}"${result.stderr.trim() ? `; stderr: ${tail(result.stderr, 10)}` : ''}`,
          )
        }
        return line
      })
    }

    // 10. the ES module entry by file path, and Bun and Deno loading both entries (where test.sh gives them)
    const runtimes: { name: string; command: string; args: string[] }[] = [{ name: 'node', command: path.join(dirs.bin, 'node'), args: [] }]
    const bun = process.env.PACK_CHECK_BUN
    const deno = process.env.PACK_CHECK_DENO
    if (bun) runtimes.push({ name: 'bun', command: bun, args: [] })
    if (deno) runtimes.push({ name: 'deno', command: deno, args: ['run', '--allow-ffi', '--allow-read'] })
    const loaders = [
      { file: 'load-by-name.mjs', source: `import { IndirectMemory2D } from '${rootName}';\n${LOAD_BODY}` },
      { file: 'load-by-path.mjs', source: `import { IndirectMemory2D } from './node_modules/${rootName}/dist/index.mjs';\n${LOAD_BODY}` },
      { file: 'load-cjs.cjs', source: `const { IndirectMemory2D } = require('${rootName}');\n${LOAD_BODY}` },
    ]
    for (const runtime of runtimes) {
      check(`${runtime.name}: import by name, import by path, require`, () => {
        if (!installed) throw new SkipError('skipped: offline install failed')
        const lines = loaders.map((loader) => {
          fs.writeFileSync(path.join(dirs.project, loader.file), loader.source)
          const out = runOk(runtime.command, [...runtime.args, loader.file], { cwd: dirs.project, env }).stdout.trim()
          if (out !== 'loaded: 1.5') throw new CheckError(`${runtime.name} ${loader.file} printed ${JSON.stringify(out)}`)
          return loader.file
        })
        return `${lines.join(', ')} all print "loaded: 1.5"`
      })
    }

    // 11. a symlinked install (npm link, a file: dependency): the package's real path is outside node_modules
    check('symlinked install: import and require by name', () => {
      if (!installed) throw new SkipError('skipped: offline install failed')
      const linked = path.join(work, 'linked')
      const real = path.join(linked, 'packages', rootName)
      const app = path.join(linked, 'app')
      fs.cpSync(path.join(dirs.project, 'node_modules', rootName), real, { recursive: true })
      // The platform package where the real path's own lookup finds it, as in a workspace.
      fs.cpSync(
        path.join(dirs.project, 'node_modules', `${rootName}-${HOST_PLATFORM}`),
        path.join(linked, 'node_modules', `${rootName}-${HOST_PLATFORM}`),
        { recursive: true },
      )
      fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true })
      fs.symlinkSync(real, path.join(app, 'node_modules', rootName), 'dir')
      fs.writeFileSync(
        path.join(app, 'package.json'),
        `${JSON.stringify({ name: 'linked-app', private: true, dependencies: { [rootName]: `file:../packages/${rootName}` } }, null, 2)}\n`,
      )
      const done: string[] = []
      for (const runtime of runtimes) {
        for (const loader of [loaders[0], loaders[2]]) {
          fs.writeFileSync(path.join(app, loader.file), loader.source)
          const out = runOk(runtime.command, [...runtime.args, loader.file], { cwd: app, env }).stdout.trim()
          if (out !== 'loaded: 1.5') throw new CheckError(`${runtime.name} ${loader.file} printed ${JSON.stringify(out)}`)
          done.push(`${runtime.name} ${loader.file}`)
        }
      }
      return `${done.join(', ')}: loaded through a symlink to a real path outside node_modules`
    })

    // 12. the published typings in default projects, no @types/node, no lib: TypeScript 5 and 7, CJS and ESM
    const compilers: { name: string; tsc: string | undefined }[] = [
      { name: 'TypeScript 5', tsc: resolveFrom(repo, 'typescript/bin/tsc') },
      { name: 'TypeScript 7', tsc: process.env.PACK_CHECK_TSC7 || undefined },
    ]
    for (const kind of ['commonjs', 'module'] as const) {
      const dir = path.join(dirs.project, `types-${kind}`)
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `types-${kind}`, private: true, type: kind }, null, 2)}\n`)
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        `${JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true } }, null, 2)}\n`,
      )
      fs.writeFileSync(path.join(dir, 'index.ts'), TYPINGS_PROGRAM.replaceAll('PACKAGE', rootName))
      for (const compiler of compilers) {
        check(`typings: ${compiler.name}, ${kind === 'module' ? 'ESM' : 'CommonJS'} consumer`, () => {
          if (!installed) throw new SkipError('skipped: offline install failed')
          if (compiler.tsc === undefined) throw new SkipError(`skipped: ${compiler.name} not found (PACK_CHECK_TSC7 names its tsc)`)
          const version = runOk(process.execPath, [compiler.tsc, '--version'], { cwd: dir, env }).stdout.trim()
          runOk(process.execPath, [compiler.tsc, '-p', '.'], { cwd: dir, env })
          const typeRoots = path.join(dir, 'node_modules', '@types')
          if (fs.existsSync(typeRoots) || fs.existsSync(path.join(dirs.project, 'node_modules', '@types'))) {
            throw new CheckError('an @types directory is visible to the consumer')
          }
          return `${version}: strict, nodenext, default target and lib, no @types: compiles`
        })
      }
    }

    // 9. nothing was written into the git tree
    check('git tree untouched', () => {
      const after = listFiles(path.join(repo, 'npm'))
      if (!sameStringArray(after, npmDirBefore)) {
        throw new CheckError(`npm/ changed: before ${npmDirBefore.join(', ')}; after ${after.join(', ')}`)
      }
      return `npm/ unchanged (${after.length} files); staging done in ${keep ? `${work} (kept: PACK_CHECK_KEEP=1)` : `a temporary directory under ${os.tmpdir()}, removed on exit`}`
    })
  } finally {
    cleanup()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
  return finish(outcomes)
}

function finish(outcomes: readonly Outcome[]): number {
  const count = (status: Outcome['status']): number => outcomes.filter((o) => o.status === status).length
  const failed = count('FAIL')
  const skipped = count('SKIP')
  console.log(`pack-check: ${count('PASS')} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
  return failed > 0 || skipped > 0 ? 1 : 0
}

process.exitCode = main()
