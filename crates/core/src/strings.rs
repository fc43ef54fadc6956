//! String tables: `char **` lists of NUL-terminated UTF-8 rows (`argv`, GLib's `gchar **` strv, GDAL's
//! option lists), as ragged tables of format `'B'` whose row lengths count each row's NUL byte.
//!
//! ```
//! use indirect_buffer::IndirectMatrix;
//! let table = IndirectMatrix::from_strings(&["héllo", "", "wörld"])?.null_terminated()?;
//! assert_eq!(table.row_lengths(), vec![7, 1, 7]);
//! assert_eq!(table.to_strings()?, vec!["héllo", "", "wörld"]);
//! // The same table seen as C sees it: up to its NULL entry, each row measured with strlen + 1.
//! // SAFETY: `table` (rows and NULL-terminated table) outlives `wrapped`.
//! let wrapped = unsafe { IndirectMatrix::from_c_strings(table.pointer(), None)? };
//! assert_eq!((wrapped.rows(), wrapped.row_lengths()), (3, vec![7, 1, 7]));
//! assert!(IndirectMatrix::from_strings(&["a\0b"]).is_err());
//! # Ok::<(), indirect_buffer::Error>(())
//! ```

use crate::error::{Error, ErrorCode, Result};
use crate::format::Format;
use crate::matrix::IndirectMatrix;

/// The bytes of one row of a string table: the UTF-8 of `s` and one NUL; `ERR_INVALID_ARGUMENT` for a
/// string with an embedded NUL (C would see it end there).
pub fn c_string_bytes(index: usize, s: &str) -> Result<Vec<u8>> {
    if s.as_bytes().contains(&0) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("string {index} contains a NUL character, which would end it early in C"),
        ));
    }
    let mut bytes = Vec::with_capacity(s.len() + 1);
    bytes.extend_from_slice(s.as_bytes());
    bytes.push(0);
    Ok(bytes)
}

fn byte_format() -> Format {
    Format::scalar_native(crate::format::ScalarKind::U8)
}

impl IndirectMatrix {
    /// An owned string table: row `i` holds the UTF-8 bytes of `strings[i]` and a NUL byte, so
    /// `row_len(i)` is the byte length plus one. Call [`null_terminated`](Self::null_terminated) for
    /// APIs that expect a NULL entry after the last string.
    pub fn from_strings<S: AsRef<str>>(strings: &[S]) -> Result<Self> {
        let rows = strings
            .iter()
            .enumerate()
            .map(|(i, s)| c_string_bytes(i, s.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let lengths: Vec<usize> = rows.iter().map(Vec::len).collect();
        let mut m = IndirectMatrix::new_ragged(&lengths, byte_format())?;
        for (r, bytes) in rows.iter().enumerate() {
            m.row_bytes_mut(r)?.copy_from_slice(bytes);
        }
        Ok(m)
    }

    /// Wraps a `char **` that C made, in place: `count` strings, or when `count` is `None` every entry up
    /// to the table's NULL entry (then [`is_null_terminated`](Self::is_null_terminated) is `true`). Each
    /// row's length is its `strlen` + 1, measured now. A null entry among the first `count` is
    /// `ERR_NULL_POINTER`.
    ///
    /// # Safety
    /// `table` must hold `count` readable entries (or entries up to a NULL one), each a NUL-terminated
    /// string, valid (and unchanged in length) for as long as the matrix lives.
    pub unsafe fn from_c_strings(table: *mut *mut u8, count: Option<usize>) -> Result<Self> {
        if table.is_null() {
            return Err(Error::new(
                ErrorCode::NullPointer,
                "the string table is a null pointer",
            ));
        }
        let mut lengths = Vec::new();
        loop {
            if count == Some(lengths.len()) {
                break;
            }
            // SAFETY: the entry is one of the `count` (or up to the NULL) entries the caller vouches for.
            let row = unsafe { table.add(lengths.len()).read() };
            if row.is_null() {
                if count.is_none() {
                    break;
                }
                return Err(Error::new(
                    ErrorCode::NullPointer,
                    format!("row pointer {} is null", lengths.len()),
                ));
            }
            // SAFETY: the caller vouches for a NUL-terminated string at `row`.
            let len = unsafe { std::ffi::CStr::from_ptr(row.cast()) }
                .to_bytes()
                .len();
            lengths.push(len + 1);
        }
        // SAFETY: forwarded to the caller; every row is `strlen + 1` readable bytes.
        let mut m = unsafe { IndirectMatrix::from_ragged_table(table, lengths, byte_format()) }?;
        m.set_null_terminated_in_place(count.is_none());
        Ok(m)
    }

    /// Every row decoded as UTF-8 up to its first NUL byte (or its end), invalid bytes as U+FFFD. Byte
    /// formats only (itemsize 1, scalar): `ERR_FORMAT_UNSUPPORTED` otherwise.
    pub fn to_strings(&self) -> Result<Vec<String>> {
        if self.format().itemsize() != 1 || self.format().is_record() {
            return Err(Error::new(
                ErrorCode::FormatUnsupported,
                format!(
                    "only byte formats hold strings, not {:?}",
                    self.format().text()
                ),
            ));
        }
        (0..self.rows())
            .map(|r| {
                let bytes = self.row_bytes(r)?;
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_tables_refuse_null_rows_and_empty_lists_work() {
        let empty = IndirectMatrix::from_strings::<&str>(&[])
            .unwrap()
            .null_terminated()
            .unwrap();
        assert_eq!(empty.rows(), 0);
        // SAFETY: the empty table's only entry is its NULL terminator.
        let wrapped = unsafe { IndirectMatrix::from_c_strings(empty.pointer(), None) }.unwrap();
        assert_eq!((wrapped.rows(), wrapped.is_null_terminated()), (0, true));
        // SAFETY: as above; asking for one string meets the NULL entry.
        let e = unsafe { IndirectMatrix::from_c_strings(empty.pointer(), Some(1)) }.unwrap_err();
        assert_eq!(e.code, ErrorCode::NullPointer);
        // SAFETY: a null table is refused before anything is read.
        let e = unsafe { IndirectMatrix::from_c_strings(std::ptr::null_mut(), None) }.unwrap_err();
        assert_eq!(e.code, ErrorCode::NullPointer);
    }

    #[test]
    fn counted_tables_stop_at_count_and_decoding_stops_at_nul() {
        let t = IndirectMatrix::from_strings(&["ab", "c"]).unwrap();
        // SAFETY: `t` has two rows.
        let one = unsafe { IndirectMatrix::from_c_strings(t.pointer(), Some(1)) }.unwrap();
        assert_eq!(
            (one.rows(), one.to_strings().unwrap()),
            (1, vec!["ab".to_string()])
        );
        let d = IndirectMatrix::new(1, 2, Format::parse("d").unwrap()).unwrap();
        assert_eq!(
            d.to_strings().unwrap_err().code,
            ErrorCode::FormatUnsupported
        );
        let e = IndirectMatrix::from_strings(&["ok", "x\0"]).unwrap_err();
        assert_eq!(
            (e.code, e.message.starts_with("string 1")),
            (ErrorCode::InvalidArgument, true)
        );
    }
}
