// JS-side lifetime of a matrix: the checks before memory is touched, the hold that keeps a matrix alive through
// the synchronous code that read its address, exports (acquire, withPointer) and release.
//
// Nothing here is process-wide machinery: no async_hooks, no promise hooks, nothing that keeps the event loop
// alive. A pointer read costs a compare (an array push once per flush) and, at most every 100 ms, an unref'd
// timer (below); asynchronous native calls are covered only by an explicit hold (an export), which is what the
// documentation shows.

import { makeError } from './errors.js'
import { type State, segmentOfRow } from './state.js'

/** Throws unless the matrix may be touched at all: not released, no detached row seen. */
export function checkLive(s: State): void {
  if (s.released) throw makeError('ERR_RELEASED', 'the matrix was released')
  if (s.detached) throw detachedError()
}

/** Whole-matrix check: live, and every segment of JS memory still attached (one `length` read each). */
export function checkAll(s: State): void {
  // One test of fields in the State's first cache line for the usual one-segment matrix; the rest out of line.
  if (s.released || s.detached || s.manySegments || s.firstGuard.length === 0) checkEverySegment(s)
}

function checkEverySegment(s: State): void {
  checkLive(s)
  const guards = s.guards
  for (let i = 0; i < guards.length; i++) {
    if (guards[i].length === 0) latchDetached(s)
  }
}

/** Element check: live, and the segment row `r` lies in still attached (constant time whatever the row count). */
export function checkRow(s: State, r: number): void {
  checkLive(s)
  const plane = s.plane
  if (plane !== undefined && plane.segments.length > 0) {
    if (s.guards[segmentOfRow(plane.layout, r)].length === 0) latchDetached(s)
  }
}

function detachedError(): Error {
  return makeError('ERR_DETACHED', 'a source ArrayBuffer of this matrix was detached or transferred')
}

/**
 * From now on the matrix — the whole family of a collection and its sub-matrices, which share rows — refuses
 * memory operations: the row caches go, so the fast paths fall through to the checks.
 */
function latchDetached(s: State): never {
  let root = s
  while (root.parent !== undefined) root = root.parent
  latchTree(root)
  throw detachedError()
}

function latchTree(s: State): void {
  s.detached = true
  s.dropRows(false)
  for (const ref of s.children ?? []) {
    const child = ref.deref()
    if (child !== undefined) latchTree(child)
  }
}

// ---- Holds through synchronous code --------------------------------------------------------------------------
// `sum2d(createMemory(…).pointer, …)`: nothing but this list refers to the matrix while C runs. Any callback the
// event loop runs later empties it, since the synchronous code that read the address has returned by then.
//
// The list is emptied by an unref'd timer, at most every FLUSH_MS whatever the number of reads. Measured on the
// benchmark's async pipeline (256 steps over 8 macrotasks, an address read per step; no hold at all: 1.02):
// a promise reaction per microtask cost 1.25, an unref'd Immediate per macrotask 1.45, a zero-delay timer
// 1.07–1.14, this one 0.97–1.08. Every 100 ms rather than 10: after the benchmark's warm-up, six runs each
// measured 1.01–1.04 (mean 1.025) against 1.01–1.05 (mean 1.035). What it holds for that time is bounded: past
// HOLD_LIMIT matrices or HOLD_BYTES of their memory, a microtask (a reaction on a settled promise, a third of
// queueMicrotask's cost in Node) empties the list as soon as the synchronous code has returned. Without
// `setTimeout` that microtask is the only flush.

const FLUSH_MS = 100
const HOLD_LIMIT = 1024
const HOLD_BYTES = 64 * 1024 * 1024

type Timer = number | { unref?: () => unknown }
const { setTimeout: later, Deno } = globalThis as {
  setTimeout?: (fn: () => void, ms: number) => Timer
  Deno?: { unrefTimer?: (id: number) => void }
}

/** Schedules `fn` without keeping the event loop alive (Node, Bun: `unref()`; Deno: `Deno.unrefTimer`). */
function flushLater(fn: () => void): boolean {
  if (later === undefined) return false
  const timer = later.call(globalThis, fn, FLUSH_MS)
  if (typeof timer === 'number') Deno?.unrefTimer?.(timer)
  else timer?.unref?.()
  return true
}

// One array for the life of the process, emptied in place. With a new array at every flush, the benchmark's
// async pipeline under forced collections was deoptimized 65 times in one run of three (4 in the others); with
// the array kept, 2–4 times in each of three.
const held: (State | undefined)[] = []
let heldBytes = 0
const settled = Promise.resolve()
let timerQueued = false
let microtaskQueued = false
let epoch = 1

function flush(): void {
  held.length = 0
  heldBytes = 0
  epoch++
}

function flushTimer(): void {
  timerQueued = false
  flush()
}

function flushMicrotask(): void {
  microtaskQueued = false
  flush()
}

/** Keeps `s` alive until the current synchronous code has run to completion. */
export function holdThroughSyncCode(s: State): void {
  // Small enough that V8 inlines it into any caller whatever its inlining budget (a read already held this
  // epoch costs a compare); the rest out of line. The benchmark's pipeline, which inlines it either way,
  // measured the same.
  if (s.holdEpoch !== epoch) hold(s)
}

function hold(s: State): void {
  s.holdSlot = held.push(s) - 1
  s.holdEpoch = epoch
  heldBytes += s.rows * s.cols * s.itemsize
  if (!timerQueued) timerQueued = flushLater(flushTimer)
  if ((!timerQueued || held.length > HOLD_LIMIT || heldBytes > HOLD_BYTES) && !microtaskQueued) {
    microtaskQueued = true
    settled.then(flushMicrotask)
  }
}

function dropHold(s: State): void {
  if (s.holdEpoch === epoch) held[s.holdSlot] = undefined
}

// ---- Exports -------------------------------------------------------------------------------------------------

/** Matrices with outstanding exports (State → the public object): held until the last export is released. */
const exported = new Map<State, object>()

/** The buffer export returned by `acquire()`: counts as a lock until released. */
export interface BufferExport {
  /** The row-pointer table (`T**`). */
  readonly pointer: bigint
  readonly rows: number
  readonly cols: number
  readonly format: string
  readonly itemsize: number
  /** Whether the matrix is read-only. */
  readonly readonly: boolean
  /** Ends the export (idempotent). */
  release(): void
  /** Same as `release()`, for `using`. */
  [Symbol.dispose](): void
}

/** Exports `s` (checked as a whole-matrix operation). */
export function acquire(s: State, writable: boolean, matrix: { readonly pointer: bigint }): BufferExport {
  checkAll(s)
  if (writable && s.readonly) throw makeError('ERR_READONLY', 'buffer is not writable')
  const address = matrix.pointer
  if (s.locks++ === 0) exported.set(s, matrix)
  let owner: State | undefined = s
  const release = (): void => {
    if (owner === undefined) return
    const t = owner
    owner = undefined
    unlock(t)
  }
  return {
    pointer: address,
    rows: s.rows,
    cols: s.cols,
    format: s.format.text,
    itemsize: s.format.itemsize,
    readonly: s.readonly,
    release,
    [Symbol.dispose]: release,
  }
}

function unlock(s: State): void {
  if (--s.locks === 0) exported.delete(s)
  // A dispose deferred on this matrix or a parent runs once nothing below it is exported any more.
  for (let t: State | undefined = s; t !== undefined; t = t.parent) {
    if (t.disposePending && !t.released && !anyLocked(t)) {
      t.disposePending = false
      releaseTree(t)
      return
    }
  }
}

/** Calls `fn(pointer)` while an export is held; a promise (or thenable) result holds it until it settles. */
export function withPointer<R>(s: State, fn: (pointer: bigint) => R, writable: boolean, matrix: { readonly pointer: bigint }): R {
  const exp = acquire(s, writable, matrix)
  let result: R
  let then: unknown
  try {
    result = fn(exp.pointer)
    then = isObject(result) ? (result as { then?: unknown }).then : undefined
  } catch (e) {
    exp.release()
    throw e
  }
  if (typeof then !== 'function') {
    exp.release()
    return result
  }
  return (then as PromiseLike<unknown>['then']).call(
    result,
    (value) => {
      exp.release()
      return value
    },
    (error: unknown) => {
      exp.release()
      throw error
    },
  ) as R
}

function isObject(x: unknown): boolean {
  return (typeof x === 'object' && x !== null) || typeof x === 'function'
}

/** Whether `s` or a live sub-matrix of it has exports outstanding. */
export function anyLocked(s: State): boolean {
  if (s.locks > 0) return true
  for (const ref of s.children ?? []) {
    const child = ref.deref()
    if (child !== undefined && !child.released && anyLocked(child)) return true
  }
  return false
}

// ---- Release -------------------------------------------------------------------------------------------------

/** `release()`: `ERR_LOCKED` while exported; a second call is a no-op. */
export function release(s: State): void {
  if (s.released) return
  if (anyLocked(s)) throw makeError('ERR_LOCKED', 'buffer is locked')
  releaseTree(s)
}

/** `[Symbol.dispose]()`: `release()`, or deferred to the end of the last export while one is outstanding. */
export function dispose(s: State): void {
  if (s.released) return
  if (anyLocked(s)) s.disposePending = true
  else releaseTree(s)
}

/** Releases `s` and its sub-matrices, keeping nothing that holds memory: no hold, no sources, no row views. */
function releaseTree(s: State): void {
  s.released = true
  dropHold(s)
  s.dropRows(false)
  s.native?.release()
  s.native = undefined
  s.forgetMemory()
  s.keep = []
  s.rowAddresses = undefined
  s.table = undefined
  s.tableAddresses = undefined
  const children = s.children
  s.children = undefined
  for (const ref of children ?? []) {
    const child = ref.deref()
    if (child !== undefined && !child.released) releaseTree(child)
  }
  const nanny = s.nanny
  s.nanny = undefined
  // Last, so that the matrix is consistent if the nanny's `free` throws (the exception propagates).
  if (s.ownsNanny) nanny?.release()
}

/** Registers a sub-matrix: released with its parent, and a lock on it counts as one on the parent. */
export function adopt(parent: State, child: State): void {
  ;(parent.children ??= new Set()).add(new WeakRef(child))
}
