//! Owns the self-name test: whether a name given for another party (a processor
//! activity's controller) is the organisation itself, under another spelling. Both names are
//! folded (compatibility decomposition, diacritics dropped, lower case, punctuation to
//! spaces), legal forms and connectors are dropped, and they match when one's words all
//! stand in the other's ("gemeente Voorbeeld" in "College van B&W van de gemeente
//! Voorbeeld"), or when both contacts are e-mail addresses at the same domain.

use std::collections::BTreeSet;

/// Words that say what kind of legal person a name is, not which one.
const LEGAL_FORMS: [&str; 12] = [
    "bv",
    "nv",
    "vof",
    "cv",
    "stichting",
    "vereniging",
    "gmbh",
    "ltd",
    "inc",
    "llc",
    "plc",
    "sa",
];

/// Words that join a name's parts.
const CONNECTORS: [&str; 11] = [
    "van", "de", "het", "der", "den", "en", "and", "of", "the", "b", "w",
];

/// The distinctive words of a name, folded.
fn words(name: &str) -> BTreeSet<String> {
    let folded = crate::words::fold(name);
    // "B.V." folds to "b v": join single letters before dropping the legal form.
    let mut joined: Vec<String> = Vec::new();
    let mut letters = String::new();
    for word in folded.split_whitespace() {
        if word.chars().count() == 1 {
            letters.push_str(word);
            continue;
        }
        if !letters.is_empty() {
            joined.push(std::mem::take(&mut letters));
        }
        joined.push(word.to_string());
    }
    if !letters.is_empty() {
        joined.push(letters);
    }
    joined
        .into_iter()
        .filter(|w| !LEGAL_FORMS.contains(&w.as_str()) && !CONNECTORS.contains(&w.as_str()))
        .collect()
}

/// The domain of an e-mail address in a contact text, lower case.
fn mail_domain(contact: &str) -> Option<String> {
    let at = contact.find('@')?;
    let domain: String = contact[at + 1..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    domain.contains('.').then(|| domain.to_lowercase())
}

/// Whether the party (`name`, `contact`) is the organisation (`own_name`, `own_contact`).
pub fn is_self(
    name: &str,
    contact: Option<&str>,
    own_name: &str,
    own_contact: Option<&str>,
) -> bool {
    let (theirs, ours) = (words(name), words(own_name));
    let names_match = !theirs.is_empty()
        && !ours.is_empty()
        && (theirs.is_subset(&ours) || ours.is_subset(&theirs));
    let domains_match = match (
        contact.and_then(mail_domain),
        own_contact.and_then(mail_domain),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    names_match || domains_match
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_spelling_of_the_organisation_is_itself() {
        assert!(is_self(
            "College van B&W van de gemeente Voorbeeld",
            None,
            "Gemeente Voorbeeld",
            None
        ));
        assert!(is_self(
            "Telecom Service Leek",
            None,
            "Telecom Service Leek B.V.",
            None
        ));
        assert!(is_self("Stichting Zorg Één", None, "Zorg Een", None));
        assert!(is_self(
            "Het bestuur",
            Some("fg@delinde.nl"),
            "Stichting Openbaar Onderwijs De Linde",
            Some("privacy@delinde.nl")
        ));
        assert!(!is_self(
            "Klant B.V.",
            None,
            "Telecom Service Leek B.V.",
            None
        ));
        assert!(!is_self("Gemeente Leek", None, "Gemeente Voorbeeld", None));
        assert!(!is_self("B.V.", None, "Acme B.V.", None));
        assert!(!is_self(
            "Klant",
            Some("info@klant.nl"),
            "Acme",
            Some("privacy@acme.nl")
        ));
    }
}
