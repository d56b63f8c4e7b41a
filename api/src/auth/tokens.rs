//! Access tokens: HS256 JWTs, at most 15 minutes, with `exp`, `iss` and `aud` checked and
//! no other algorithm accepted.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const ISSUER: &str = "tandem";
pub const AUDIENCE: &str = "tandem-api";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The refresh session this token belongs to; logging out or a password change ends it.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: &str, session_id: &str) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("jwt encode: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| ApiError::unauthenticated(format!("the access token is not valid ({e})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let token = keys.issue("u1", "s1").expect("issue");
        let claims = keys.verify(&token).expect("verify");
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
        let other = TokenKeys::new(b"another secret, another signature", 900);
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("not.a.token").is_err());
    }
}
