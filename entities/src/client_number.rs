//! A client's number: the first 64 bits of the pseudonym (an HMAC-SHA256
//! in hex, see `api::client_key`), as a signed integer. The rollups, the
//! report and the outflow check count and compare clients by it, so that
//! no 64-character pseudonym is stored per rollup row or read per client
//! month (issue 15: at the region scale the report read 25,669 of them).
//!
//! The pseudonym stays the client's identity (the allocation keeps it, the
//! vault and the API's filter use it). Two clients of one region share a
//! number only if their HMACs share their first 64 bits: for a region of a
//! million clients the chance is about 3 in 10^8, and then the two count
//! as one client in the figures, never as each other's data.
//!
//! Migration 17 computes the same number in SQL for the rows already
//! stored (`migration::client_number_sql`); an e2e test holds the two
//! together on both databases.

/// The number of a pseudonym: its first 16 hex digits, big-endian, as the
/// two's-complement `i64` of those 64 bits. A character that is not a hex
/// digit (never in a stored pseudonym) counts as its low four bits, so the
/// function is total.
pub fn client_number(pseudonym: &str) -> i64 {
    let bits = pseudonym.chars().take(16).fold(0u64, |bits, c| {
        let digit = c.to_digit(16).unwrap_or(c as u32 & 0xf);
        (bits << 4) | u64::from(digit)
    });
    bits as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sixty_four_bits_big_endian() {
        let key = format!("{}{}", "0000000000000102", "f".repeat(48));
        assert_eq!(client_number(&key), 0x0102);
        // The top bit set: negative, as PostgreSQL's bit(64)::bigint reads it.
        let key = format!("{}{}", "8000000000000001", "0".repeat(48));
        assert_eq!(client_number(&key), i64::MIN + 1);
        assert_eq!(client_number(&"f".repeat(64)), -1);
        // Upper-case hex reads the same.
        assert_eq!(client_number("00000000000000AB"), 0xab);
    }

    #[test]
    fn only_the_first_sixteen_digits_count() {
        let a = format!("{}{}", "0123456789abcdef", "0".repeat(48));
        let b = format!("{}{}", "0123456789abcdef", "1".repeat(48));
        assert_eq!(client_number(&a), client_number(&b));
        assert_eq!(client_number(&a), 0x0123_4567_89ab_cdef);
    }
}
