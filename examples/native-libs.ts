// Shared by the examples that call real C libraries from the system (png.ts, planar-audio.ts): a loader that
// tries the usual file names of a library and says which package to install, and a tiny check reporter.
//
// On Debian/Ubuntu, `sudo bash scripts/install-native-deps.sh` installs every library they use.

import koffi, { type LibraryHandle } from 'koffi'

export interface NativeLibrary {
  lib: LibraryHandle
  /** The file name that loaded. */
  name: string
}

/**
 * Loads the first of `names` that the dynamic loader finds. If none does, prints which packages provide
 * the library and exits with status 2 (an example cannot check anything without it).
 */
export function loadLibrary(what: string, names: readonly string[], packages: string): NativeLibrary {
  const failures: string[] = []
  for (const name of names) {
    try {
      return { lib: koffi.load(name), name }
    } catch (e) {
      failures.push(`  ${name}: ${(e as Error).message.split('\n')[0]}`)
    }
  }
  console.error(
    [`cannot load ${what}; tried:`, ...failures, `Install ${packages}`, 'On Debian/Ubuntu: sudo bash scripts/install-native-deps.sh'].join(
      '\n',
    ),
  )
  process.exit(2)
}

/** Prints one check and remembers a failure; `report()` sets the exit code. */
export class Checks {
  #failed: string[] = []

  check(name: string, ok: boolean, detail = ''): boolean {
    console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`)
    if (!ok) this.#failed.push(name)
    return ok
  }

  /** Prints the summary and sets `process.exitCode` to 1 if any check failed. */
  report(): void {
    if (this.#failed.length === 0) {
      console.log('all checks passed')
    } else {
      console.log(`${this.#failed.length} check(s) failed: ${this.#failed.join('; ')}`)
      process.exitCode = 1
    }
  }
}

/**
 * Whether native `address` is the first byte of `bytes` (JS memory): a byte changed through the JS array
 * must show through an external view of the address (and is restored). Proves a pointer is zero-copy.
 */
export function isAddressOf(address: bigint, bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false
  const native = new Uint8Array(koffi.view(address, 1))
  const saved = bytes[0]
  try {
    bytes[0] = saved ^ 0xa5
    return native[0] === bytes[0]
  } finally {
    bytes[0] = saved
  }
}
