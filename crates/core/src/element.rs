//! One element's bytes ⇄ one JavaScript value, with ECMAScript's conversion rules.
//!
//! `set` must store exactly what assigning the value to an element of the matching TypedArray stores
//! (ToInt32-style wrap-around, `NaN` → 0, clamping for `uint8c`, round-to-nearest-even for floats), and
//! `convert` copies use the same functions, so they live here, free of Node.

use crate::error::{Error, ErrorCode, Result};
use crate::format::{ByteOrder, ScalarKind};
use half::f16;

/// A value read from an element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Int64(i64),
    Uint64(u64),
    Bool(bool),
}

/// A value to store, as the binding received it from JavaScript.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    Number(f64),
    /// A BigInt reduced to its low 64 bits (two's complement), as `BigInt.asUintN(64, v)` would.
    BigInt(u64),
    Bool(bool),
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// ECMAScript ToUint32 without the final cast: `x` truncated and reduced modulo 2^32.
/// Lower widths (ToInt8, ToUint16, …) are this value's low bits, as the spec's modulo definitions agree.
#[inline]
pub fn to_uint32(x: f64) -> u32 {
    if !x.is_finite() {
        return 0;
    }
    // `%` on f64 is exact (fmod), and the adjustment of a negative remainder stays below 2^32.
    let r = x.trunc() % 4_294_967_296.0;
    let r = if r < 0.0 { r + 4_294_967_296.0 } else { r };
    r as u32
}

/// ECMAScript ToUint8Clamp (`Uint8ClampedArray`): NaN → 0, clamp to 0..=255, round half to even.
#[inline]
pub fn to_uint8_clamp(x: f64) -> u8 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= 255.0 {
        return 255;
    }
    let f = x.floor();
    let half = f + 0.5;
    let r = if x < half {
        f
    } else if x > half || f % 2.0 != 0.0 {
        f + 1.0
    } else {
        f
    };
    r as u8
}

/// A JS number to a 64-bit integer the way `BigInt(Math.trunc(x))` wrapped to 64 bits does
/// (NaN and ±Infinity → 0): the rule `convert` copies use between numbers and 64-bit formats.
#[inline]
pub fn number_to_u64_bits(x: f64) -> u64 {
    if !x.is_finite() {
        return 0;
    }
    let t = x.trunc();
    // Reduce modulo 2^64 exactly: fmod is exact and the result is an integer below 2^64 in magnitude.
    let m = t % 18_446_744_073_709_551_616.0;
    if m >= 0.0 {
        m as u64
    } else {
        // m in (-2^64, 0): two's complement of |m|.
        ((-m) as u64).wrapping_neg()
    }
}

/// An exact power of two, `2^k`, for `k` in the normal f64 exponent range.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// A JS number to float16 bits, rounded once, directly from the double to nearest-even (as
/// `Float16Array` does). Going through f32 first would round twice and differ for some inputs.
pub fn f64_to_f16_bits(x: f64) -> u16 {
    let sign = ((x.to_bits() >> 48) & 0x8000) as u16;
    let a = x.abs();
    if a.is_nan() {
        return sign | 0x7e00;
    }
    if a >= 65520.0 {
        // 65504 is the largest finite half; from the halfway point 65520 up, round to infinity.
        return sign | 0x7c00;
    }
    if a < pow2(-14) {
        // Subnormal halves are multiples of 2^-24; 1024 of them is the smallest normal, whose bits match.
        return sign | (a * pow2(24)).round_ties_even() as u16;
    }
    let e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut m = (a * pow2(10 - e)).round_ties_even() as u32; // 1024..=2048
    let mut e = e;
    if m == 2048 {
        m = 1024;
        e += 1;
    }
    sign | (((e + 15) as u16) << 10) | (m - 1024) as u16
}

/// "a" or "an" before a dtype name, for messages.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Encodes `input` for an element of `kind` in byte order `order`, with the rules of `set`:
/// numbers for number formats, bigints or safe-integer numbers for 64-bit formats, anything's truthiness
/// for `bool` (the binding passes `Input::Bool` there). Returns the bytes in their first `kind.size()`
/// places, or `ERR_INVALID_ARGUMENT` (nothing is stored).
pub fn encode(kind: ScalarKind, order: ByteOrder, input: Input) -> Result<[u8; 8]> {
    let mut out = [0u8; 8];
    macro_rules! put {
        ($v:expr) => {{
            let b = match order {
                ByteOrder::Little => $v.to_le_bytes(),
                ByteOrder::Big => $v.to_be_bytes(),
            };
            out[..b.len()].copy_from_slice(&b);
        }};
    }
    match (kind, input) {
        (ScalarKind::Bool, Input::Bool(b)) => out[0] = u8::from(b),
        (ScalarKind::Bool, Input::Number(x)) => out[0] = u8::from(x != 0.0 && !x.is_nan()),
        (ScalarKind::Bool, Input::BigInt(v)) => out[0] = u8::from(v != 0),
        (ScalarKind::I8 | ScalarKind::U8, Input::Number(x)) => out[0] = to_uint32(x) as u8,
        (ScalarKind::U8Clamped, Input::Number(x)) => out[0] = to_uint8_clamp(x),
        (ScalarKind::I16 | ScalarKind::U16, Input::Number(x)) => put!(to_uint32(x) as u16),
        (ScalarKind::I32 | ScalarKind::U32, Input::Number(x)) => put!(to_uint32(x)),
        (ScalarKind::F16, Input::Number(x)) => put!(f64_to_f16_bits(x)),
        (ScalarKind::F32, Input::Number(x)) => put!(x as f32),
        (ScalarKind::F64, Input::Number(x)) => put!(x),
        (ScalarKind::I64 | ScalarKind::U64, Input::BigInt(v)) => put!(v),
        (ScalarKind::I64 | ScalarKind::U64, Input::Number(x)) => {
            if x.fract() != 0.0 || x.is_nan() || x.abs() > MAX_SAFE_INTEGER {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "{} {} element takes a bigint or a safe-integer number, received {x}",
                        article(kind.dtype()),
                        kind.dtype()
                    ),
                ));
            }
            put!(x as i64)
        }
        (_, input) => {
            let what = match input {
                Input::Number(_) => "a number",
                Input::BigInt(_) => "a bigint",
                Input::Bool(_) => "a boolean",
            };
            let wants = if kind.is_bigint() {
                "a bigint or a safe-integer number"
            } else {
                "a number"
            };
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "{} {} element takes {wants}, received {what}",
                    article(kind.dtype()),
                    kind.dtype()
                ),
            ));
        }
    }
    Ok(out)
}

/// Decodes the first `kind.size()` bytes of `bytes` (byte order `order`) into the value `get` returns.
pub fn decode(kind: ScalarKind, order: ByteOrder, bytes: &[u8]) -> Value {
    macro_rules! take {
        ($t:ty) => {{
            let mut b = [0u8; std::mem::size_of::<$t>()];
            b.copy_from_slice(&bytes[..std::mem::size_of::<$t>()]);
            match order {
                ByteOrder::Little => <$t>::from_le_bytes(b),
                ByteOrder::Big => <$t>::from_be_bytes(b),
            }
        }};
    }
    match kind {
        ScalarKind::Bool => Value::Bool(bytes[0] != 0),
        ScalarKind::I8 => Value::Number(f64::from(bytes[0] as i8)),
        ScalarKind::U8 | ScalarKind::U8Clamped => Value::Number(f64::from(bytes[0])),
        ScalarKind::I16 => Value::Number(f64::from(take!(i16))),
        ScalarKind::U16 => Value::Number(f64::from(take!(u16))),
        ScalarKind::I32 => Value::Number(f64::from(take!(i32))),
        ScalarKind::U32 => Value::Number(f64::from(take!(u32))),
        ScalarKind::I64 => Value::Int64(take!(i64)),
        ScalarKind::U64 => Value::Uint64(take!(u64)),
        ScalarKind::F16 => Value::Number(f16::from_bits(take!(u16)).to_f64()),
        ScalarKind::F32 => Value::Number(f64::from(take!(f32))),
        ScalarKind::F64 => Value::Number(take!(f64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScalarKind::*;

    fn roundtrip(kind: ScalarKind, order: ByteOrder, input: Input) -> Value {
        let bytes = encode(kind, order, input).expect("encodable");
        decode(kind, order, &bytes)
    }

    #[test]
    fn integer_wrap_around_matches_typed_arrays() {
        // Values as Int8Array / Uint16Array / Int32Array would store them.
        let le = ByteOrder::Little;
        assert_eq!(
            roundtrip(I8, le, Input::Number(200.0)),
            Value::Number(-56.0)
        );
        assert_eq!(
            roundtrip(I8, le, Input::Number(-129.7)),
            Value::Number(127.0)
        );
        assert_eq!(roundtrip(U8, le, Input::Number(-1.0)), Value::Number(255.0));
        assert_eq!(
            roundtrip(U16, le, Input::Number(65537.9)),
            Value::Number(1.0)
        );
        assert_eq!(
            roundtrip(I32, le, Input::Number(2f64.powi(32) + 1.0)),
            Value::Number(1.0)
        );
        assert_eq!(roundtrip(I32, le, Input::Number(3.7)), Value::Number(3.0));
        assert_eq!(roundtrip(I32, le, Input::Number(-3.7)), Value::Number(-3.0));
        assert_eq!(
            roundtrip(I32, le, Input::Number(f64::NAN)),
            Value::Number(0.0)
        );
        assert_eq!(
            roundtrip(U32, le, Input::Number(f64::INFINITY)),
            Value::Number(0.0)
        );
        assert_eq!(
            roundtrip(U32, le, Input::Number(-1.0)),
            Value::Number(4294967295.0)
        );
        assert_eq!(roundtrip(I32, le, Input::Number(1e300)), Value::Number(0.0));
        assert_eq!(
            roundtrip(I32, le, Input::Number(2147483648.0)),
            Value::Number(-2147483648.0)
        );
    }

    #[test]
    fn clamped_rounds_half_to_even() {
        for (x, want) in [
            (0.5, 0),
            (1.5, 2),
            (2.5, 2),
            (254.5, 254),
            (-3.0, 0),
            (300.0, 255),
            (f64::NAN, 0),
            (1.4999, 1),
        ] {
            assert_eq!(to_uint8_clamp(x), want, "{x}");
        }
    }

    #[test]
    fn floats_round_to_nearest() {
        let le = ByteOrder::Little;
        assert_eq!(
            roundtrip(F32, le, Input::Number(0.1)),
            Value::Number(f64::from(0.1f32))
        );
        assert_eq!(
            roundtrip(F16, le, Input::Number(1.0 / 3.0)),
            Value::Number(0.333251953125)
        );
        assert_eq!(
            roundtrip(F16, le, Input::Number(65520.0)),
            Value::Number(f64::INFINITY)
        );
        assert_eq!(
            roundtrip(F16, le, Input::Number(65519.99)),
            Value::Number(65504.0)
        );
        // Direct rounding from f64, not through f32: 1 + 2^-11 + 2^-40 rounds up in f16.
        let x = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(
            roundtrip(F16, le, Input::Number(x)),
            Value::Number(1.0 + 2f64.powi(-10))
        );
        match roundtrip(F64, le, Input::Number(f64::NAN)) {
            Value::Number(v) => assert!(v.is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn float16_rounds_like_float16array() {
        // Exhaustive against half's exact widening: every finite half maps back to itself, and every
        // midpoint between neighbours rounds to the even one.
        for bits in 0u16..0x7c00 {
            let v = f16::from_bits(bits).to_f64();
            assert_eq!(f64_to_f16_bits(v), bits, "{v}");
            assert_eq!(f64_to_f16_bits(-v), bits | 0x8000, "{v}");
            if bits == 0x7bff {
                continue; // the next value up is infinity, checked below
            }
            let next = f16::from_bits(bits + 1).to_f64();
            let mid = (v + next) / 2.0;
            let even = if bits % 2 == 0 { bits } else { bits + 1 };
            assert_eq!(f64_to_f16_bits(mid), even, "midpoint {mid}");
            assert_eq!(
                f64_to_f16_bits(mid + (next - v) / 1024.0),
                bits + 1,
                "above {mid}"
            );
            assert_eq!(
                f64_to_f16_bits(mid - (next - v) / 1024.0),
                bits,
                "below {mid}"
            );
        }
        assert_eq!(f64_to_f16_bits(f64::INFINITY), 0x7c00);
        assert_eq!(f64_to_f16_bits(f64::NEG_INFINITY), 0xfc00);
        assert_eq!(f64_to_f16_bits(f64::NAN) & 0x7e00, 0x7e00);
        assert_eq!(f64_to_f16_bits(1e-30), 0);
        assert_eq!(f64_to_f16_bits(65519.99), 0x7bff);
        assert_eq!(f64_to_f16_bits(65520.0), 0x7c00);
    }

    #[test]
    fn sixty_four_bit_formats_take_bigints_and_safe_integers() {
        let le = ByteOrder::Little;
        assert_eq!(
            roundtrip(I64, le, Input::BigInt(u64::MAX)),
            Value::Int64(-1)
        );
        assert_eq!(
            roundtrip(U64, le, Input::BigInt(u64::MAX)),
            Value::Uint64(u64::MAX)
        );
        assert_eq!(roundtrip(I64, le, Input::Number(-5.0)), Value::Int64(-5));
        assert_eq!(
            roundtrip(U64, le, Input::Number(-1.0)),
            Value::Uint64(u64::MAX)
        );
        for bad in [1.5, MAX_SAFE_INTEGER + 1.0, f64::NAN, f64::INFINITY] {
            let err = encode(I64, le, Input::Number(bad)).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument);
        }
        assert_eq!(
            encode(I32, le, Input::BigInt(1)).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            encode(F64, le, Input::Bool(true)).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn bool_stores_truthiness() {
        let le = ByteOrder::Little;
        assert_eq!(roundtrip(Bool, le, Input::Bool(true)), Value::Bool(true));
        assert_eq!(
            roundtrip(Bool, le, Input::Number(f64::NAN)),
            Value::Bool(false)
        );
        assert_eq!(roundtrip(Bool, le, Input::Number(-0.5)), Value::Bool(true));
        assert_eq!(encode(Bool, le, Input::Number(7.0)).unwrap()[0], 1);
    }

    #[test]
    fn big_endian_bytes_are_swapped() {
        let b = encode(I32, ByteOrder::Big, Input::Number(0x01020304 as f64)).unwrap();
        assert_eq!(&b[..4], &[1, 2, 3, 4]);
        let b = encode(I32, ByteOrder::Little, Input::Number(0x01020304 as f64)).unwrap();
        assert_eq!(&b[..4], &[4, 3, 2, 1]);
        assert_eq!(decode(U16, ByteOrder::Big, &[1, 2]), Value::Number(258.0));
    }

    #[test]
    fn number_to_bigint_bits_wraps() {
        assert_eq!(number_to_u64_bits(-1.0), u64::MAX);
        assert_eq!(number_to_u64_bits(3.9), 3);
        assert_eq!(number_to_u64_bits(2f64.powi(64) + 4096.0), 4096);
        assert_eq!(number_to_u64_bits(f64::NAN), 0);
        assert_eq!(number_to_u64_bits(-(2f64.powi(63))), 1u64 << 63);
    }
}
