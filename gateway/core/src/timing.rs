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
        let us = d.as_micros();
        out.push_str(itoa::Buffer::new().format(us / 1000));
        let frac = us % 1000;
        let digits = [
            b'.',
            digit(frac / 100),
            digit(frac / 10 % 10),
            digit(frac % 10),
        ];
        out.push_str(std::str::from_utf8(&digits).expect("ASCII"));
    }
    fn digit(d: u128) -> u8 {
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
    }
}
