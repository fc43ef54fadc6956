// The one place the facade loads the native binding (the napi-generated loader in the package root).
//
// Before loading, a missing permission is reported by name: the generated loader turns every load failure
// into a generic "npm has a bug related to optional dependencies" message that hides it. On Deno without
// --allow-env, the generated loader cannot run at all (it reads NAPI_RS_* variables), so the addon of this
// platform is required directly: FFI needs only --allow-ffi and read access to the package.

type Binding = typeof import('../index.js')

interface DenoLike {
  permissions?: { querySync?(descriptor: { name: string }): { state: string } }
}

interface NodePermission {
  has(scope: string): boolean
}

function accessDenied(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_ACCESS_DENIED' })
}

/** False only when Node's permission model is on and refuses addons (an older Node may not know the scope). */
function nodeAllowsAddons(): boolean {
  const permission = (process as { permission?: NodePermission }).permission
  if (permission === undefined) return true
  try {
    return permission.has('addon')
  } catch {
    return true
  }
}

function denoPermission(deno: DenoLike, name: string): string {
  try {
    return deno.permissions?.querySync?.({ name }).state ?? 'granted'
  } catch {
    return 'granted'
  }
}

/** The napi platform suffixes (`indirect-buffer.<suffix>.node`, package `indirect-buffer-<suffix>`) to try here. */
function platformSuffixes(): string[] {
  const { platform, arch } = process
  if (platform === 'linux') return arch === 'arm' ? ['linux-arm-gnueabihf'] : [`linux-${arch}-gnu`, `linux-${arch}-musl`]
  if (platform === 'win32') return [`win32-${arch}-msvc`]
  return [`${platform}-${arch}`]
}

function requireAddonDirectly(): Binding {
  const errors: unknown[] = []
  for (const suffix of platformSuffixes()) {
    for (const id of [`../indirect-buffer.${suffix}.node`, `indirect-buffer-${suffix}`]) {
      try {
        return require(id) as Binding
      } catch (error) {
        errors.push(error)
      }
    }
  }
  throw new AggregateError(errors, `indirect-buffer: no native addon for ${process.platform}-${process.arch} could be loaded`)
}

function loadBinding(): Binding {
  const deno = (globalThis as { Deno?: DenoLike }).Deno
  if (deno !== undefined) {
    if (denoPermission(deno, 'ffi') !== 'granted') {
      throw accessDenied('indirect-buffer loads a native addon: run Deno with --allow-ffi (and read access to the package)')
    }
    if (denoPermission(deno, 'env') !== 'granted') return requireAddonDirectly()
  } else {
    if (!nodeAllowsAddons()) {
      throw accessDenied('indirect-buffer loads a native addon: with --permission, pass --allow-addons')
    }
  }
  return require('../index.js') as Binding
}

const binding = loadBinding()

export const { NativeFormat, NativeMatrix, detachArrayBuffer } = binding
export type NativeFormat = import('../index.js').NativeFormat
export type NativeMatrix = import('../index.js').NativeMatrix
