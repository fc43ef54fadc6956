// indirect-buffer: indirect 2-D matrices (T**) for Node.js and Electron.

export { IndirectMemory2D, type CreateMemoryOptions } from './memory.js'
export { Indirect2D, type ElementValue, type BufferExport, type AcquireOptions, type ToTypedArrayOptions } from './matrix.js'
export { type ErrorCode, type IndirectBufferError } from './errors.js'
export { type Dtype, type AnyTypedArray, type InputOf, type RowArray, type ValueOf } from './formats.js'
