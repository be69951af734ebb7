//! The fast path of [`LenientTime::parse`](super::LenientTime::parse): the shapes services send
//! (`2013-02-23T22:49:30`, `.000Z`, `+02:00`, `+0200`, a space for the `T`) read by hand.
//!
//! chrono's `parse_from_str` reads its format string again on every call (in `perf` of a
//! smartfile listing, 35 % of the client CPU went to the time of each entry, most of it in
//! `StrftimeItems`). This reads the text once; whatever it is not sure of (a leap second, more
//! than 9 fraction digits, a lower-case `t`, a `Z` after a space...) it leaves to chrono's
//! rules, so the answers are the same: a test compares the two.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `Some` only where the text is one of the shapes above, with chrono's answer for it.
pub(super) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let t_sep = match b[10] {
        b'T' => true,
        b' ' => false,
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&b[0..4])?).ok()?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let (h, m, s) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if s > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&frac[..n])? * 10u32.pow(9 - n as u32);
        rest = &frac[n..];
    }
    let naive = NaiveDateTime::new(date, NaiveTime::from_hms_nano_opt(h, m, s, nanos)?);
    let offset = match rest {
        [] => 0,
        [b'Z'] if t_sep => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (oh, om) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = i32::try_from(oh * 3600 + om * 60).ok()?;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let at = naive
        .and_local_timezone(FixedOffset::east_opt(offset)?)
        .single()?;
    Some(at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::super::LenientTime;

    #[test]
    fn the_fast_path_answers_as_chrono_does() {
        let read_fast = [
            "2013-02-23T22:49:30",
            "2013-02-23 22:49:30",
            "2013-02-23T22:49:30.1",
            "2013-02-23T22:49:30.123456789",
            "2013-02-23T22:49:30.000Z",
            "2013-02-23T22:49:30Z",
            "2013-02-23T23:49:30+01:00",
            "2013-02-23T21:49:30-01:00",
            "2013-02-23 23:49:30+01:00",
            "2015-09-29T15:39:28+0200",
            "2015-09-29 15:39:28-0230",
            "2026-12-07T03:17:01.083327Z",
            "2016-02-29T00:00:00Z",
            "2024-12-31T23:59:59.999+14:00",
        ];
        // Left to chrono, which reads some of them and refuses the rest.
        let left = [
            "2013-02-23t22:49:30z",
            "2013-02-23 22:49:30Z",
            "2016-12-31T23:59:60Z",
            "2013-02-23T22:49:30.1234567891Z",
            "2013-02-30T22:49:30Z",
            "2013-02-23T24:00:00Z",
            "2013-02-23T22:49:30+24:00",
            "2013-02-23T22:49:30+01",
            "2013-02-23T22:49:30.Z",
            "2013-02-23T22:49",
            "+2013-02-23T22:49:30Z",
            "2013-2-23T22:49:30Z",
            "yesterday",
            "",
        ];
        for text in read_fast {
            let fast = super::parse(text);
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, LenientTime::parse_with_chrono(text), "{text}");
        }
        for text in left {
            assert_eq!(super::parse(text), None, "{text}");
            assert_eq!(
                LenientTime::parse(text),
                LenientTime::parse_with_chrono(text),
                "{text}"
            );
        }
    }
}
