//! Owns the pack's word lists (`words:` and `category_words:` in the taxonomy file) and how
//! a text is matched against one: both folded (compatibility decomposition, diacritics
//! dropped, lower case, punctuation and `_` to spaces); a word matches inside a word
//! (`nationalit` in "nationaliteit"), a word written `=word` only as a whole word (`=staff`
//! is not in "staffing"), a word with a space as that phrase.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

/// A text folded for matching: NFKD, no combining marks, lower case, every character
/// that is not a letter or digit a space, single spaces, with a space either side.
pub fn fold(text: &str) -> String {
    let spaced: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out = String::with_capacity(spaced.len() + 2);
    out.push(' ');
    for word in spaced.split_whitespace() {
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// One entry of a list, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// The folded text, without its outer spaces.
    text: String,
    /// What is searched for: the text, with a space either side for `=word`.
    needle: String,
}

/// The named word lists of a pack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordLists {
    lists: BTreeMap<String, Vec<Word>>,
}

impl WordLists {
    /// Adds a list under `name` (replacing one of that name).
    pub fn insert(&mut self, name: &str, words: impl IntoIterator<Item = String>) {
        let words = words
            .into_iter()
            .filter_map(|w| {
                let (whole, raw) = match w.strip_prefix('=') {
                    Some(rest) => (true, rest),
                    None => (false, w.as_str()),
                };
                let text = fold(raw).trim().to_string();
                let needle = if whole {
                    format!(" {text} ")
                } else {
                    text.clone()
                };
                (!text.is_empty()).then_some(Word { text, needle })
            })
            .collect();
        self.lists.insert(name.to_string(), words);
    }

    /// Whether the list is defined.
    pub fn has(&self, name: &str) -> bool {
        self.lists.contains_key(name)
    }

    /// The first word of list `name` the text holds (as written in the list, folded);
    /// `None` when it holds none or there is no such list.
    pub fn find(&self, name: &str, text: &str) -> Option<&str> {
        let folded = fold(text);
        self.find_folded(name, &folded)
    }

    /// The names of the lists with a word in the text (already [`fold`]ed), in name order.
    pub fn lists_found<'s>(&'s self, folded: &str) -> Vec<&'s str> {
        self.lists
            .keys()
            .filter(|name| self.find_folded(name, folded).is_some())
            .map(String::as_str)
            .collect()
    }

    /// [`WordLists::find`] on a text already [`fold`]ed.
    pub fn find_folded(&self, name: &str, folded: &str) -> Option<&str> {
        self.lists.get(name)?.iter().find_map(|word| {
            folded
                .contains(word.needle.as_str())
                .then_some(word.text.as_str())
        })
    }
}

impl WordLists {
    /// Whether the whole text is one of the list's words or phrases, with one of `tails`
    /// (folded) after it or not: "Zolang nodig voor het doel." is only "zolang nodig".
    pub fn is_only(&self, name: &str, text: &str, tails: &[&str]) -> bool {
        let folded = fold(text);
        let mut core = folded.trim();
        for tail in tails {
            let tail = fold(tail);
            if let Some(rest) = core.strip_suffix(tail.trim()) {
                core = rest.trim();
                break;
            }
        }
        self.lists
            .get(name)
            .is_some_and(|words| words.iter().any(|w| w.text == core))
    }
}

/// A register category whose words say it belongs under a category of the pack: the words
/// list and the category its matches must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryWords {
    /// The name of the words list.
    pub words: String,
    /// The category of the pack that a matching category must be under.
    pub category: String,
    /// Which taxonomy: `data` or `subjects`.
    pub data: bool,
}

#[cfg(test)]
mod tests {
    use super::{fold, WordLists};

    fn lists() -> WordLists {
        let mut lists = WordLists::default();
        lists.insert(
            "employee",
            ["medewerker", "=staff", "employee"].map(String::from),
        );
        lists.insert("patient", ["patient".to_string()]);
        lists.insert("necessary", ["zolang nodig".to_string()]);
        lists
    }

    #[test]
    fn folding_drops_case_diacritics_and_punctuation() {
        assert_eq!(fold("Patiënt_Dossier (ZKH)"), " patient dossier zkh ");
        assert_eq!(fold("  "), " ");
    }

    #[test]
    fn a_word_matches_inside_words_and_a_whole_word_only_whole() {
        let lists = lists();
        assert_eq!(
            lists.find("employee", "uitzendmedewerkers"),
            Some("medewerker")
        );
        assert_eq!(lists.find("employee", "Staff"), Some("staff"));
        assert_eq!(lists.find("employee", "staffing_agency"), None);
        assert_eq!(lists.find("patient", "patiënten"), Some("patient"));
        assert_eq!(
            lists.find("necessary", "Zolang  nodig."),
            Some("zolang nodig")
        );
        assert_eq!(lists.find("missing", "anything"), None);
    }

    #[test]
    fn only_a_phrase_with_a_tail_at_most() {
        let lists = lists();
        let tails = ["voor het doel"];
        assert!(lists.is_only("necessary", "Zolang nodig.", &tails));
        assert!(lists.is_only("necessary", "zolang nodig voor het doel", &tails));
        assert!(!lists.is_only("necessary", "zolang nodig voor de garantie, 2 jaar", &tails));
        assert!(!lists.is_only("missing", "zolang nodig", &tails));
    }
}
