//! Formats for the JS facade: parsed once per format string by the core, then passed by reference to every
//! call that needs one (no string conversion or parse on hot paths such as a small copy).

use indirect_buffer::{ErrorCode, Format};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::OrThrow;

/// A parsed format.
#[napi]
pub struct NativeFormat {
    pub(crate) format: Format,
}

#[napi]
impl NativeFormat {
    /// Parses `format` (any JS value: non-strings are `ERR_INVALID_FORMAT`).
    #[napi(factory)]
    pub fn parse(env: &Env, format: Unknown) -> Result<Self> {
        if format.get_type()? != ValueType::String {
            return Err(crate::errors::throw(
                env,
                indirect_buffer::Error::new(ErrorCode::InvalidFormat, "a format must be a string"),
            ));
        }
        // SAFETY: the value was just checked to be a string.
        let text: String = unsafe { String::from_napi_value(env.raw(), format.raw())? };
        Ok(NativeFormat {
            format: Format::parse(&text).or_throw(env)?,
        })
    }

    #[napi(getter)]
    pub fn itemsize(&self) -> u32 {
        u32::try_from(self.format.itemsize()).unwrap_or(u32::MAX)
    }

    #[napi(getter)]
    pub fn align(&self) -> u32 {
        u32::try_from(self.format.align()).unwrap_or(u32::MAX)
    }

    #[napi(getter)]
    pub fn byte_order(&self) -> &'static str {
        self.format.byte_order().as_str()
    }

    #[napi(getter)]
    pub fn native_order(&self) -> bool {
        self.format.is_native_order()
    }

    /// The canonical dtype name, or `"record"`.
    #[napi(getter)]
    pub fn dtype(&self) -> &'static str {
        self.format.dtype()
    }

    #[napi(getter)]
    pub fn record(&self) -> bool {
        self.format.is_record()
    }

    /// Whether the two formats describe the same bytes.
    #[napi]
    pub fn matches(&self, other: &NativeFormat) -> bool {
        self.format.matches(&other.format)
    }
}
