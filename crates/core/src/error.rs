//! Error codes shared by the core and every binding. The codes and messages are part of the public API;
//! the Node binding turns them into JS errors with a `code` property.

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
    Ragged,
    NoExternalBuffers,
}

/// The JS class an error of a code is thrown as (JS convention: `TypeError` for a value of the wrong
/// kind, `RangeError` for a number outside its range, `Error` for the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsClass {
    Error,
    TypeError,
    RangeError,
}

impl JsClass {
    /// The constructor's name.
    pub fn as_str(self) -> &'static str {
        match self {
            JsClass::Error => "Error",
            JsClass::TypeError => "TypeError",
            JsClass::RangeError => "RangeError",
        }
    }
}

impl ErrorCode {
    /// Every code, in declaration order: the one list bindings and the parity test read.
    pub const ALL: [ErrorCode; 22] = {
        use ErrorCode::*;
        [
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
            Ragged,
            NoExternalBuffers,
        ]
    };

    /// The JS class of errors with this code.
    pub fn js_class(self) -> JsClass {
        use ErrorCode::*;
        match self {
            InvalidFormat | FormatUnsupported | InvalidArgument | Readonly => JsClass::TypeError,
            InvalidShape | OutOfBounds => JsClass::RangeError,
            _ => JsClass::Error,
        }
    }

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
            Ragged => "ERR_RAGGED",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_with_a_distinct_string() {
        let names: std::collections::HashSet<_> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert!(names.iter().all(|n| n.starts_with("ERR_")));
        assert_eq!(ErrorCode::Ragged.as_str(), "ERR_RAGGED");
        assert_eq!(ErrorCode::OutOfBounds.js_class(), JsClass::RangeError);
    }
}
