//! API keys: `akb_<id>_<secret>`, where the secret is 32 random bytes in base64url. The database
//! keeps the SHA-256 of the secret only; a presented key is found by its id and its secret's hash
//! compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

const PREFIX: &str = "akb_";

/// A freshly made secret and its hash.
pub struct NewSecret {
    /// The secret, shown once.
    pub secret: String,
    /// What the database keeps.
    pub sha256: String,
}

/// Makes a new random secret.
pub fn new_secret() -> Result<NewSecret, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let sha256 = hash(&secret);
    Ok(NewSecret { secret, sha256 })
}

/// The key as the caller presents it.
pub fn format(id: i64, secret: &str) -> String {
    format!("{PREFIX}{id}_{secret}")
}

/// The id and secret of a presented key, if it has the shape of one.
pub fn parse(key: &str) -> Option<(i64, &str)> {
    let (id, secret) = key.strip_prefix(PREFIX)?.split_once('_')?;
    let id = id.parse().ok()?;
    (!secret.is_empty()).then_some((id, secret))
}

/// The hex SHA-256 of a secret.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a presented secret matches a stored hash, in time independent of where they differ.
pub fn matches(secret: &str, stored_sha256: &str) -> bool {
    let presented = hash(secret);
    presented.len() == stored_sha256.len()
        && presented
            .bytes()
            .zip(stored_sha256.bytes())
            .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_and_only_its_own_secret_matches() {
        let made = new_secret().unwrap();
        let key = format(42, &made.secret);
        let (id, secret) = parse(&key).unwrap();
        assert_eq!(id, 42);
        assert!(matches(secret, &made.sha256));
        assert!(!matches("another", &made.sha256));
        assert_ne!(made.secret, new_secret().unwrap().secret);
        for bad in ["", "akb_", "akb_x_y", "akb_1_", "bearer", "akb_1"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
