//! Decimals written as text in reports: exactly the text `rust_decimal` writes (trailing
//! zeros kept, `-0` for negative zero), but without its digit-by-digit division loop, which
//! was the largest single cost of writing a scorecard. Mantissas of more than 64 bits (never
//! seen on a form) take `rust_decimal`'s own path.

use rust_decimal::Decimal;
use serde::Serializer;

/// Longest text of a decimal with a 64-bit mantissa: sign, 20 digits, point, and up to 28
/// leading zeros of the fraction.
const MAX_LEN: usize = 1 + 1 + 1 + 28 + 20;

/// Text of `value` in `buffer`, as `Decimal::to_string` gives it; None when the mantissa does
/// not fit 64 bits.
fn fast_text(value: &Decimal, buffer: &mut [u8; MAX_LEN]) -> Option<usize> {
    let unpacked = value.unpack();
    if unpacked.hi != 0 {
        return None;
    }
    let mantissa = (u64::from(unpacked.mid) << 32) | u64::from(unpacked.lo);
    let scale = value.scale() as usize;
    let mut digits_buffer = itoa::Buffer::new();
    let digits = if mantissa == 0 {
        ""
    } else {
        digits_buffer.format(mantissa)
    }
    .as_bytes();
    let mut len = 0;
    let mut put = |byte: u8| {
        if let Some(slot) = buffer.get_mut(len) {
            *slot = byte;
            len += 1;
        }
    };
    if value.is_sign_negative() {
        put(b'-');
    }
    if digits.len() <= scale {
        // 0.00ddd: the whole part is 0 and the fraction is padded with zeros.
        put(b'0');
        if scale > 0 {
            put(b'.');
            for _ in digits.len()..scale {
                put(b'0');
            }
        }
        digits.iter().for_each(|&d| put(d));
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        whole.iter().for_each(|&d| put(d));
        if !fraction.is_empty() {
            put(b'.');
            fraction.iter().for_each(|&d| put(d));
        }
    }
    Some(len)
}

/// The text of a decimal, as `to_string` gives it, for messages.
pub fn text(value: &Decimal) -> String {
    let mut buffer = [0u8; MAX_LEN];
    match fast_text(value, &mut buffer).and_then(|len| buffer.get(..len)) {
        // Only ASCII digits, sign and point were written.
        Some(bytes) => String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| value.to_string()),
        None => value.to_string(),
    }
}

/// Serialises a decimal as its text (a JSON string), like `rust_decimal`'s own `Serialize`.
///
/// # Errors
/// Only those of the serializer.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; MAX_LEN];
    match fast_text(value, &mut buffer) {
        // Every byte written is an ASCII digit, sign or point.
        Some(len) => match buffer.get(..len).map(std::str::from_utf8) {
            Some(Ok(text)) => serializer.serialize_str(text),
            _ => serializer.collect_str(value),
        },
        None => serializer.collect_str(value),
    }
}

/// [`serialize`] for an optional decimal (`null` when absent).
///
/// # Errors
/// Only those of the serializer.
#[allow(clippy::ref_option, reason = "the signature serde's serialize_with requires")]
pub fn serialize_opt<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn ours(value: &Decimal) -> String {
        let mut out = Vec::new();
        super::serialize(value, &mut serde_json::Serializer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_rust_decimal_writes_on_the_edges() {
        for text in [
            "0",
            "0.00",
            "-0",
            "7.50",
            "0.05",
            "-0.05",
            "100",
            "1E+3",
            "0.0000000000000000000000000001",
            "18446744073709551615",
            "18446744073709551616",
            "-79228162514264337593543950335",
        ] {
            let value = Decimal::from_scientific(text)
                .or_else(|_| text.parse::<Decimal>())
                .unwrap();
            assert_eq!(ours(&value), serde_json::to_string(&value).unwrap(), "{text}");
            assert_eq!(super::text(&value), value.to_string(), "{text}");
        }
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        assert_eq!(ours(&negative_zero), "\"-0.00\"");
        assert_eq!(serde_json::to_string(&negative_zero).unwrap(), "\"-0.00\"");
    }

    proptest! {
        /// Any decimal at all: mantissa of up to 96 bits, any sign, any scale.
        #[test]
        fn writes_what_rust_decimal_writes(lo: u32, mid: u32, hi in prop_oneof![Just(0u32), any::<u32>()],
                                           negative: bool, scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(ours(&value), serde_json::to_string(&value).unwrap());
            prop_assert_eq!(super::text(&value), value.to_string());
        }
    }
}
