//! # indirect-buffer
//!
//! 2-D *indirect* matrices: a table of `rows` row pointers (`T**`), each pointing at `cols` contiguous
//! elements of one format. This crate is the Node-free core of the `indirect-buffer` npm package:
//! format parsing ([`format`]), element access with JavaScript's conversion rules ([`element`]),
//! row tables with their ownership ([`matrix`]) and the copy kernels ([`copy`]).

pub mod element;
pub mod error;
pub mod format;
pub mod matrix;

pub use error::{Error, ErrorCode, Result};
pub use format::{ByteOrder, Format, ScalarKind};
pub use matrix::IndirectMatrix;
