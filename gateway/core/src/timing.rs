//! The `Server-Timing` header every gateway response carries: how long
//! the gateway took to decide, and how long the upstream took to answer
//! (when the request was forwarded).

use std::time::Duration;

/// The header's name, lower-case.
pub const SERVER_TIMING: &str = "server-timing";

/// `verify;dur=0.021, upstream;dur=3.402`: milliseconds with microsecond
/// precision. Written with `itoa` rather than `write!`: this is on every
/// response, and the formatting machinery cost about 1,300 instructions.
pub fn server_timing(verify: Duration, upstream: Option<Duration>) -> String {
    fn ms(out: &mut String, d: Duration) {
        // In u64: `as_micros` is a u128, whose every division is a call.
        let (secs, micros) = (d.as_secs(), u64::from(d.subsec_micros()));
        let whole = secs.saturating_mul(1000).saturating_add(micros / 1000);
        out.push_str(itoa::Buffer::new().format(whole));
        let frac = micros % 1000;
        let digits = [b'.', digit(frac / 100), digit(frac / 10), digit(frac)];
        out.push_str(std::str::from_utf8(&digits).expect("ASCII"));
    }
    fn digit(d: u64) -> u8 {
        b'0' + (d % 10) as u8
    }
    let mut value = String::with_capacity(48);
    value.push_str("verify;dur=");
    ms(&mut value, verify);
    if let Some(u) = upstream {
        value.push_str(", upstream;dur=");
        ms(&mut value, u);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timing_format() {
        assert_eq!(server_timing(Duration::ZERO, None), "verify;dur=0.000");
        assert_eq!(
            server_timing(
                Duration::from_micros(1250),
                Some(Duration::from_nanos(3_000_400))
            ),
            "verify;dur=1.250, upstream;dur=3.000"
        );
        assert_eq!(
            server_timing(Duration::from_micros(21), Some(Duration::from_secs(12))),
            "verify;dur=0.021, upstream;dur=12000.000"
        );
        // Whole milliseconds past u64's microseconds still print.
        assert_eq!(
            server_timing(Duration::from_secs(u64::MAX / 1000), None),
            format!("verify;dur={}.000", u64::MAX / 1000 * 1000)
        );
        assert_eq!(
            server_timing(Duration::new(7, 999_999_999), None),
            "verify;dur=7999.999"
        );
    }
}
