// indirect-buffer: indirect 2-D matrices (T**) for Node.js and Electron.

export { BufferCollection2D, type BufferCollectionOptions, type RowObject } from './collection.js'
export type { ErrorCode, IndirectBufferError } from './errors.js'
export type { AnyTypedArray, ByteFormat, Dtype, InputOf, RowArray, ValueOf } from './formats.js'
export {
  type AcquireOptions,
  type BufferExport,
  type CopyOptions,
  type CopySource,
  type ElementValue,
  Indirect2D,
  type ToTypedArrayOptions,
} from './matrix.js'
export {
  type CreateMemoryOptions,
  type CreateRaggedOptions,
  type FromStringsOptions,
  IndirectMemory2D,
  type NativeMemoryOptions,
  type RowPointersOptions,
  type StringArrayOptions,
  type ViewOptions,
} from './memory.js'
export type { NdarrayLike, Source2D } from './sources.js'
