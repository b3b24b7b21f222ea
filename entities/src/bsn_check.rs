//! The eleven-test of a BSN (burgerservicenummer), which is never stored:
//! it is checked and then turned into a keyed pseudonym (HMAC), never logged.

/// The eleven-test: nine digits d1..d9 with
/// 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11), not all zeros.
pub fn is_valid_bsn(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) || bytes.iter().all(|b| *b == b'0')
    {
        return false;
    }
    let sum: i32 = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let digit = i32::from(b - b'0');
            if i == 8 {
                -digit
            } else {
                (9 - i as i32) * digit
            }
        })
        .sum();
    sum % 11 == 0
}

/// A valid BSN for every `n` below 9,000,000, distinct per `n`: made-up
/// numbers for tests and generated data (from 100000000 up).
pub fn nth_valid_bsn(n: u32) -> String {
    (0..10)
        .map(|extra| format!("{:08}", 10_000_000 + n * 10 + extra))
        .find_map(|base| {
            let sum: u32 = base
                .bytes()
                .enumerate()
                .map(|(i, b)| (9 - i as u32) * u32::from(b - b'0'))
                .sum();
            let check = sum % 11;
            (check < 10).then(|| format!("{base}{check}"))
        })
        .expect("one of ten bases passes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_bsns_pass_and_differ() {
        let all: std::collections::HashSet<String> = (0..2_000).map(nth_valid_bsn).collect();
        assert_eq!(all.len(), 2_000);
        assert!(all.iter().all(|b| is_valid_bsn(b)));
    }

    #[test]
    fn eleven_test() {
        // 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3 − 3 = 66 = 6 × 11
        assert!(is_valid_bsn("111222333"));
        assert!(is_valid_bsn("123456782"));
        assert!(!is_valid_bsn("123456789"));
        assert!(!is_valid_bsn("000000000"));
        assert!(!is_valid_bsn("12345678"));
        assert!(!is_valid_bsn("12345678a"));
        assert!(!is_valid_bsn(" 23456782"));
    }
}
