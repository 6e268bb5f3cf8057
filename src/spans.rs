//! Where an excerpt lies in its source's text, in code points (as the database counts them when
//! it checks that a citation's excerpt equals its source's text between its offsets). The seed
//! and the API's writes both find excerpts through here.

/// Why an excerpt has no one place in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanError {
    /// The excerpt is empty.
    Empty,
    /// The text does not hold the excerpt.
    NotFound,
    /// The text holds it this many times, and no occurrence was named.
    Ambiguous(usize),
    /// The occurrence asked for (1-based) is past the last of those found.
    NoSuchOccurrence {
        /// The occurrence asked for.
        asked: usize,
        /// How many there are.
        found: usize,
    },
    /// The offsets lie past what a citation can hold (2^31 code points).
    TooFar,
    /// The end lies beyond the text, which is this many code points long.
    BeyondEnd(usize),
}

/// The code-point offsets `(start, end)` of `excerpt` in `text`: its only occurrence, or the
/// `occurrence`-th (counting from 1) when one is named.
pub fn locate(text: &str, excerpt: &str, occurrence: Option<usize>) -> Result<(i32, i32), SpanError> {
    if excerpt.is_empty() {
        return Err(SpanError::Empty);
    }
    let starts: Vec<usize> = text.match_indices(excerpt).map(|(i, _)| i).collect();
    let byte = match (starts.len(), occurrence) {
        (0, _) => return Err(SpanError::NotFound),
        (1, None | Some(1)) => starts[0],
        (n, None) => return Err(SpanError::Ambiguous(n)),
        (n, Some(k)) => *starts
            .get(k.wrapping_sub(1))
            .ok_or(SpanError::NoSuchOccurrence { asked: k, found: n })?,
    };
    let start = text[..byte].chars().count();
    let end = start + excerpt.chars().count();
    match (i32::try_from(start), i32::try_from(end)) {
        (Ok(start), Ok(end)) => Ok((start, end)),
        _ => Err(SpanError::TooFar),
    }
}

/// The text between code-point offsets `start` and `end` (empty when `end <= start` or `start`
/// is negative).
pub fn between(text: &str, start: i32, end: i32) -> Result<String, SpanError> {
    let length = text.chars().count();
    if end < 0 || end as usize > length {
        return Err(SpanError::BeyondEnd(length));
    }
    Ok(text
        .chars()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(end.saturating_sub(start)).unwrap_or(0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_code_points_and_name_the_occurrence() {
        let text = "Élysée: troops. Élysée: troops.";
        assert_eq!(locate(text, "troops", None), Err(SpanError::Ambiguous(2)));
        assert_eq!(locate(text, "troops", Some(2)), Ok((24, 30)));
        assert_eq!(between(text, 24, 30).as_deref(), Ok("troops"));
        assert_eq!(
            locate(text, "troops", Some(3)),
            Err(SpanError::NoSuchOccurrence { asked: 3, found: 2 })
        );
        assert_eq!(locate(text, "ships", None), Err(SpanError::NotFound));
        assert_eq!(locate(text, "", None), Err(SpanError::Empty));
        assert_eq!(between(text, 0, 99), Err(SpanError::BeyondEnd(31)));
    }
}
