//! Time: stored as UTC in RFC 3339 («2026-11-23T18:04:51Z»), shown to people in the
//! computer's time zone («24.11.2026 08:49»).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Now, as stored: «2026-11-23T18:04:51Z».
pub fn now() -> String {
    format_utc(Timestamp::now().as_second())
}

/// Today in UTC: «2026-11-23».
pub fn today() -> String {
    now()[..10].to_string()
}

/// Seconds since 1970 as stored.
pub fn format_utc(secs: i64) -> String {
    match Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => "1970-01-01T00:00:00Z".into(),
    }
}

/// A stored time in this computer's time zone, for people: «24.11.2026 08:49». A text that
/// is not a time is shown as it is.
pub fn local(at: &str) -> String {
    local_in(at, &TimeZone::system())
}

/// [`local`] in a given zone.
pub fn local_in(at: &str, tz: &TimeZone) -> String {
    match at.parse::<Timestamp>() {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%d.%m.%Y %H:%M")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

/// The time of day of a stored time in this computer's zone: «08:49:05».
pub fn local_time(at: &str) -> String {
    local_time_in(at, &TimeZone::system())
}

pub fn local_time_in(at: &str, tz: &TimeZone) -> String {
    match at.parse::<Timestamp>() {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%H:%M:%S")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plus5() -> TimeZone {
        TimeZone::get("Asia/Yekaterinburg").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(5)))
    }

    #[test]
    fn known_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_663_113_600), "2022-09-14T00:00:00Z");
        assert_eq!(format_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
        assert!(now().ends_with('Z') && now().len() == 20, "{}", now());
    }

    #[test]
    fn stored_utc_is_shown_in_the_local_zone() {
        assert_eq!(
            local_in("2026-09-14T21:30:00Z", &plus5()),
            "15.09.2026 02:30"
        );
        assert_eq!(local_time_in("2026-09-14T21:30:05Z", &plus5()), "02:30:05");
        assert_eq!(local_in("вчера", &plus5()), "вчера");
        assert_eq!(local_in("", &plus5()), "");
    }
}
