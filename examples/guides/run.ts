// Runs the sample script of every guide in docs/guides/, then checks that each TypeScript block of a guide
// is code its script runs (line for line, indentation aside), so that no guide shows code nobody ran.
// docs/guides/NAME.md goes with examples/guides/NAME.ts.
//
//   npx tsx examples/guides/run.ts

import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const guides = join(root, 'docs', 'guides')
const failures: string[] = []

/** Lines without indentation, empty lines dropped. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

function containsRun(haystack: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

const names = readdirSync(guides)
  .filter((f) => f.endsWith('.md') && f !== 'README.md') // README.md is the index
  .map((f) => f.slice(0, -3))
for (const name of names) {
  const script = join(__dirname, `${name}.ts`)
  console.log(`\n== ${name}: examples/guides/${name}.ts`)
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: root, stdio: 'inherit' })
  if (run.status !== 0) failures.push(`${name}.ts exited with ${run.status ?? run.signal}`)

  // A block may also show the shared C declarations of testlib.ts.
  const sources = [script, join(__dirname, 'testlib.ts')].map((file) => lines(readFileSync(file, 'utf8')))
  const guide = readFileSync(join(guides, `${name}.md`), 'utf8')
  let blocks = 0
  for (const match of guide.matchAll(/```ts\n([\s\S]*?)```/g)) {
    blocks++
    const block = lines(match[1])
    if (!sources.some((code) => containsRun(code, block)))
      failures.push(`docs/guides/${name}.md, TypeScript block ${blocks} ("${block[0]}"): not in ${name}.ts as written`)
  }
  console.log(`${blocks} TypeScript blocks of docs/guides/${name}.md checked against the script`)
}

if (names.length === 0) failures.push('no guides found in docs/guides/')
if (failures.length > 0) {
  console.error(`\n${failures.length} problem(s):\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log(`\nall ${names.length} guides ran and match their scripts`)
