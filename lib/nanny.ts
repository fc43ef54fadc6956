// Native memory a matrix does not own: its owner object, its memory nanny (`free`, called exactly once),
// and the zero-copy row views (external ArrayBuffers) that must never outlive it.
//
// Lifetime: the matrix holds its Nanny; each row view holds it too, through a WeakMap keyed by the view's
// buffer (an ephemeron: the value lives as long as the key). When the matrix and every view are gone, the
// Nanny is collected and the FinalizationRegistry calls `free`. `release()` calls it at once instead, after
// detaching every view, so no view can reach freed memory.

import { detachArrayBuffer } from './binding.js'

interface FreeRecord {
  arg: unknown
  free: ((arg: never) => void) | undefined
  done: boolean
}

const registry = new FinalizationRegistry<FreeRecord>((record) => {
  if (record.done) return
  record.done = true
  // An exception here surfaces like any FinalizationRegistry callback error.
  record.free?.(record.arg as never)
})

/** Row buffers by address and length: never two external buffers over the same memory. */
const rowBuffers = new Map<string, WeakRef<ArrayBuffer>>()
const forgetRow = new FinalizationRegistry<string>((key) => {
  const ref = rowBuffers.get(key)
  if (ref !== undefined && ref.deref() === undefined) rowBuffers.delete(key)
})
/** The nannies each row buffer keeps alive. */
const holders = new WeakMap<ArrayBuffer, Nanny[]>()

export class Nanny {
  readonly #record: FreeRecord
  /** Kept alive as long as the matrix or any of its views is. */
  readonly owner: unknown
  #views: WeakRef<ArrayBuffer>[] = []

  constructor(arg: unknown, free: ((arg: never) => void) | undefined, owner: unknown) {
    this.#record = { arg, free, done: false }
    this.owner = owner
    registry.register(this, this.#record, this.#record)
  }

  get freed(): boolean {
    return this.#record.done
  }

  /** The external buffer over `length` bytes at `address`, made by `make` unless one is alive already. */
  rowBuffer(address: bigint, length: number, make: () => ArrayBuffer): ArrayBuffer {
    const key = `${address}:${length}`
    let buffer = rowBuffers.get(key)?.deref()
    if (buffer === undefined || (buffer.byteLength === 0 && length > 0)) {
      buffer = make()
      rowBuffers.set(key, new WeakRef(buffer))
      forgetRow.register(buffer, key)
    }
    const list = holders.get(buffer)
    if (list === undefined || !list.includes(this)) {
      if (list === undefined) holders.set(buffer, [this])
      else list.push(this)
      this.#views.push(new WeakRef(buffer))
    }
    return buffer
  }

  /** Detaches every view, then frees the memory (once). An exception from `free` propagates. */
  release(): void {
    for (const ref of this.#views) {
      const buffer = ref.deref()
      if (buffer !== undefined && buffer.byteLength > 0) detachArrayBuffer(buffer)
    }
    this.#views = []
    const record = this.#record
    if (record.done) return
    record.done = true
    registry.unregister(record)
    record.free?.(record.arg as never)
  }
}
