//! Core errors → JS errors: the contract's `code`, thrown as the class the core names for it.

use indirect_buffer::{Error as CoreError, ErrorCode, JsClass};
use napi::{bindgen_prelude::*, JsError, JsRangeError, JsTypeError};

/// Throws `e` as the JS error its code calls for and returns the marker napi-rs expects after a throw.
pub fn throw(env: &Env, e: CoreError) -> napi::Error {
    let err = napi::Error::new(e.code.as_str(), e.message);
    let raw = env.raw();
    // SAFETY: `raw` is the live env of the current call.
    unsafe {
        match e.code.js_class() {
            JsClass::TypeError => JsTypeError::from(err).throw_into(raw),
            JsClass::RangeError => JsRangeError::from(err).throw_into(raw),
            JsClass::Error => JsError::from(err).throw_into(raw),
        }
    }
    napi::Error::new(Status::PendingException, String::new())
}

/// `Result<T, CoreError>` → `napi::Result<T>`, throwing on the way.
pub trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for std::result::Result<T, CoreError> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| throw(env, e))
    }
}

/// An `ERR_INVALID_ARGUMENT` error.
pub fn invalid_argument(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}
