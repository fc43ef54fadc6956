// The package loads by its own name from CommonJS and from ES modules, and both give the same working class.
//
// Note: tsx compiles this file as CommonJS (the package has no "type": "module"), and it turns a literal
// `await import('indirect-buffer')` into a require. To exercise Node's real ESM loader as well, the tests also
// import through a Function-built `import()` (which tsx does not rewrite) and in a plain `node` child process.

import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import test from 'ava'
import { IndirectMemory2D } from 'indirect-buffer'

type Pkg = typeof import('indirect-buffer')

const repoRoot = path.join(__dirname, '..')
const requireHere = createRequire(__filename)

/** Node's own ESM `import()`, out of reach of the test transpiler. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>

function exercise(t: import('ava').ExecutionContext, Ctor: Pkg['IndirectMemory2D'], label: string): void {
  const m = Ctor.createMemory({ rows: 2, cols: 3, format: 'd' })
  m.set(1, 2, 4.5)
  t.is(m.get(1, 2), 4.5, label)
  t.deepEqual(m.shape, [2, 3], label)
  t.is(typeof m.pointer, 'bigint', label)
  t.true(m instanceof IndirectMemory2D, `${label}: one class for all loaders`)
  m.release()
  t.true(m.released, label)
}

test('require (createRequire) exposes the same working IndirectMemory2D as the static import', (t) => {
  const cjs = requireHere('indirect-buffer') as Pkg
  t.is(typeof cjs.IndirectMemory2D, 'function')
  t.is(cjs.IndirectMemory2D, IndirectMemory2D)
  exercise(t, cjs.IndirectMemory2D, 'require')
  t.is((requireHere('indirect-buffer/package.json') as { name: string }).name, 'indirect-buffer')
})

test('await import() exposes the same working IndirectMemory2D', async (t) => {
  const esm = await import('indirect-buffer')
  t.is(esm.IndirectMemory2D, IndirectMemory2D)
  exercise(t, esm.IndirectMemory2D, 'import()')
})

test("Node's ESM loader: named export IndirectMemory2D is the same class as require's", async (t) => {
  const ns = (await nativeImport('indirect-buffer')) as Record<string, unknown>
  t.is(Object.prototype.toString.call(ns), '[object Module]', 'a real module namespace')
  t.true(Object.keys(ns).includes('IndirectMemory2D'), 'IndirectMemory2D is a named export for ESM')
  const cjs = requireHere('indirect-buffer') as Pkg
  t.is(ns.IndirectMemory2D, cjs.IndirectMemory2D)
  exercise(t, ns.IndirectMemory2D as Pkg['IndirectMemory2D'], 'ESM namespace')
})

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 }).trim()
}

const SCRIPT_BODY = `
const m = IndirectMemory2D.createMemory({ rows: 2, cols: 2, format: 'i' })
m.set(-1, -1, 2 ** 32 + 7)
const row = m.row(1)
console.log(JSON.stringify({ v: m.get(1, 1), row: Array.from(row), p: typeof m.pointer, name: IndirectMemory2D.name }))
`

test('plain node, ES module: import { IndirectMemory2D } from "indirect-buffer" works', (t) => {
  const out = runNode(['--input-type=module', '-e', `import { IndirectMemory2D } from 'indirect-buffer'\n${SCRIPT_BODY}`])
  t.deepEqual(JSON.parse(out), { v: 7, row: [0, 7], p: 'bigint', name: 'IndirectMemory2D' })
})

test('plain node, CommonJS: require("indirect-buffer") works', (t) => {
  const out = runNode(['--input-type=commonjs', '-e', `const { IndirectMemory2D } = require('indirect-buffer')\n${SCRIPT_BODY}`])
  t.deepEqual(JSON.parse(out), { v: 7, row: [0, 7], p: 'bigint', name: 'IndirectMemory2D' })
})

test('plain node: the ESM and CJS entries give one class in one process', (t) => {
  const out = runNode([
    '--input-type=module',
    '-e',
    `import { createRequire } from 'node:module'
import * as ns from 'indirect-buffer'
const require = createRequire(process.cwd() + '/')
console.log(JSON.stringify(ns.IndirectMemory2D === require('indirect-buffer').IndirectMemory2D))`,
  ])
  t.is(out, 'true')
})
