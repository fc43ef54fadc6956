//! Node-API binding of `indirect-buffer`: converts JS values, calls the Node-free core in `crates/core`
//! and maps its errors to JS errors with their codes. The core owns every check, the plane building and
//! the table arithmetic. The public JS API is the TypeScript facade in `lib/`, which builds on these
//! internal exports.

#![deny(clippy::all)]

mod errors;
mod format;
mod matrix;
mod tables;

pub use format::NativeFormat;
pub use matrix::{detach_array_buffer, set_external_buffers_refused, NativeMatrix};
pub use tables::contract_tables;
