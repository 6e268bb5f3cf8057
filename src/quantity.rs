//! The rules that turn a source's words for an amount ("several thousand", "more than two dozen")
//! into a numeric range. They are applied by code, the same for every record, and documented in
//! the OpenAPI description of `quantity` ([`RULES`]); words no rule covers get no range at all,
//! never an invented one.

/// The rules in words, as the API documents them.
pub const RULES: &str = "A range is derived from the source's words by these rules, and only by them \
(words no rule covers get no range): a figure (\"856\", \"5,000\", \"two\", \"a dozen\", \"two dozen\") is \
exactly that figure; \"more than N\" / \"over N\" is N+1 and up, with no upper bound; \"at least N\" is N \
and up; \"up to N\" / \"as many as N\" is at most N; \"fewer than N\" / \"less than N\" is at most N-1; \
\"a few <unit>\" (a few thousand) is 2 to 4.999 of the unit; \"several <unit>\" (several thousand) is 3 to \
9.999 of the unit; \"dozens\" / \"hundreds\" / \"thousands\" / \"millions\" is at least two of the unit, \
with no upper bound. \"About\", \"around\", \"roughly\" and \"nearly\" are vague in both directions and \
get no range. A derived range is marked `inferred` by `rule`, with the rule that gave it.";

/// A range derived from words, and the rule that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// The least the words allow.
    pub min: Option<f64>,
    /// The most the words allow; none when the words set no upper bound.
    pub max: Option<f64>,
    /// The rule, in words, for the record's basis note.
    pub rule: String,
}

fn number_word(word: &str) -> Option<f64> {
    Some(match word {
        "a" | "an" | "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "twenty" => 20.0,
        "fifty" => 50.0,
        _ => return None,
    })
}

fn multiplier(word: &str) -> Option<f64> {
    Some(match word {
        "dozen" => 12.0,
        "hundred" => 100.0,
        "thousand" => 1_000.0,
        "million" => 1_000_000.0,
        "billion" => 1_000_000_000.0,
        _ => return None,
    })
}

fn plural_multiplier(word: &str) -> Option<f64> {
    word.strip_suffix('s').and_then(multiplier)
}

/// A figure: digits (with thousands separators) or number words, times any multipliers that
/// follow ("two dozen", "5 million"). Returns the figure and how many words it took.
fn figure(words: &[&str]) -> Option<(f64, usize)> {
    let first = words.first()?;
    let digits: String = first.chars().filter(|c| *c != ',').collect();
    let mut value = if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        digits.parse::<f64>().ok()?
    } else {
        number_word(first)?
    };
    let mut used = 1;
    while let Some(m) = words.get(used).and_then(|w| multiplier(w)) {
        value *= m;
        used += 1;
    }
    if *first == "a" || *first == "an" {
        // "a" alone is no figure; "a dozen", "a thousand" are.
        if used == 1 {
            return None;
        }
    }
    Some((value, used))
}

/// The range the rules derive from the source's words for an amount, if any rule covers them.
/// The words may be followed by what is counted ("several thousand soldiers").
pub fn derive(text: &str) -> Option<Derived> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let said = text.trim();
    let exact = |value: f64| Derived {
        min: Some(value),
        max: Some(value),
        rule: format!("\"{said}\" is a figure: exactly {value}"),
    };
    match words.as_slice() {
        [] => None,
        ["about" | "around" | "roughly" | "nearly" | "approximately" | "some", ..] => None,
        ["more" | "fewer" | "less", "than", rest @ ..] => {
            let (n, _) = figure(rest)?;
            Some(if words[0] == "more" {
                Derived {
                    min: Some(n.floor() + 1.0),
                    max: None,
                    rule: format!(
                        "\"more than N\" is N+1 and up: \"{said}\" is {} or more",
                        n.floor() + 1.0
                    ),
                }
            } else {
                Derived {
                    min: None,
                    max: Some(n.ceil() - 1.0),
                    rule: format!(
                        "\"fewer than N\" is at most N-1: \"{said}\" is at most {}",
                        n.ceil() - 1.0
                    ),
                }
            })
        }
        ["over", rest @ ..] => {
            let (n, _) = figure(rest)?;
            Some(Derived {
                min: Some(n.floor() + 1.0),
                max: None,
                rule: format!("\"over N\" is N+1 and up: \"{said}\" is {} or more", n.floor() + 1.0),
            })
        }
        ["at", "least", rest @ ..] => {
            let (n, _) = figure(rest)?;
            Some(Derived {
                min: Some(n),
                max: None,
                rule: format!("\"at least N\" is N and up: \"{said}\" is {n} or more"),
            })
        }
        ["up", "to", rest @ ..] | ["as", "many", "as", rest @ ..] => {
            let (n, _) = figure(rest)?;
            Some(Derived {
                min: None,
                max: Some(n),
                rule: format!("\"up to N\" is at most N: \"{said}\" is at most {n}"),
            })
        }
        ["a", "few", unit, ..] => {
            let m = multiplier(unit)?;
            Some(Derived {
                min: Some(2.0 * m),
                max: Some(5.0 * m - 1.0),
                rule: format!(
                    "\"a few <unit>\" is 2 to 4.999 of the unit: \"{said}\" is {} to {}",
                    2.0 * m,
                    5.0 * m - 1.0
                ),
            })
        }
        ["several", unit, ..] => {
            let m = multiplier(unit)?;
            Some(Derived {
                min: Some(3.0 * m),
                max: Some(10.0 * m - 1.0),
                rule: format!(
                    "\"several <unit>\" is 3 to 9.999 of the unit: \"{said}\" is {} to {}",
                    3.0 * m,
                    10.0 * m - 1.0
                ),
            })
        }
        [plural, ..] if plural_multiplier(plural).is_some() => {
            let m = plural_multiplier(plural)?;
            Some(Derived {
                min: Some(2.0 * m),
                max: None,
                rule: format!(
                    "\"{plural}\" is at least two {}: \"{said}\" is {} or more",
                    &plural[..plural.len() - 1],
                    2.0 * m
                ),
            })
        }
        _ => figure(&words).map(|(n, _)| exact(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Option<(Option<f64>, Option<f64>)> {
        derive(text).map(|d| (d.min, d.max))
    }

    #[test]
    fn the_documented_examples_give_their_ranges() {
        assert_eq!(range("several thousand"), Some((Some(3000.0), Some(9999.0))));
        assert_eq!(range("several thousand soldiers"), Some((Some(3000.0), Some(9999.0))));
        assert_eq!(range("more than two dozen"), Some((Some(25.0), None)));
        assert_eq!(range("dozens"), Some((Some(24.0), None)));
        assert_eq!(range("a few thousand"), Some((Some(2000.0), Some(4999.0))));
        assert_eq!(range("5,000"), Some((Some(5000.0), Some(5000.0))));
        assert_eq!(range("856"), Some((Some(856.0), Some(856.0))));
        assert_eq!(range("two dozen"), Some((Some(24.0), Some(24.0))));
        assert_eq!(range("at least 100"), Some((Some(100.0), None)));
        assert_eq!(range("up to 5 million"), Some((None, Some(5_000_000.0))));
        assert_eq!(range("fewer than 10"), Some((None, Some(9.0))));
    }

    #[test]
    fn vague_words_get_no_range() {
        assert_eq!(range("about 5,000"), None);
        assert_eq!(range("a significant contingent"), None);
        assert_eq!(range("several"), None);
        assert_eq!(range("a"), None);
        assert_eq!(range(""), None);
    }

    #[test]
    fn every_range_names_its_rule() {
        let derived = derive("several thousand").unwrap();
        assert!(derived.rule.contains("several <unit>"), "{}", derived.rule);
    }
}
