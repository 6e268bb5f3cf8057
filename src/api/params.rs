//! Request parameters: a strict query-string extractor that names the parameter at fault, record
//! ids, parsed nation codes, filters of several values, search words and moments (paging is in
//! `paging`).

use std::future::{ready, Ready};

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::error::ApiError;

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

/// A text the document gives `maxLength: max` and a pattern of "something besides white space,
/// no NUL" (a search, a reason, a key's name), trimmed; `None` when it breaks either. The length is
/// that of the text as sent, as the document's `maxLength` says: white space around it counts.
pub fn words(text: &str, max: usize) -> Option<&str> {
    let trimmed = text.trim();
    (!trimmed.is_empty() && !text.contains('\0') && text.chars().count() <= max).then_some(trimmed)
}

/// Words to look for, in web search syntax: at most 500 characters as sent, without NUL, with
/// something besides white space; trimmed once checked.
#[derive(Debug, Clone)]
pub struct SearchText(String);

impl SearchText {
    /// Checks and trims the text of a search (see [`words`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        words(text, 500)
            .map(|trimmed| SearchText(trimmed.to_owned()))
            .ok_or_else(|| "it must hold 1 to 500 characters to look for, without NUL".to_owned())
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
    fn a_search_text_is_measured_as_sent_and_trimmed_once_accepted() {
        let padded = format!("{}\r\r\r\r", "a".repeat(496));
        assert_eq!(SearchText::parse(&padded).map(|t| t.as_str().len()), Ok(496));
        assert!(
            SearchText::parse(&format!("{padded}\r")).is_err(),
            "501 characters as sent"
        );
        assert!(SearchText::parse(" \u{3000}\r").is_err(), "only white space");
        assert!(SearchText::parse("a\0").is_err(), "a NUL");
    }

    #[test]
    fn errors_name_the_parameter_at_fault() {
        assert_eq!(parameter_of("limit=abc"), "limit");
        assert_eq!(parameter_of("nation=France"), "nation");
        assert_eq!(parameter_of("colour=red"), "colour");
        assert_eq!(parameter_of("limit=1&limit=2"), "limit");
    }
}
