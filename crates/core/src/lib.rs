#![doc = include_str!("../README.md")]

pub mod copy;
pub mod element;
pub mod error;
pub mod format;
pub mod matrix;
pub mod plane;
pub mod strings;
pub mod transfer;

pub use error::{Error, ErrorCode, JsClass, Result};
pub use format::{ByteOrder, Format, ScalarKind};
pub use matrix::IndirectMatrix;
