//! Per-client-IP rate limiting of the unauthenticated endpoints (login, registration, codes).

use std::net::IpAddr;

use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};

use crate::config::RateLimitSettings;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIpKey;

impl KeyExtractor for ClientIpKey {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, request: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        request.peer_addr().map(|addr| addr.ip()).ok_or_else(|| SimpleKeyExtractionError::new("no peer address"))
    }

    fn exceed_rate_limit_response(&self, negative: &NotUntil<QuantaInstant>, _: HttpResponseBuilder) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        let mut response = AppError::TooManyRequests(format!("请求过于频繁，请{wait}秒后再试")).error_response();
        if let Ok(value) = wait.to_string().parse() {
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
        }
        response
    }
}

pub type AuthLimiter = GovernorConfig<ClientIpKey, NoOpMiddleware<QuantaInstant>>;

/// One limiter shared by every worker, so the limit holds per process, not per thread.
pub fn auth_limiter(settings: &RateLimitSettings) -> anyhow::Result<AuthLimiter> {
    let per_minute = u64::from(settings.auth_per_minute.max(1));
    GovernorConfigBuilder::default()
        .key_extractor(ClientIpKey)
        .period(std::time::Duration::from_nanos((60_000_000_000 / per_minute).max(1)))
        .burst_size(settings.auth_burst.max(1))
        .finish()
        .ok_or_else(|| anyhow::anyhow!("invalid rate limit settings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_positive_rate_makes_a_limiter() {
        for per_minute in [1, 60, 60_000, 600_000, u32::MAX] {
            let settings = RateLimitSettings { auth_per_minute: per_minute, auth_burst: 10 };
            assert!(auth_limiter(&settings).is_ok(), "{per_minute}");
        }
    }
}
