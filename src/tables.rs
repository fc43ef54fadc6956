//! The contract's tables as the core defines them, for the facade's parity test: error codes with their
//! JS classes, and every scalar kind with its dtype name, native type character and itemsize.

use indirect_buffer::{ErrorCode, ScalarKind};
use napi_derive::napi;

#[napi(object, object_from_js = false)]
pub struct ErrorRow {
    pub code: String,
    pub js_class: String,
}

#[napi(object, object_from_js = false)]
pub struct ScalarRow {
    pub dtype: String,
    pub native_char: String,
    pub itemsize: u32,
}

#[napi(object, object_from_js = false)]
pub struct ContractTables {
    pub errors: Vec<ErrorRow>,
    pub scalars: Vec<ScalarRow>,
}

/// The tables the facade's TypeScript copies must agree with.
#[napi]
pub fn contract_tables() -> ContractTables {
    ContractTables {
        errors: ErrorCode::ALL
            .iter()
            .map(|c| ErrorRow {
                code: c.as_str().into(),
                js_class: c.js_class().as_str().into(),
            })
            .collect(),
        scalars: ScalarKind::ALL
            .iter()
            .map(|k| ScalarRow {
                dtype: k.dtype().into(),
                native_char: k.native_char().to_string(),
                itemsize: k.size() as u32,
            })
            .collect(),
    }
}
