//! Client pseudonyms. The API takes a BSN, checks it, and keeps only
//! HMAC-SHA256(CLIENT_KEY_SECRET, BSN): the same person always gets the same
//! key within a deployment, and the key cannot be turned back into the BSN
//! without the secret. The BSN itself is never stored or logged.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The pseudonymous client key of a (valid) BSN, as 64 hex characters.
pub fn client_key(secret: &str, bsn: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(bsn.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_and_stable() {
        let a = client_key("secret-1", "111222333");
        assert_eq!(a.len(), 64);
        assert_eq!(a, client_key("secret-1", "111222333"));
        assert_ne!(a, client_key("secret-2", "111222333"));
        assert_ne!(a, client_key("secret-1", "123456782"));
        assert!(!a.contains("111222333"));
    }
}
