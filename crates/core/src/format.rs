//! Element formats: which spellings name an element type, how many bytes it takes, and when two
//! spellings describe the same bytes.
//!
//! Three spellings are accepted (the package's documented formats):
//! - a Python `struct` scalar: an optional byte-order prefix (`@ = < > !`) and one type character;
//! - a Python `struct` compound format ("record"): several items, repeat counts, `x` padding and
//!   `Ns` strings, sized exactly like `struct.calcsize`;
//! - a dtype name (`int8`, `uint8c`, `float64`, `bool`, ...) in native byte order.
//!
//! Parsing never panics: every rejection is an [`ErrorCode::InvalidFormat`] naming the text.

use crate::error::{Error, ErrorCode, Result};

/// Longest format text accepted; a cheap guard so hostile input cannot make parsing expensive.
const MAX_FORMAT_LEN: usize = 4096;

/// How many characters of an over-long format the error message quotes.
const QUOTED_PREFIX_LEN: usize = 32;

/// The byte order of multi-byte elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    /// The host's byte order: what `@`, `=`, no prefix and the dtype names mean.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "little") {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    };

    /// The name users see (`"little"` or `"big"`), as in Node's `os.endianness()` spelled out.
    pub fn as_str(self) -> &'static str {
        match self {
            ByteOrder::Little => "little",
            ByteOrder::Big => "big",
        }
    }
}

/// The element kind of a scalar format (what `get` returns and how `set` converts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    Bool,
    I8,
    U8,
    U8Clamped,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F16,
    F32,
    F64,
}

impl ScalarKind {
    /// Every kind, in declaration order (handy for exhaustive loops in tests and bindings).
    pub const ALL: [ScalarKind; 13] = [
        ScalarKind::Bool,
        ScalarKind::I8,
        ScalarKind::U8,
        ScalarKind::U8Clamped,
        ScalarKind::I16,
        ScalarKind::U16,
        ScalarKind::I32,
        ScalarKind::U32,
        ScalarKind::I64,
        ScalarKind::U64,
        ScalarKind::F16,
        ScalarKind::F32,
        ScalarKind::F64,
    ];

    /// Bytes per element.
    pub fn size(self) -> usize {
        use ScalarKind::*;
        match self {
            Bool | I8 | U8 | U8Clamped => 1,
            I16 | U16 | F16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
        }
    }

    /// The dtype name of this kind; also the format text that parses back to it.
    pub fn dtype(self) -> &'static str {
        use ScalarKind::*;
        match self {
            Bool => "bool",
            I8 => "int8",
            U8 => "uint8",
            U8Clamped => "uint8c",
            I16 => "int16",
            U16 => "uint16",
            I32 => "int32",
            U32 => "uint32",
            I64 => "int64",
            U64 => "uint64",
            F16 => "float16",
            F32 => "float32",
            F64 => "float64",
        }
    }

    /// 64-bit integers surface in JavaScript as BigInt, not Number.
    pub fn is_bigint(self) -> bool {
        matches!(self, ScalarKind::I64 | ScalarKind::U64)
    }

    /// Floating-point kinds convert with rounding instead of integer wrapping.
    pub fn is_float(self) -> bool {
        matches!(self, ScalarKind::F16 | ScalarKind::F32 | ScalarKind::F64)
    }

    /// Whether the kind holds negative values (signed integers and every float).
    pub fn is_signed(self) -> bool {
        use ScalarKind::*;
        matches!(self, I8 | I16 | I32 | I64 | F16 | F32 | F64)
    }

    /// The `struct` character of the native-order format of this kind (`uint8c` has none of its own,
    /// it shares `B`).
    pub fn native_char(self) -> char {
        use ScalarKind::*;
        match self {
            Bool => '?',
            I8 => 'b',
            U8 | U8Clamped => 'B',
            I16 => 'h',
            U16 => 'H',
            I32 => 'i',
            U32 => 'I',
            I64 => 'q',
            U64 => 'Q',
            F16 => 'e',
            F32 => 'f',
            F64 => 'd',
        }
    }

    /// The kind as far as the bytes go: clamping is a `set` rule, not a byte layout.
    fn bytes_kind(self) -> ScalarKind {
        match self {
            ScalarKind::U8Clamped => ScalarKind::U8,
            other => other,
        }
    }

    /// The dtype-name spelling, if `text` is one.
    fn from_dtype(text: &str) -> Option<ScalarKind> {
        ScalarKind::ALL
            .into_iter()
            .find(|kind| kind.dtype() == text)
    }

    /// The integer kind of a given size, for the platform-sized `l L n N P`.
    fn int_of_size(size: usize, signed: bool) -> Option<ScalarKind> {
        use ScalarKind::*;
        Some(match (size, signed) {
            (1, true) => I8,
            (1, false) => U8,
            (2, true) => I16,
            (2, false) => U16,
            (4, true) => I32,
            (4, false) => U32,
            (8, true) => I64,
            (8, false) => U64,
            _ => return None,
        })
    }
}

/// One run of `count` equal fields laid end to end, the canonical unit of a record layout.
/// Bytes no run covers (padding, `x`, `s`) are opaque: only their number matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    offset: usize,
    /// Normalised with [`ScalarKind::bytes_kind`].
    kind: ScalarKind,
    /// [`ByteOrder::NATIVE`] for one-byte kinds, whose bytes do not depend on it.
    order: ByteOrder,
    count: usize,
}

impl Run {
    /// The offset just past the run (no overflow: the record's itemsize was computed with checks).
    fn end(&self) -> usize {
        self.offset + self.count * self.kind.size()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    Scalar(ScalarKind),
    /// The canonical layout: maximal runs in offset order.
    Record(Vec<Run>),
}

/// A parsed element format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    text: String,
    itemsize: usize,
    align: usize,
    order: ByteOrder,
    layout: Layout,
}

impl Format {
    /// Parses a format text, rejecting anything outside the grammar with `InvalidFormat`.
    pub fn parse(text: &str) -> Result<Format> {
        if text.len() > MAX_FORMAT_LEN {
            let quoted: String = text.chars().take(QUOTED_PREFIX_LEN).collect();
            return Err(Error::new(
                ErrorCode::InvalidFormat,
                format!(
                    "invalid format {quoted:?}... ({} bytes): longer than the {MAX_FORMAT_LEN}-byte limit",
                    text.len()
                ),
            ));
        }
        if let Some(kind) = ScalarKind::from_dtype(text) {
            return Ok(Format::new_scalar(text, kind, ByteOrder::NATIVE));
        }
        let invalid = |reason: String| {
            Error::new(
                ErrorCode::InvalidFormat,
                format!("invalid format {text:?}: {reason}"),
            )
        };
        if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
            return Err(invalid(format!("non-ASCII character {c:?}")));
        }
        let (mode, body) = Mode::split_prefix(text.as_bytes());
        let items = parse_items(body, mode).map_err(invalid)?;
        match items.as_slice() {
            [] if body.len() < text.len() => Err(invalid(format!(
                "byte-order prefix {:?} without a type character",
                text.as_bytes()[0] as char
            ))),
            [] => Err(invalid("no type character".to_string())),
            [Item {
                count: None,
                code: Code::Num(kind),
            }] => Ok(Format::new_scalar(text, *kind, mode.order())),
            _ => record(text, mode, &items).map_err(invalid),
        }
    }

    /// The native-order scalar format of `kind`, spelled with its `struct` character
    /// (`uint8c` keeps its dtype name: no `struct` character clamps).
    pub fn scalar_native(kind: ScalarKind) -> Format {
        let text = match kind {
            ScalarKind::U8Clamped => kind.dtype().to_string(),
            _ => kind.native_char().to_string(),
        };
        Format::new_scalar(&text, kind, ByteOrder::NATIVE)
    }

    fn new_scalar(text: &str, kind: ScalarKind, order: ByteOrder) -> Format {
        Format {
            text: text.to_string(),
            itemsize: kind.size(),
            align: kind.size(),
            order,
            layout: Layout::Scalar(kind),
        }
    }

    /// The text exactly as given to [`Format::parse`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Bytes per element (`struct.calcsize` for `struct` spellings).
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// The alignment to give rows of owned storage: the scalar's size, the largest field alignment
    /// of a native record, 1 for a standard-prefix record (which has no alignment by definition).
    pub fn align(&self) -> usize {
        self.align
    }

    /// The byte order the text asks for; a record's is that of its prefix (native without one).
    pub fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// Whether elements can be read without swapping bytes. True for one-byte scalars whatever
    /// their prefix says, since a single byte has no order.
    pub fn is_native_order(&self) -> bool {
        self.order == ByteOrder::NATIVE || matches!(self.layout, Layout::Scalar(k) if k.size() == 1)
    }

    /// The element kind, or `None` for a record.
    pub fn scalar(&self) -> Option<ScalarKind> {
        match self.layout {
            Layout::Scalar(kind) => Some(kind),
            Layout::Record(_) => None,
        }
    }

    /// Whether this is a compound format, whose elements are opaque byte blocks.
    pub fn is_record(&self) -> bool {
        matches!(self.layout, Layout::Record(_))
    }

    /// The scalar's dtype name, or `"record"`.
    pub fn dtype(&self) -> &'static str {
        match self.layout {
            Layout::Scalar(kind) => kind.dtype(),
            Layout::Record(_) => "record",
        }
    }

    /// Whether both formats describe the same bytes, so elements can be copied without conversion.
    /// Spelling, alignment and the clamping of `uint8c` do not matter; a record never matches a
    /// scalar, even a one-field record with the same bytes.
    pub fn matches(&self, other: &Format) -> bool {
        match (&self.layout, &other.layout) {
            (Layout::Scalar(a), Layout::Scalar(b)) => {
                a.bytes_kind() == b.bytes_kind() && (a.size() == 1 || self.order == other.order)
            }
            (Layout::Record(a), Layout::Record(b)) => self.itemsize == other.itemsize && a == b,
            _ => false,
        }
    }
}

/// The size/alignment mode chosen by the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No prefix or `@`: native sizes, alignment and byte order.
    Native,
    /// `= < > !`: standard sizes, no alignment, the given byte order.
    Standard(ByteOrder),
}

impl Mode {
    /// Splits off the optional prefix, which `struct` only recognises as the very first character.
    fn split_prefix(text: &[u8]) -> (Mode, &[u8]) {
        let mode = match text.first() {
            Some(b'@') => Mode::Native,
            Some(b'=') => Mode::Standard(ByteOrder::NATIVE),
            Some(b'<') => Mode::Standard(ByteOrder::Little),
            Some(b'>' | b'!') => Mode::Standard(ByteOrder::Big),
            _ => return (Mode::Native, text),
        };
        (mode, &text[1..])
    }

    fn order(self) -> ByteOrder {
        match self {
            Mode::Native => ByteOrder::NATIVE,
            Mode::Standard(order) => order,
        }
    }
}

/// What one type character stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    /// `x`: `count` pad bytes.
    Pad,
    /// `s`: one `count`-byte string field.
    Str,
    /// A numeric (or `c`/`?`) field, its kind already sized for the mode.
    Num(ScalarKind),
}

impl Code {
    /// Resolves a type character in a mode; `Err` carries the reason for the message.
    fn lookup(c: u8, mode: Mode) -> std::result::Result<Code, String> {
        use ScalarKind::*;
        let native = mode == Mode::Native;
        let platform = |size: usize, signed: bool| {
            ScalarKind::int_of_size(size, signed)
                .map(Code::Num)
                .ok_or_else(|| format!("{:?} has no {size}-byte integer kind", c as char))
        };
        Ok(Code::Num(match c {
            b'x' => return Ok(Code::Pad),
            b's' => return Ok(Code::Str),
            b'c' | b'B' => U8,
            b'b' => I8,
            b'?' => Bool,
            b'h' => I16,
            b'H' => U16,
            b'i' => I32,
            b'I' => U32,
            b'l' | b'L' if native => {
                return platform(std::mem::size_of::<std::os::raw::c_long>(), c == b'l')
            }
            b'l' => I32,
            b'L' => U32,
            b'q' => I64,
            b'Q' => U64,
            b'n' | b'N' | b'P' if native => {
                return platform(std::mem::size_of::<usize>(), c == b'n')
            }
            b'n' | b'N' | b'P' => {
                return Err(format!(
                    "{:?} is only valid in native mode (no prefix or '@')",
                    c as char
                ))
            }
            b'e' => F16,
            b'f' => F32,
            b'd' => F64,
            b'@' | b'=' | b'<' | b'>' | b'!' => {
                return Err(format!(
                    "byte-order prefix {:?} is only allowed at the start",
                    c as char
                ))
            }
            _ => return Err(format!("unknown type character {:?}", c as char)),
        }))
    }
}

/// One `[count]char` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    count: Option<usize>,
    code: Code,
}

/// Whitespace exactly as `struct` skips it between items (C `isspace`, which includes `\v`).
fn is_struct_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Splits the text after the prefix into items, `struct`'s way: whitespace between items is
/// skipped, a count must be followed directly by its character.
fn parse_items(body: &[u8], mode: Mode) -> std::result::Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if is_struct_space(body[i]) {
            i += 1;
            continue;
        }
        let mut count = None;
        while let Some(&d) = body.get(i).filter(|d| d.is_ascii_digit()) {
            let digit = usize::from(d - b'0');
            count = Some(
                count
                    .unwrap_or(0usize)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(digit))
                    .ok_or("repeat count too large")?,
            );
            i += 1;
        }
        let Some(&c) = body.get(i) else {
            return Err("repeat count without a type character".to_string());
        };
        items.push(Item {
            count,
            code: Code::lookup(c, mode)?,
        });
        i += 1;
    }
    Ok(items)
}

/// Lays out a record like `struct.calcsize`: native mode aligns each field to its size (not the
/// end of the record), standard mode packs; the canonical runs make equal layouts compare equal.
fn record(text: &str, mode: Mode, items: &[Item]) -> std::result::Result<Format, String> {
    const TOO_LARGE: &str = "total size too large";
    let native = mode == Mode::Native;
    let order = mode.order();
    let mut size = 0usize;
    let mut align = 1usize;
    let mut runs: Vec<Run> = Vec::new();
    for item in items {
        let count = item.count.unwrap_or(1);
        let Code::Num(kind) = item.code else {
            size = size.checked_add(count).ok_or(TOO_LARGE)?;
            continue;
        };
        if native {
            let field_align = kind.size();
            size = size
                .checked_next_multiple_of(field_align)
                .ok_or(TOO_LARGE)?;
            align = align.max(field_align);
        }
        let offset = size;
        size = count
            .checked_mul(kind.size())
            .and_then(|bytes| size.checked_add(bytes))
            .ok_or(TOO_LARGE)?;
        if count == 0 {
            continue;
        }
        let run = Run {
            offset,
            kind: kind.bytes_kind(),
            order: if kind.size() == 1 {
                ByteOrder::NATIVE
            } else {
                order
            },
            count,
        };
        match runs.last_mut() {
            Some(last)
                if last.kind == run.kind && last.order == run.order && last.end() == offset =>
            {
                last.count += count;
            }
            _ => runs.push(run),
        }
    }
    // Allocations cannot exceed isize::MAX bytes (Python's struct has the same limit).
    if size > isize::MAX as usize {
        return Err(TOO_LARGE.to_string());
    }
    if size == 0 {
        return Err("itemsize is 0".to_string());
    }
    Ok(Format {
        text: text.to_string(),
        itemsize: size,
        align,
        order,
        layout: Layout::Record(runs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScalarKind::*;

    const LITTLE: bool = cfg!(target_endian = "little");

    /// The platform's C `long`, spelled out per platform rather than measured.
    const LONG: (ScalarKind, ScalarKind) = if cfg!(all(target_pointer_width = "64", not(windows))) {
        (I64, U64)
    } else {
        (I32, U32)
    };

    /// `ssize_t`/`size_t`/pointer.
    const PTR: (ScalarKind, ScalarKind) = if cfg!(target_pointer_width = "64") {
        (I64, U64)
    } else if cfg!(target_pointer_width = "32") {
        (I32, U32)
    } else {
        (I16, U16)
    };

    fn ok(text: &str) -> Format {
        match Format::parse(text) {
            Ok(format) => format,
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    fn assert_invalid(text: &str) {
        let err = match Format::parse(text) {
            Ok(f) => panic!("{text:?} should be rejected, got {f:?}"),
            Err(e) => e,
        };
        assert_eq!(err.code, ErrorCode::InvalidFormat, "{text:?}: {err}");
        assert!(
            err.message.contains(&format!("{text:?}")),
            "message for {text:?} should quote it: {}",
            err.message
        );
    }

    /// Expected kind of a type character under a prefix, `None` when the pair is invalid.
    fn expected_kind(prefix: &str, c: char) -> Option<ScalarKind> {
        let standard = matches!(prefix, "=" | "<" | ">" | "!");
        Some(match c {
            'c' | 'B' => U8,
            'b' => I8,
            '?' => Bool,
            'h' => I16,
            'H' => U16,
            'i' => I32,
            'I' => U32,
            'l' if standard => I32,
            'L' if standard => U32,
            'l' => LONG.0,
            'L' => LONG.1,
            'q' => I64,
            'Q' => U64,
            'n' | 'N' | 'P' if standard => return None,
            'n' => PTR.0,
            'N' | 'P' => PTR.1,
            'e' => F16,
            'f' => F32,
            'd' => F64,
            _ => unreachable!(),
        })
    }

    fn expected_order(prefix: &str) -> ByteOrder {
        match prefix {
            "<" => ByteOrder::Little,
            ">" | "!" => ByteOrder::Big,
            _ => ByteOrder::NATIVE,
        }
    }

    const PREFIXES: [&str; 6] = ["", "@", "=", "<", ">", "!"];
    const CHARS: &str = "cbB?hHiIlLqQnNefdP";

    #[test]
    fn byte_order_basics() {
        assert_eq!(ByteOrder::Little.as_str(), "little");
        assert_eq!(ByteOrder::Big.as_str(), "big");
        #[cfg(target_endian = "little")]
        assert_eq!(ByteOrder::NATIVE, ByteOrder::Little);
        #[cfg(target_endian = "big")]
        assert_eq!(ByteOrder::NATIVE, ByteOrder::Big);
    }

    #[test]
    fn scalar_kind_table() {
        // (kind, size, dtype, bigint, float, signed, native char)
        let table = [
            (Bool, 1, "bool", false, false, false, '?'),
            (I8, 1, "int8", false, false, true, 'b'),
            (U8, 1, "uint8", false, false, false, 'B'),
            (U8Clamped, 1, "uint8c", false, false, false, 'B'),
            (I16, 2, "int16", false, false, true, 'h'),
            (U16, 2, "uint16", false, false, false, 'H'),
            (I32, 4, "int32", false, false, true, 'i'),
            (U32, 4, "uint32", false, false, false, 'I'),
            (I64, 8, "int64", true, false, true, 'q'),
            (U64, 8, "uint64", true, false, false, 'Q'),
            (F16, 2, "float16", false, true, true, 'e'),
            (F32, 4, "float32", false, true, true, 'f'),
            (F64, 8, "float64", false, true, true, 'd'),
        ];
        assert_eq!(table.len(), ScalarKind::ALL.len());
        for ((kind, size, dtype, bigint, float, signed, c), all) in
            table.into_iter().zip(ScalarKind::ALL)
        {
            assert_eq!(kind, all);
            assert_eq!(kind.size(), size, "{kind:?}");
            assert_eq!(kind.dtype(), dtype, "{kind:?}");
            assert_eq!(kind.is_bigint(), bigint, "{kind:?}");
            assert_eq!(kind.is_float(), float, "{kind:?}");
            assert_eq!(kind.is_signed(), signed, "{kind:?}");
            assert_eq!(kind.native_char(), c, "{kind:?}");
        }
    }

    #[test]
    fn every_type_char_under_every_prefix() {
        let mut accepted = 0;
        for prefix in PREFIXES {
            for c in CHARS.chars() {
                let text = format!("{prefix}{c}");
                let Some(kind) = expected_kind(prefix, c) else {
                    assert_invalid(&text);
                    continue;
                };
                accepted += 1;
                let f = ok(&text);
                assert_eq!(f.text(), text);
                assert_eq!(f.scalar(), Some(kind), "{text:?}");
                assert!(!f.is_record(), "{text:?}");
                assert_eq!(f.itemsize(), kind.size(), "{text:?}");
                assert_eq!(f.align(), kind.size(), "{text:?}");
                assert_eq!(f.dtype(), kind.dtype(), "{text:?}");
                assert_eq!(f.byte_order(), expected_order(prefix), "{text:?}");
                assert_eq!(
                    f.is_native_order(),
                    kind.size() == 1 || expected_order(prefix) == ByteOrder::NATIVE,
                    "{text:?}"
                );
            }
        }
        assert_eq!(accepted, 6 * 18 - 4 * 3);
    }

    #[test]
    fn platform_sizes() {
        // Spot checks of the platform-dependent characters against the Rust/C types.
        assert_eq!(
            ok("l").itemsize(),
            std::mem::size_of::<std::os::raw::c_long>()
        );
        assert_eq!(
            ok("L").itemsize(),
            std::mem::size_of::<std::os::raw::c_ulong>()
        );
        assert_eq!(ok("n").itemsize(), std::mem::size_of::<isize>());
        assert_eq!(ok("N").itemsize(), std::mem::size_of::<usize>());
        assert_eq!(ok("P").itemsize(), std::mem::size_of::<*const u8>());
        assert_eq!(ok("<l").itemsize(), 4);
        assert_eq!(ok(">L").itemsize(), 4);
        #[cfg(all(target_pointer_width = "64", not(windows)))]
        assert_eq!(ok("l").scalar(), Some(I64));
        #[cfg(windows)]
        assert_eq!(ok("l").scalar(), Some(I32));
    }

    #[test]
    fn dtype_names() {
        let table = [
            ("int8", I8),
            ("uint8", U8),
            ("uint8c", U8Clamped),
            ("int16", I16),
            ("uint16", U16),
            ("int32", I32),
            ("uint32", U32),
            ("int64", I64),
            ("uint64", U64),
            ("float16", F16),
            ("float32", F32),
            ("float64", F64),
            ("bool", Bool),
        ];
        for (name, kind) in table {
            let f = ok(name);
            assert_eq!(f.text(), name);
            assert_eq!(f.scalar(), Some(kind));
            assert_eq!(f.dtype(), name);
            assert_eq!(f.itemsize(), kind.size());
            assert_eq!(f.align(), kind.size());
            assert_eq!(f.byte_order(), ByteOrder::NATIVE);
            assert!(f.is_native_order());
            assert!(!f.is_record());
        }
        // Exact and case-sensitive: no other spelling of a dtype.
        for bad in [
            "Int8", "INT32", "float", "int", "uint8C", " int8", "int8 ", "<int32", "int32<",
            "double", "float128", "uint", "boolean", "int 8",
        ] {
            assert_invalid(bad);
        }
    }

    #[test]
    fn scalar_native_round_trips() {
        for kind in ScalarKind::ALL {
            let f = Format::scalar_native(kind);
            let expected_text = if kind == U8Clamped {
                "uint8c".to_string()
            } else {
                kind.native_char().to_string()
            };
            assert_eq!(f.text(), expected_text);
            assert_eq!(f.scalar(), Some(kind));
            assert_eq!(f.itemsize(), kind.size());
            assert_eq!(f.byte_order(), ByteOrder::NATIVE);
            assert!(f.is_native_order());
            assert_eq!(
                f,
                ok(&expected_text),
                "scalar_native equals parsing its text"
            );
            assert!(f.matches(&ok(kind.dtype())));
        }
    }

    #[test]
    fn compound_itemsizes_and_alignment() {
        // (text, itemsize, align, byte order); itemsizes are struct.calcsize's.
        let n = ByteOrder::NATIVE;
        let table = [
            ("id", 16, 8, n),
            ("<id", 12, 1, ByteOrder::Little),
            ("3s", 3, 1, n),
            ("hi", 8, 4, n),
            ("ih", 6, 4, n),
            ("@bq", 16, 8, n),
            ("x", 1, 1, n),
            ("4x", 4, 1, n),
            ("<hh4x", 8, 1, ByteOrder::Little),
            ("2d", 16, 8, n),
            ("bd", 16, 8, n),
            ("=bd", 9, 1, n),
            ("?e", 4, 2, n),
            ("10s2i", 20, 4, n),
            ("q?", 9, 8, n),
            ("1i", 4, 4, n),
            ("1s", 1, 1, n),
            ("s", 1, 1, n),
            ("ii", 8, 4, n),
            ("cc", 2, 1, n),
            (">hd", 10, 1, ByteOrder::Big),
            ("!2H", 4, 1, ByteOrder::Big),
            ("i0s", 4, 4, n),
            ("0si", 4, 4, n),
            // Alignment applies even to a zero count, as in struct.
            ("b0i", 4, 4, n),
            ("c0q", 8, 8, n),
            ("<b0i", 1, 1, ByteOrder::Little),
            ("i d", 16, 8, n),
            ("< i d", 12, 1, ByteOrder::Little),
            ("\ti\n\x0bd\x0c\r", 16, 8, n),
            ("01i", 4, 4, n),
            ("=i4xd", 16, 1, n),
            ("5s3x", 8, 1, n),
            ("@3e", 6, 2, n),
            ("=qq", 16, 1, n),
            ("255s", 255, 1, n),
        ];
        for (text, itemsize, align, order) in table {
            let f = ok(text);
            assert_eq!(f.text(), text);
            assert!(f.is_record(), "{text:?}");
            assert_eq!(f.scalar(), None, "{text:?}");
            assert_eq!(f.dtype(), "record", "{text:?}");
            assert_eq!(f.itemsize(), itemsize, "{text:?}");
            assert_eq!(f.align(), align, "{text:?}");
            assert_eq!(f.byte_order(), order, "{text:?}");
            assert_eq!(f.is_native_order(), order == ByteOrder::NATIVE, "{text:?}");
        }
    }

    #[test]
    fn platform_dependent_records() {
        let long = std::mem::size_of::<std::os::raw::c_long>();
        let ptr = std::mem::size_of::<usize>();
        assert_eq!(ok("bl").itemsize(), 2 * long);
        assert_eq!(ok("bl").align(), long);
        assert_eq!(ok("bP").itemsize(), 2 * ptr);
        assert_eq!(ok("2n").itemsize(), 2 * ptr);
        assert_eq!(ok("=bl").itemsize(), 5);
        assert_eq!(ok("<2L").itemsize(), 8);
    }

    #[test]
    fn whitespace_is_skipped_between_items() {
        assert_eq!(ok(" i ").scalar(), Some(I32));
        assert_eq!(ok("< i").scalar(), Some(I32));
        assert_eq!(ok("< i").byte_order(), ByteOrder::Little);
        assert_eq!(ok("d\n").text(), "d\n");
        assert!(ok("2d").is_record());
        // A count must touch its character, and a prefix must be the very first character.
        assert_invalid("2 d");
        assert_invalid(" <i");
    }

    #[test]
    fn rejections() {
        let huge_digits = "9".repeat(40);
        let usize_max = usize::MAX.to_string();
        let just_over = (usize::MAX / 8 + 1).to_string();
        let isize_over = (isize::MAX as usize + 1).to_string();
        let cases = [
            "",
            " ",
            "\t\n",
            "z",
            "<",
            "@",
            "=",
            ">",
            "!",
            "<n",
            "<N",
            "<P",
            ">P",
            "=n",
            "!N",
            "<2n",
            "iP<",
            "i<",
            "i@",
            "<<i",
            "<>i",
            "3",
            "<3",
            "i3",
            "0d",
            "0s",
            "0x",
            "<0s",
            "0i0d",
            "p",
            "F",
            "D",
            "?z",
            "i,d",
            "-1i",
            "+1i",
            "i\0",
            "\u{e9}",
            "i\u{e9}",
            "int\u{e9}",
            "\u{2003}i",
            "𝕚",
            &format!("{huge_digits}i"),
            &format!("{usize_max}d"),
            &format!("{just_over}q"),
            &format!("i{usize_max}x"),
            &format!("{usize_max}xi"),
            &format!("{usize_max}x{usize_max}x"),
            &format!("{isize_over}x"),
            &format!("{usize_max}s"),
        ];
        for text in cases {
            assert_invalid(text);
        }
        let unknown = Format::parse("z").unwrap_err();
        assert!(unknown.message.contains("'z'"), "{}", unknown.message);
        let prefix = Format::parse("<").unwrap_err();
        assert!(prefix.message.contains("prefix"), "{}", prefix.message);
    }

    #[test]
    fn largest_sizes() {
        let max = isize::MAX as usize;
        assert_eq!(ok(&format!("{max}x")).itemsize(), max);
        assert_eq!(ok(&format!("={}q", max / 8)).itemsize(), max / 8 * 8);
        // Native alignment rounding up past isize::MAX is rejected, not wrapped.
        assert_invalid(&format!("{max}xq"));
    }

    #[test]
    fn length_guard() {
        let at_limit = format!("{}i", " ".repeat(MAX_FORMAT_LEN - 1));
        assert_eq!(ok(&at_limit).itemsize(), 4);
        let long = "i".repeat(MAX_FORMAT_LEN);
        assert_eq!(ok(&long).itemsize(), 4 * MAX_FORMAT_LEN);
        for over in [
            "i".repeat(MAX_FORMAT_LEN + 1),
            format!("{}i", " ".repeat(MAX_FORMAT_LEN)),
            "é".repeat(MAX_FORMAT_LEN),
        ] {
            let err = Format::parse(&over).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidFormat);
            let quoted: String = over.chars().take(QUOTED_PREFIX_LEN).collect();
            assert!(
                err.message.contains(&format!("{quoted:?}")),
                "{}",
                err.message
            );
            assert!(
                err.message.contains(&over.len().to_string()),
                "{}",
                err.message
            );
            assert!(err.message.len() < 200, "the message stays short");
        }
    }

    #[test]
    fn never_panics_on_short_strings() {
        let alphabet = [
            "", " ", "0", "1", "9", "@", "<", "!", "c", "i", "l", "n", "P", "s", "x", "z", "é",
            "\0",
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        let text = format!("{a}{b}{c}{d}");
                        match Format::parse(&text) {
                            Ok(f) => {
                                assert!(f.itemsize() > 0, "{text:?}");
                                assert_eq!(f.text(), text);
                                assert!(f.align().is_power_of_two(), "{text:?}");
                                assert!(f.matches(&f), "{text:?}");
                            }
                            Err(e) => {
                                assert_eq!(e.code, ErrorCode::InvalidFormat);
                                assert!(e.message.contains(&format!("{text:?}")), "{e}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Asserts `a.matches(b) == expected` both ways, and that each matches itself.
    fn check_match(a: &str, b: &str, expected: bool) {
        let (fa, fb) = (ok(a), ok(b));
        assert!(fa.matches(&fa), "{a:?} matches itself");
        assert!(fb.matches(&fb), "{b:?} matches itself");
        assert_eq!(fa.matches(&fb), expected, "{a:?} vs {b:?}");
        assert_eq!(fb.matches(&fa), expected, "{b:?} vs {a:?}");
    }

    #[test]
    fn scalar_matching() {
        let table = [
            ("i", "@i", true),
            ("i", "=i", true),
            ("i", "int32", true),
            ("@i", "int32", true),
            ("=i", "int32", true),
            ("i", "<i", LITTLE),
            ("i", ">i", !LITTLE),
            ("i", "!i", !LITTLE),
            (">i", "!i", true),
            ("<i", ">i", false),
            ("i", "I", false),
            ("i", "f", false),
            ("i", "h", false),
            ("i", "q", false),
            ("i", "l", LONG.0 == I32),
            ("l", "q", LONG.0 == I64),
            ("L", "Q", LONG.1 == U64),
            ("<l", "<i", true),
            ("<L", "<I", true),
            ("<l", "<q", false),
            ("n", "q", PTR.0 == I64),
            ("N", "Q", PTR.1 == U64),
            ("P", "N", true),
            ("n", "N", false),
            ("c", "B", true),
            ("c", "uint8", true),
            ("c", "uint8c", true),
            ("B", "uint8", true),
            ("B", "uint8c", true),
            ("uint8", "uint8c", true),
            ("<c", ">B", true),
            ("b", "B", false),
            ("b", "int8", true),
            ("b", "c", false),
            ("<b", ">b", true),
            ("<B", ">B", true),
            ("?", "bool", true),
            ("<?", "!?", true),
            ("?", "B", false),
            ("?", "b", false),
            ("?", "uint8c", false),
            ("e", "float16", true),
            ("e", "h", false),
            ("<e", ">e", false),
            ("f", "float32", true),
            ("f", "i", false),
            ("d", "float64", true),
            ("d", "q", false),
            ("q", "int64", true),
            ("Q", "uint64", true),
            ("q", "Q", false),
            ("h", "int16", true),
            ("H", "uint16", true),
            ("I", "uint32", true),
            (" i ", "i", true),
        ];
        for (a, b, expected) in table {
            check_match(a, b, expected);
        }
    }

    #[test]
    fn record_matching() {
        let table = [
            ("id", "@id", true),
            ("id", "=i4xd", true),
            ("id", "<id", false),
            ("id", "<i4xd", LITTLE),
            ("id", ">i4xd", !LITTLE),
            ("id", "di", false),
            ("2d", "dd", true),
            ("2d", "=dd", true),
            ("2d", "1d1d", true),
            ("3i", "i2i", true),
            ("3i", "2ii", true),
            ("4s", "4x", true),
            ("4s", "xxxx", true),
            ("4s", "2s2x", true),
            ("4s", "i", false),
            ("4s", "4B", false),
            ("4B", "4c", true),
            ("4B", "BBBB", true),
            ("2B", "Bc", true),
            ("<2B", ">2B", true),
            ("2B", "2b", false),
            ("2B", "2?", false),
            ("2B", "2s", false),
            ("<hh4x", "<2h4x", true),
            ("<hh4x", "<2h4s", true),
            ("<hh4x", ">hh4x", false),
            ("<hh4x", "<hh2x", false),
            ("<hh4x", "<hhi", false),
            ("<hh4x", "<i4x", false),
            ("hi", "h2xi", true),
            ("hi", "=h2xi", true),
            ("hi", "=hi", false),
            ("ih", "=ih", true),
            ("bd", "=b7xd", true),
            ("=bd", "bd", false),
            ("b0i", "b3x", true),
            ("b0i", "4x", false),
            ("i0s", "1i", true),
            ("i d", "id", true),
            ("q?", "=q?", true),
            ("q?", "q?7x", false),
            ("10s2i", "=10s2x2i", true),
            ("2e", "ee", true),
            ("2e", "i", false),
        ];
        for (a, b, expected) in table {
            check_match(a, b, expected);
        }
        #[cfg(all(target_pointer_width = "64", not(windows)))]
        check_match("bl", "bq", true);
        #[cfg(target_pointer_width = "64")]
        check_match("2P", "2Q", true);
    }

    #[test]
    fn records_never_match_scalars() {
        let table = [
            ("1i", "i"),
            ("i0s", "i"),
            ("1B", "B"),
            ("1s", "B"),
            ("x", "B"),
            ("1?", "bool"),
            ("<1d", "<d"),
            ("2B", "h"),
            ("4s", "int32"),
            ("2i", "q"),
        ];
        for (a, b) in table {
            check_match(a, b, false);
        }
    }

    #[test]
    fn text_is_kept_verbatim() {
        for text in [
            "i", "@i", "<i  ", "< i", "int32", "uint8c", "id", " 2 d", "2d ", "!H", "10s2i",
        ] {
            if let Ok(f) = Format::parse(text) {
                assert_eq!(f.text(), text);
                assert_eq!(f.clone().text(), text);
            }
        }
        assert_eq!(ok("<i  ").text(), "<i  ");
        assert_eq!(ok("2d ").text(), "2d ");
    }
}
