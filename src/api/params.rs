//! Request parameters: a strict query-string extractor that names the parameter at fault, the
//! shared paging parameters, opaque cursors, and parsed nation codes.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::error::ApiError;
use crate::db::queries::Window;

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page a client can ask for.
pub const MAX_LIMIT: u32 = 500;

/// A query string parsed into `T`, refusing unknown parameters and naming the parameter at fault
/// in every error (actix's own `web::Query` names none).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`; the error names the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let parameter = if path.is_empty() || path == "." || path == "?" {
            // Unknown and repeated parameters are reported at the top level, with the name in
            // backticks in serde's message.
            message.split('`').nth(1).unwrap_or("").to_owned()
        } else {
            path
        };
        let detail = if message.starts_with("unknown field") {
            let accepted = message
                .split_once("expected")
                .map(|(_, rest)| rest.trim().trim_start_matches("one of ").to_owned())
                .filter(|rest| !rest.starts_with("no fields") && !rest.is_empty());
            match accepted {
                Some(list) => format!(
                    "unknown query parameter `{parameter}`; this endpoint accepts {list}, and `{}` (indented JSON)",
                    super::present::PRETTY
                ),
                None => format!(
                    "unknown query parameter `{parameter}`; this endpoint accepts only `{}` (indented JSON)",
                    super::present::PRETTY
                ),
            }
        } else if message.starts_with("duplicate field") {
            format!("query parameter `{parameter}` is given more than once; give it once")
        } else {
            format!("query parameter `{parameter}` is invalid: {message}")
        };
        ApiError::parameter(parameter, detail)
    })
}

/// A date or moment PostgreSQL can hold: from 4713 BC to the year 294276 (a date to 5874897 AD,
/// but a moment not; the narrower bound serves both).
pub trait PgRange: std::str::FromStr {
    /// What a parameter of this type takes, with an example, for the message when it is given
    /// something else.
    const EXPECTED: &'static str;
    /// Whether PostgreSQL can hold it.
    fn in_pg_range(&self) -> bool;
}

/// The first and last years PostgreSQL holds for both dates and moments (4713 BC is year -4712).
const PG_YEARS: std::ops::RangeInclusive<i32> = -4712..=294_275;

impl PgRange for chrono::NaiveDate {
    const EXPECTED: &'static str = "a day as YYYY-MM-DD, such as 2026-01-07";
    fn in_pg_range(&self) -> bool {
        PG_YEARS.contains(&chrono::Datelike::year(self))
    }
}

impl PgRange for chrono::DateTime<chrono::Utc> {
    const EXPECTED: &'static str = "a moment in RFC 3339, with its time zone, such as 2026-01-07T09:30:00Z";
    fn in_pg_range(&self) -> bool {
        PG_YEARS.contains(&chrono::Datelike::year(self))
    }
}

/// Reads an optional date or moment, saying what it takes (with an example) when it is given
/// something else, and refuses one outside what PostgreSQL holds, so that it is a 400 naming the
/// parameter rather than a database error.
pub fn within_pg_range<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: PgRange,
{
    let value = match Option::<String>::deserialize(deserializer)? {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<T>()
                .map_err(|_| serde::de::Error::custom(format!("expects {}, not `{text}`", T::EXPECTED)))?,
        ),
    };
    match value {
        Some(v) if !v.in_pg_range() => Err(serde::de::Error::custom(
            "the date is outside what the knowledge base can hold (4713 BC to the year 294275); give a date such as 2026-01-07",
        )),
        other => Ok(other),
    }
}

/// As [`within_pg_range`], for a parameter that must be given.
pub fn required_within_pg_range<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: PgRange,
{
    within_pg_range(deserializer)?.ok_or_else(|| serde::de::Error::custom(format!("expects {}", T::EXPECTED)))
}

/// The parameters of an endpoint that takes none (besides `pretty`): any other is refused.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// The parameters of a read of reference data, which is the same at every moment.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferenceParams {
    /// Accepted for symmetry with every other read: this is reference data, the same at every moment.
    #[param(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// A validated page request: where to start and how many records to return.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    after: Option<K>,
    limit: u32,
}

/// A key that orders a list, carried in a cursor as a position: a 64-bit integer. Every position
/// is a valid place to start, so every cursor of the documented shape is accepted.
pub trait CursorKey: Sized {
    /// The key as a position.
    fn to_position(&self) -> i64;
    /// The key at a position (a position before every key, or after every key, is allowed).
    fn from_position(position: i64) -> Self;
}

impl CursorKey for i64 {
    fn to_position(&self) -> i64 {
        *self
    }
    fn from_position(position: i64) -> Self {
        position
    }
}

/// Nation codes (two letters A-Z) as positions 0 to 675, in code order.
impl CursorKey for String {
    fn to_position(&self) -> i64 {
        self.bytes()
            .take(2)
            .fold(0, |acc, b| acc * 26 + i64::from(b.saturating_sub(b'A')))
    }
    fn from_position(position: i64) -> Self {
        match position {
            p if p < 0 => String::new(),
            p if p >= 26 * 26 => "ZZZ".to_owned(),
            p => {
                let (first, second) = ((p / 26) as u8, (p % 26) as u8);
                String::from_utf8_lossy(&[b'A' + first, b'A' + second]).into_owned()
            }
        }
    }
}

/// The shape of every cursor: eleven base64url characters, the eight bytes of a position.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{11}$";

const CURSOR_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

impl<K: CursorKey> PageRequest<K> {
    /// Checks `cursor` and `limit` as given in a query string.
    pub fn new(cursor: Option<&str>, limit: Option<u32>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::parameter(
                "limit",
                format!("query parameter `limit` must be between 1 and {MAX_LIMIT}, not {limit}"),
            ));
        }
        let after = match cursor {
            None => None,
            Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
                ApiError::parameter(
                    "cursor",
                    "query parameter `cursor` is not a cursor this service issued; pass the `next_cursor` of the previous page unchanged",
                )
            })?),
        };
        Ok(PageRequest { after, limit })
    }

    /// The rows to fetch: one more than the page holds, to learn whether another page follows.
    pub fn window(&self) -> Window<&K> {
        Window {
            after: self.after.as_ref(),
            fetch: i64::from(self.limit) + 1,
        }
    }

    /// Cuts the fetched rows to the page and makes the cursor of the next page, if there is one.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> (Vec<T>, Option<String>) {
        let limit = self.limit as usize;
        if rows.len() > limit {
            rows.truncate(limit);
            let next = rows.last().map(|row| encode_cursor(&key(row)));
            (rows, next)
        } else {
            (rows, None)
        }
    }
}

impl PageRequest<i64> {
    /// For rows without a key of their own (ranked results, a merged timeline): how many rows
    /// the pages before this one held, which the cursor carries.
    pub fn offset(&self) -> i64 {
        self.after.unwrap_or(0).max(0)
    }

    /// Cuts rows read from [`offset`](Self::offset) to the page; the next cursor is the position
    /// of the page's last row.
    pub fn finish_at_offset<T>(&self, rows: Vec<T>) -> (Vec<T>, Option<String>) {
        let offset = self.offset();
        let positioned: Vec<(i64, T)> = (offset + 1..).zip(rows).collect();
        let (rows, next) = self.finish(positioned, |(position, _)| *position);
        (rows.into_iter().map(|(_, row)| row).collect(), next)
    }
}

impl Window<&i64> {
    /// The window with its key copied out.
    pub fn copied(self) -> Window<i64> {
        Window {
            after: self.after.copied(),
            fetch: self.fetch,
        }
    }
}

impl<'a> Window<&'a String> {
    /// The window with its key as a string slice.
    pub fn as_str(self) -> Window<&'a str> {
        Window {
            after: self.after.map(String::as_str),
            fetch: self.fetch,
        }
    }
}

fn encode_cursor<K: CursorKey>(key: &K) -> String {
    CURSOR_ENGINE.encode(key.to_position().to_be_bytes())
}

fn decode_cursor<K: CursorKey>(cursor: &str) -> Option<K> {
    if cursor.len() != 11 {
        return None;
    }
    let bytes: [u8; 8] = CURSOR_ENGINE.decode(cursor).ok()?.try_into().ok()?;
    Some(K::from_position(i64::from_be_bytes(bytes)))
}

/// A record identifier: a whole number from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<i64>() {
            Ok(id) if id >= 1 => Ok(Id(id)),
            _ => Err(serde::de::Error::custom(format!(
                "`{text}` is not an identifier; identifiers are whole numbers from 1 to 9223372036854775807"
            ))),
        }
    }
}

/// An ISO 3166-1 alpha-2 code, upper-cased (`fr` is read as `FR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationCode(String);

impl NationCode {
    /// Parses a code of two ASCII letters.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(NationCode(text.to_ascii_uppercase()))
        } else {
            Err(format!(
                "`{text}` is not an ISO 3166-1 alpha-2 code; use two letters, such as FR or GB"
            ))
        }
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for NationCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NationCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The most values one filter takes.
pub const MAX_VALUES: usize = 100;

/// One or more values of a filter, comma-separated (`kind=troops,funding`): a record matches when
/// its field holds any of them. A value given twice counts once; an empty item is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyOf<T>(Vec<T>);

impl<T> AnyOf<T> {
    /// The values, in the order given.
    pub fn values(&self) -> &[T] {
        &self.0
    }

    /// The values, owned.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// The values, each mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> AnyOf<U> {
        AnyOf(self.0.into_iter().map(f).collect())
    }
}

impl<T> From<T> for AnyOf<T> {
    fn from(value: T) -> Self {
        AnyOf(vec![value])
    }
}

impl<'de, T: DeserializeOwned + PartialEq> Deserialize<'de> for AnyOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = String::deserialize(deserializer)?;
        let mut values = Vec::new();
        for item in text.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(D::Error::custom(format!(
                    "`{text}` holds an empty value; give one value or several separated by commas, such as `troops,funding`"
                )));
            }
            let value = T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(item))
                .map_err(D::Error::custom)?;
            if !values.contains(&value) {
                values.push(value);
            }
        }
        if values.len() > MAX_VALUES {
            return Err(D::Error::custom(format!(
                "{} values given; a filter takes at most {MAX_VALUES}",
                values.len()
            )));
        }
        Ok(AnyOf(values))
    }
}

/// Words to look for, in web search syntax: 1 to 500 characters, without NUL, trimmed.
#[derive(Debug, Clone)]
pub struct SearchText(String);

impl SearchText {
    /// Checks and trims the text of a search.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.contains('\0') || trimmed.chars().count() > 500 {
            Err("it must hold 1 to 500 characters to look for, without NUL".to_owned())
        } else {
            Ok(SearchText(trimmed.to_owned()))
        }
    }

    /// The text, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SearchText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        SearchText::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the errors of parsing are looked at")]
    struct Sample {
        limit: Option<u32>,
        nation: Option<NationCode>,
    }

    fn parameter_of(query: &str) -> String {
        match parse_query::<Sample>(query) {
            Err(ApiError::InvalidParameter { parameter, .. }) => parameter,
            other => panic!("expected an invalid parameter, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn errors_name_the_parameter_at_fault() {
        assert_eq!(parameter_of("limit=abc"), "limit");
        assert_eq!(parameter_of("nation=France"), "nation");
        assert_eq!(parameter_of("colour=red"), "colour");
        assert_eq!(parameter_of("limit=1&limit=2"), "limit");
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let page = PageRequest::<i64>::new(None, Some(2)).unwrap();
        let (rows, next) = page.finish(vec![1_i64, 2, 3], |r| *r);
        assert_eq!(rows, vec![1, 2]);
        let next = next.unwrap();
        let again = PageRequest::<i64>::new(Some(&next), Some(2)).unwrap();
        assert_eq!(again.window().after, Some(&2));
        assert!(PageRequest::<i64>::new(Some("not-a-cursor"), None).is_err());
        assert!(PageRequest::<i64>::new(Some(""), None).is_err());
        assert!(
            PageRequest::<i64>::new(Some("AAAAAAAAAAAA"), None).is_err(),
            "twelve characters"
        );
        // Every string of the documented shape is a place to start.
        for cursor in ["AAAAAAAAAAA", "___________", "zzzzzzzzzzz", "-0aZ_9-0aZ_"] {
            assert!(PageRequest::<i64>::new(Some(cursor), None).is_ok(), "{cursor}");
            assert!(PageRequest::<String>::new(Some(cursor), None).is_ok(), "{cursor}");
        }
    }

    #[test]
    fn nation_codes_round_trip_through_positions() {
        for code in ["AD", "AE", "FR", "ZW", "ZZ"] {
            assert_eq!(String::from_position(code.to_owned().to_position()), code);
        }
        assert!(String::from_position(-1).as_str() < "AA");
        assert!(String::from_position(10_000).as_str() > "ZZ");
        assert!(PageRequest::<i64>::new(None, Some(0)).is_err());
        assert!(PageRequest::<i64>::new(None, Some(501)).is_err());
    }
}
