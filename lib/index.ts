// indirect-buffer: indirect 2-D matrices (T**) for Node.js and Electron.

export {
  IndirectMemory2D,
  type CreateMemoryOptions,
  type CreateRaggedOptions,
  type FromStringsOptions,
  type ViewOptions,
  type NativeMemoryOptions,
  type RowPointersOptions,
  type StringArrayOptions,
} from './memory.js'
export { BufferCollection2D, type BufferCollectionOptions, type RowObject } from './collection.js'
export { Indirect2D, type ElementValue, type BufferExport, type AcquireOptions, type ToTypedArrayOptions, type CopyOptions, type CopySource } from './matrix.js'
export { type Source2D, type NdarrayLike } from './sources.js'
export { type ErrorCode, type IndirectBufferError } from './errors.js'
export { type Dtype, type AnyTypedArray, type InputOf, type RowArray, type ValueOf } from './formats.js'
