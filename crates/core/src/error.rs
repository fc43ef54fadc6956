//! Error codes shared by the core and every binding. The codes and messages are the public contract
//! (API.md); the Node binding turns them into JS errors with a `code` property.

use std::fmt;

/// The stable error codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidFormat,
    FormatUnsupported,
    InvalidShape,
    InvalidArgument,
    OutOfBounds,
    Readonly,
    Locked,
    Dimensions,
    ShapeMismatch,
    FormatMismatch,
    ItemsizeMismatch,
    NotContiguous,
    TooManyDimensions,
    ColumnCount,
    RowFormat,
    RowDimensions,
    RowCount,
    NullPointer,
    Detached,
    Released,
    NoExternalBuffers,
}

impl ErrorCode {
    /// The `code` string users see.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidFormat => "ERR_INVALID_FORMAT",
            FormatUnsupported => "ERR_FORMAT_UNSUPPORTED",
            InvalidShape => "ERR_INVALID_SHAPE",
            InvalidArgument => "ERR_INVALID_ARGUMENT",
            OutOfBounds => "ERR_OUT_OF_BOUNDS",
            Readonly => "ERR_READONLY",
            Locked => "ERR_LOCKED",
            Dimensions => "ERR_DIMENSIONS",
            ShapeMismatch => "ERR_SHAPE_MISMATCH",
            FormatMismatch => "ERR_FORMAT_MISMATCH",
            ItemsizeMismatch => "ERR_ITEMSIZE_MISMATCH",
            NotContiguous => "ERR_NOT_CONTIGUOUS",
            TooManyDimensions => "ERR_TOO_MANY_DIMENSIONS",
            ColumnCount => "ERR_COLUMN_COUNT",
            RowFormat => "ERR_ROW_FORMAT",
            RowDimensions => "ERR_ROW_DIMENSIONS",
            RowCount => "ERR_ROW_COUNT",
            NullPointer => "ERR_NULL_POINTER",
            Detached => "ERR_DETACHED",
            Released => "ERR_RELEASED",
            NoExternalBuffers => "ERR_NO_EXTERNAL_BUFFERS",
        }
    }
}

/// An error with its contract code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
