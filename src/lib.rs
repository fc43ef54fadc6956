//! Node-API binding of `indirect-buffer`: thin wrappers that convert JS values, validate them and call the
//! Node-free core in `crates/core`. The public JS API is the TypeScript facade in `lib/`, which builds on
//! these internal exports.

#![deny(clippy::all)]

mod errors;
mod format;
mod matrix;

pub use format::NativeFormat;
pub use matrix::{detach_array_buffer, set_external_buffers_refused, NativeMatrix};
