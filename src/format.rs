//! Format descriptions for the JS facade, parsed once per format string by the core.

use indirect_buffer::{ErrorCode, Format};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::OrThrow;

/// What the facade needs to know of a format.
#[napi(object)]
pub struct FormatInfo {
    pub itemsize: u32,
    pub align: u32,
    pub byte_order: String,
    pub native_order: bool,
    /// The canonical dtype name, or `"record"`.
    pub dtype: String,
    pub record: bool,
}

/// Parses `format` (any JS value: non-strings are `ERR_INVALID_FORMAT`).
#[napi]
pub fn format_info(env: &Env, format: Unknown) -> Result<FormatInfo> {
    let text = parse_text(env, format)?;
    let f = Format::parse(&text).or_throw(env)?;
    Ok(FormatInfo {
        itemsize: u32::try_from(f.itemsize()).unwrap_or(u32::MAX),
        align: u32::try_from(f.align()).unwrap_or(u32::MAX),
        byte_order: f.byte_order().as_str().to_owned(),
        native_order: f.is_native_order(),
        dtype: f.dtype().to_owned(),
        record: f.is_record(),
    })
}

/// Whether two formats describe the same bytes.
#[napi]
pub fn formats_match(env: &Env, a: String, b: String) -> Result<bool> {
    let a = Format::parse(&a).or_throw(env)?;
    let b = Format::parse(&b).or_throw(env)?;
    Ok(a.matches(&b))
}

fn parse_text(env: &Env, value: Unknown) -> Result<String> {
    if value.get_type()? != ValueType::String {
        return Err(crate::errors::throw(
            env,
            indirect_buffer::Error::new(ErrorCode::InvalidFormat, "a format must be a string"),
        ));
    }
    // SAFETY: the value was just checked to be a string.
    let s: String = unsafe { String::from_napi_value(env.raw(), value.raw())? };
    Ok(s)
}

/// Parses a format string given by the facade.
pub fn parse(env: &Env, text: &str) -> Result<Format> {
    Format::parse(text).or_throw(env)
}
