// Keeps matrices alive while native code may still use an address read from them.
//
// A matrix whose `pointer` was read stays alive until the current task (macrotask) ends, and until every
// asynchronous native operation started during that task has completed — e.g. a koffi `.async()` call
// that received the address: `fn.async(mem.pointer, …, cb)` stays safe even if JS drops `mem` at once.
// Async operations are seen through async_hooks, enabled only while pins exist.

import { type AsyncHook, createHook } from 'node:async_hooks'

/**
 * Async resources of Node itself never receive an address from JS: its providers are named in capitals
 * (FSREQCALLBACK, TCPSERVERWRAP, PROMISE, …) plus the timers and ticks. Pinning on them would tie a matrix to
 * a server or a file handle opened in the same task. Native async work (koffi names it after the function,
 * other addons after their resource) does pin.
 */
function ignored(type: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(type) || type === 'Timeout' || type === 'Immediate' || type === 'TickObject' || type === 'Microtask'
}

const taskPins = new Set<object>()
/** Advanced at the end of every task that pinned something: a matrix whose epoch is current is pinned already. */
export let pinEpoch = 1
const resourcePins = new Map<number, object[]>()
let hook: AsyncHook | undefined
let enabled = false
let flushScheduled = false

function flush(): void {
  flushScheduled = false
  pinEpoch++
  taskPins.clear()
  maybeDisable()
}

function maybeDisable(): void {
  if (enabled && taskPins.size === 0 && resourcePins.size === 0) {
    hook?.disable()
    enabled = false
  }
}

/** Pins `target` for the current task and the async native operations started during it. */
export function pinForNativeUse(target: object): void {
  if (taskPins.has(target)) return
  taskPins.add(target)
  if (!enabled) {
    hook ??= createHook({
      init(asyncId, type) {
        if (taskPins.size > 0 && !ignored(type)) resourcePins.set(asyncId, [...taskPins])
      },
      destroy(asyncId) {
        if (resourcePins.delete(asyncId)) maybeDisable()
      },
    })
    hook.enable()
    enabled = true
  }
  if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flush).unref()
  }
}
