// The one place the facade loads the native binding (the napi-generated loader in the package root).

export { NativeFormat, NativeMatrix, detachArrayBuffer } from '../index.js'
