//! Paging, in one place: how a client asks for a page (`cursor`, `limit`: [`PageRequest`], with
//! opaque cursors over [`CursorKey`]s), what a page is ([`Page`], declared with `page!`, or
//! [`StoredPage`] of stored representations), and how a list's parameters are walked page after
//! page for a streamed answer ([`Paging`], implemented with `paging!`). The data layer's side is
//! [`Window`]: the key to start after and how many rows to fetch.

use std::marker::PhantomData;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::Serialize;
use serde_json::value::RawValue;

use super::error::ApiError;
use crate::db::queries::stored::StoredRow;
use crate::db::queries::Window;

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page a client can ask for.
pub const MAX_LIMIT: u32 = 500;

// A page and the row after it are walked under the data layer's constant bound.
const _: () = assert!((MAX_LIMIT as i64) < crate::db::queries::stored::PAGE_BOUND);

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

/// A page of a list; answering it also sets `Link: <...>; rel="next"` when another page follows.
pub trait Page: Serialize {
    /// The type of the page's records: its schema gives the CSV columns.
    type Item: utoipa::ToSchema;
    /// The cursor of the next page, if any.
    fn next_cursor(&self) -> Option<&str>;

    /// Writes the CSV header row: by default the columns of the records' schema.
    fn csv_header(&self, out: &mut Vec<u8>) {
        super::encoding::header_row(out, super::encoding::columns::<Self::Item>());
    }

    /// Writes the page's records as CSV rows or NDJSON lines: by default its `items`.
    fn encode(&self, format: super::encoding::Format, out: &mut Vec<u8>) -> Result<(), ApiError> {
        super::encoding::encode::<Self::Item, _>(format, self, out)
    }

    /// The page as JSON: by default as serde writes it.
    fn to_json(&self) -> Result<Vec<u8>, ApiError> {
        serde_json::to_vec(self).map_err(|e| ApiError::Internal(format!("a page does not encode as JSON: {e}")))
    }
}

/// The parameters of a list that say where a page starts and how long it is; a streamed answer
/// asks for one page after the other by changing them.
pub trait Paging: Clone + 'static {
    /// The `cursor` and `limit` asked for.
    fn paging(&self) -> (Option<String>, Option<u32>);
    /// The same parameters for another page.
    fn at(&self, cursor: Option<String>, limit: Option<u32>) -> Self;
}

/// Implements [`Paging`] for parameter structs with `cursor` and `limit` fields.
macro_rules! paging {
    ($($params:ty),+ $(,)?) => {$(
        impl crate::api::paging::Paging for $params {
            fn paging(&self) -> (Option<String>, Option<u32>) {
                (self.cursor.clone(), self.limit)
            }
            fn at(&self, cursor: Option<String>, limit: Option<u32>) -> Self {
                let mut params = self.clone();
                params.cursor = cursor;
                params.limit = limit;
                params
            }
        }
    )+};
}
pub(crate) use paging;

/// Declares a page type of a list: its items and the cursor of the next page.
macro_rules! page {
    ($(#[$meta:meta])* $name:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// The records of this page, in identifier order.
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; null on the last page.
            #[schema(example = json!(null))]
            pub next_cursor: Option<String>,
        }

        impl crate::api::paging::Page for $name {
            type Item = $item;
            fn next_cursor(&self) -> Option<&str> {
                self.next_cursor.as_deref()
            }
        }
    };
}
pub(crate) use page;

/// A page of records as stored, each item the representation its detail answers (JSON text the
/// database checked when it was written); `T` is the typed page that documents it
/// (`CommitmentPage`).
#[derive(Debug)]
pub struct StoredPage<T> {
    items: Vec<String>,
    next_cursor: Option<String>,
    page: PhantomData<fn() -> T>,
}

impl<T> Serialize for StoredPage<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeStruct as _};
        let items = self
            .items
            .iter()
            .map(|item| serde_json::from_str::<&RawValue>(item))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| S::Error::custom(format!("a stored representation is not JSON: {e}")))?;
        let mut page = serializer.serialize_struct("StoredPage", 2)?;
        page.serialize_field("items", &items)?;
        page.serialize_field("next_cursor", &self.next_cursor)?;
        page.end()
    }
}

impl<T: Page> Page for StoredPage<T> {
    type Item = T::Item;
    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }

    /// The stored texts joined as they are, without reading them again (serde would check each
    /// one: a sixth of the service's work on a page of fifty). The same bytes as serde's.
    fn to_json(&self) -> Result<Vec<u8>, ApiError> {
        let cursor = serde_json::to_string(&self.next_cursor)
            .map_err(|e| ApiError::Internal(format!("a cursor does not encode as JSON: {e}")))?;
        let length = self.items.iter().map(|i| i.len() + 1).sum::<usize>() + cursor.len() + 30;
        let mut out = Vec::with_capacity(length);
        out.extend_from_slice(b"{\"items\":[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(item.as_bytes());
        }
        out.extend_from_slice(b"],\"next_cursor\":");
        out.extend_from_slice(cursor.as_bytes());
        out.push(b'}');
        Ok(out)
    }
}

/// A list page read from the tables, or as of a moment from the history.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Paged<T> {
    /// Read from the tables.
    Live(T),
    /// Read from the history.
    AsOf(StoredPage<T>),
}

impl<T: Page> Page for Paged<T> {
    type Item = T::Item;
    fn next_cursor(&self) -> Option<&str> {
        match self {
            Paged::Live(page) => page.next_cursor(),
            Paged::AsOf(page) => page.next_cursor(),
        }
    }

    fn to_json(&self) -> Result<Vec<u8>, ApiError> {
        match self {
            Paged::Live(page) => page.to_json(),
            Paged::AsOf(page) => page.to_json(),
        }
    }
}

impl<T> StoredPage<T> {
    /// The page of `rows` (fetched one beyond it), in id order.
    pub fn of(page: &PageRequest<i64>, rows: Vec<StoredRow>) -> Result<Self, ApiError> {
        let (rows, next_cursor) = page.finish(rows, |row| row.record_id);
        let items = rows.into_iter().map(|row| row.body).collect();
        Ok(StoredPage {
            items,
            next_cursor,
            page: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_stored_page_joins_its_texts_as_serde_would_write_them() {
        let request = PageRequest::<i64>::new(None, Some(2)).unwrap();
        let rows = (1..=3)
            .map(|id| StoredRow {
                record_id: id,
                body: format!("{{\"id\":{id},\"summary\":\"a \\\"quoted\\\" word\",\"list\":[1, 2]}}"),
            })
            .collect();
        let page = StoredPage::<crate::api::schemas::records::CommitmentPage>::of(&request, rows).unwrap();
        assert_eq!(page.to_json().unwrap(), serde_json::to_vec(&page).unwrap());
        let last = StoredPage::<crate::api::schemas::records::CommitmentPage>::of(&request, Vec::new()).unwrap();
        assert_eq!(last.to_json().unwrap(), serde_json::to_vec(&last).unwrap());
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
