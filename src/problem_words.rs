//! Owns the words of the problems that stop a run (a register that does not load) in Dutch:
//! each English phrasing of a message, label or help, with `{}` where a value goes, beside
//! its Dutch. A value is itself a phrasing or a noun of the lists, or stays as written (an
//! id, a key, a file name); a phrasing not in the list stays English.

use crate::lang::Lang;
use crate::problem::Problem;

/// A problem as a person reading `lang` sees it.
pub fn in_lang(problem: &Problem, lang: Lang) -> Problem {
    if lang == Lang::En {
        return problem.clone();
    }
    let mut problem = problem.clone();
    problem.message = dutch(&problem.message);
    problem.label = dutch(&problem.label);
    problem.help = problem.help.as_deref().map(dutch);
    for note in &mut problem.notes {
        note.text = dutch(&note.text);
    }
    problem
}

/// The Dutch of a phrasing, or the text as it is.
fn dutch(text: &str) -> String {
    translated(text, PHRASES, NOUNS)
}

/// `text` in the language of `phrases` and `nouns` (English beside it): a whole text or noun
/// of `nouns`, else the first phrasing of `phrases` it has the shape of, its values put in
/// (a value in code as written, any other itself translated); else `text` as it is.
pub fn translated(text: &str, phrases: &[(&str, &str)], nouns: &[(&str, &str)]) -> String {
    if let Some((_, nl)) = nouns.iter().find(|(en, _)| *en == text) {
        return (*nl).to_string();
    }
    for (en, nl) in phrases {
        if let Some(values) = matched(en, text) {
            // A value in code (`{}`) is an id, a key or a word of the register: as written.
            let in_code: Vec<bool> = en.split("{}").map(|part| part.ends_with('`')).collect();
            let mut out = String::new();
            let mut values = values.into_iter().zip(in_code);
            for (i, part) in nl.split("{}").enumerate() {
                if i > 0 {
                    let value = values
                        .next()
                        .map(|(value, code)| if code { value } else { dutch(&value) });
                    out.push_str(&value.unwrap_or_default());
                }
                out.push_str(part);
            }
            return out;
        }
    }
    text.to_string()
}

/// The values in `text` where `pattern` has `{}`, when the text has the pattern's shape (each
/// value as short as the next literal part allows; the last runs to the end).
fn matched(pattern: &str, text: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split("{}").collect();
    if parts.len() == 1 {
        return (text == pattern).then(Vec::new);
    }
    let (first, rest) = parts.split_first()?;
    let mut left = text.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let at = if last {
            left.strip_suffix(part).map(str::len)?
        } else if part.is_empty() {
            return None;
        } else {
            left.find(part)?
        };
        let value = left.get(..at)?;
        if value.is_empty() {
            return None;
        }
        values.push(value.to_string());
        left = left.get(at + part.len()..)?;
    }
    Some(values)
}

/// Phrasings, most specific first.
const PHRASES: &[(&str, &str)] = &[
    ("unknown key `{}` in {}", "onbekende sleutel `{}` in {}"),
    ("unknown legal basis `{}`", "onbekende grondslag `{}`"),
    ("unknown {} `{}`", "onbekende {} `{}`"),
    ("no {} `{}`", "er is geen {} `{}`"),
    ("{} id `{}` is not kebab-case", "{}-id `{}` is geen kebab-case"),
    ("category id `{}` is not snake_case", "categorie-id `{}` is geen snake_case"),
    ("{} `{}` is defined twice", "{} `{}` is twee keer gedefinieerd"),
    ("{} must be {}, found {}", "{} moet {} zijn, maar is {}"),
    ("`{}` is not an ISO 8601 period", "`{}` is geen ISO 8601-termijn"),
    ("`{}` is not an Art. 9(2) condition", "`{}` is geen voorwaarde uit art. 9 lid 2"),
    ("`{}` is not a point of AI Act Annex III", "`{}` is geen punt van bijlage III van de AI-verordening"),
    ("`{}` is not a DPV term", "`{}` is geen DPV-term"),
    ("`{}` is not a date (YYYY-MM-DD)", "`{}` is geen datum (JJJJ-MM-DD)"),
    (
        "`{}` is not an ISO 3166-1 alpha-2 country code",
        "`{}` is geen ISO 3166-1 alpha-2-landcode",
    ),
    ("`{}` is not {}", "`{}` is niet {}"),
    (
        "`{}` is read as a key: the comma before it ended the text of `{}`",
        "`{}` wordt als sleutel gelezen: de komma ervoor beëindigde de tekst van `{}`",
    ),
    (
        "a comma inside `{ ... }` ends a value: put the whole text in quotes, `{}`, or write the mapping in block style",
        "een komma binnen `{ ... }` beëindigt een waarde: zet de hele tekst tussen aanhalingstekens, `{}`, of schrijf de mapping in blokstijl",
    ),
    (
        "a comma inside `{ ... }` ends a value: put a text with a comma in quotes",
        "een komma binnen `{ ... }` beëindigt een waarde: zet een tekst met een komma tussen aanhalingstekens",
    ),
    ("`{}` matches no register file", "`{}` past bij geen registerbestand"),
    ("`{}` is required here", "`{}` is hier verplicht"),
    ("`{}` is one of: {}", "`{}` is een van: {}"),
    ("invalid YAML: {}", "ongeldige YAML: {}"),
    ("duplicate mapping key: {}", "dubbele sleutel: {}"),
    ("{} is not valid UTF-8 text", "{} is geen geldige UTF-8-tekst"),
    ("{} is {}, not a YAML text file", "{} is {}, geen YAML-tekstbestand"),
    ("{}: no such file or folder", "{}: dit bestand of deze map bestaat niet"),
    ("no *.yaml or *.yml file in {}", "geen *.yaml- of *.yml-bestand in {}"),
    ("{} `{}` has no parent", "{} `{}` heeft geen ouder"),
    ("{} has no `{}`", "{} heeft geen `{}`"),
    ("{} is empty", "{} is leeg"),
    ("rule `{}` cannot be answered by a {}", "regel `{}` kan niet worden beantwoord met een {}"),
    ("not a known {}", "geen bekende {}"),
    ("unknown {}", "onbekende {}"),
    ("expected {}", "verwacht: {}"),
    ("did you mean `{}`?", "bedoelt u `{}`?"),
    ("did you mean `{}`? {}", "bedoelt u `{}`? {}"),
    ("known keys in {}: {}", "bekende sleutels in {}: {}"),
    ("known {} ids: {}", "bekende {}-id's: {}"),
    ("for example `{}`", "bijvoorbeeld `{}`"),
    ("a legal basis is one of: {}", "een grondslag is een van: {}"),
    (
        "a period is written `P4W` (4 weeks), `P7Y` (7 years) or `P1Y6M`; the event it runs from, or words, go in `criterion`: {}",
        "een termijn schrijft u als `P4W` (4 weken), `P7Y` (7 jaar) of `P1Y6M`; de gebeurtenis waarvanaf zij loopt, of woorden, horen in `criterion`: {}",
    ),
];

/// Whole texts and nouns (the values phrasings take).
const NOUNS: &[(&str, &str)] = &[
    (
        "(or add it under `subject_categories:` with a parent)",
        "(of voeg haar toe onder `subject_categories:`, met een ouder)",
    ),
    (
        "(or add it under `data_categories:` with a parent)",
        "(of voeg haar toe onder `data_categories:`, met een ouder)",
    ),
    (
        "delete the file, or give it a section such as `activities:`",
        "verwijder het bestand, of geef het een sectie zoals `activities:`",
    ),
    ("unknown purpose", "onbekend doel"),
    (
        "(a data item's purposes are ids from its own activity's `purposes`)",
        "(de doelen van een gegeven zijn id's uit de `purposes` van de eigen activiteit)",
    ),
    ("unknown key", "onbekende sleutel"),
    ("not in the taxonomy", "niet in de taxonomie"),
    ("not a legal basis of Art. 6(1)", "geen grondslag uit art. 6 lid 1"),
    ("not a point of Art. 9(2)", "geen punt van art. 9 lid 2"),
    ("not a point of Annex III", "geen punt van bijlage III"),
    ("not a country code", "geen landcode"),
    ("read as a key", "als sleutel gelezen"),
    ("here", "hier"),
    ("first defined here", "eerst hier gedefinieerd"),
    ("defined again here", "hier opnieuw gedefinieerd"),
    ("invalid byte here", "ongeldige byte hier"),
    ("empty", "leeg"),
    ("no content", "geen inhoud"),
    ("use lowercase letters, digits and `-`", "gebruik kleine letters, cijfers en `-`"),
    ("use lowercase letters, digits and `_`", "gebruik kleine letters, cijfers en `_`"),
    ("save the file as UTF-8", "sla het bestand op als UTF-8"),
    (
        "ids are unique across the whole register; rename or remove one",
        "id's zijn uniek in het hele register; hernoem of verwijder er een",
    ),
    (
        "the quote opened here is not closed: add the closing quote at the end of the text",
        "het aanhalingsteken dat hier opent, wordt niet gesloten: zet het sluitende aanhalingsteken aan het eind van de tekst",
    ),
    (
        "ropa reads the register as YAML text files (docs/register.md); a spreadsheet is brought in with `ropa import FILE --output DIR` (the ICO templates; docs/import.md), a document by writing its activities in YAML",
        "ropa leest het register als YAML-tekstbestanden (docs/register.md); een spreadsheet haalt u binnen met `ropa import BESTAND --output MAP` (de ICO-templates; docs/import.md), een document door de activiteiten in YAML te schrijven",
    ),
    ("the register has no `organisation`", "het register heeft geen `organisation`"),
    ("`organisation` appears twice", "`organisation` staat er twee keer"),
    ("`defaults` appears twice", "`defaults` staat er twee keer"),
    ("unclosed quote", "aanhalingsteken niet gesloten"),
    (
        "a ZIP archive (a spreadsheet such as .xlsx or .ods, or a document such as .docx)",
        "een ZIP-archief (een spreadsheet zoals .xlsx of .ods, of een document zoals .docx)",
    ),
    ("an activity", "een activiteit"),
    ("activity", "activiteit"),
    ("the organisation", "de organisatie"),
    ("a data item", "een gegeven"),
    ("a purpose", "een doel"),
    ("purpose", "doel"),
    ("a processor", "een verwerker"),
    ("processor", "verwerker"),
    ("sub-processor", "subverwerker"),
    ("a recipient", "een ontvanger"),
    ("a transfer", "een doorgifte"),
    ("a controller", "een verwerkingsverantwoordelijke"),
    ("a waiver", "een waiver"),
    ("a position", "een standpunt"),
    ("position", "standpunt"),
    ("waiver", "waiver"),
    ("a register file", "een registerbestand"),
    ("a mapping", "een mapping"),
    ("a list", "een lijst"),
    ("text", "tekst"),
    ("a boolean", "ja of nee"),
    ("a number", "een getal"),
    ("role", "rol"),
    ("operation", "bewerking"),
    ("data category", "gegevenscategorie"),
    ("data-subject category", "betrokkenencategorie"),
    ("subject category", "betrokkenencategorie"),
    ("category", "categorie"),
    ("rule", "regel"),
    ("an ISO 8601 period", "een ISO 8601-termijn"),
    ("a date (YYYY-MM-DD)", "een datum (JJJJ-MM-DD)"),
    ("an ISO 3166-1 alpha-2 country code", "een ISO 3166-1 alpha-2-landcode"),
    ("`dpo` value", "`dpo`-waarde"),
    ("`recipients` value", "`recipients`-waarde"),
    ("`ai_system` value", "`ai_system`-waarde"),
    ("`automated_decision` value", "`automated_decision`-waarde"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrasing_is_said_in_dutch_with_its_values_kept_or_translated() {
        assert_eq!(
            dutch("unknown key `retention_perod` in an activity"),
            "onbekende sleutel `retention_perod` in een activiteit"
        );
        assert_eq!(dutch("unknown role `procesor`"), "onbekende rol `procesor`");
        // A value in code stays as written, though it is a word of the lists.
        assert_eq!(dutch("did you mean `processor`?"), "bedoelt u `processor`?");
        assert_eq!(
            dutch("`data_subjects` must be a list, found text"),
            "`data_subjects` moet een lijst zijn, maar is tekst"
        );
        assert_eq!(
            dutch("invalid YAML: duplicate mapping key: name"),
            "ongeldige YAML: dubbele sleutel: name"
        );
        assert_eq!(
            dutch("`2026-02-30` is not a date (YYYY-MM-DD)"),
            "`2026-02-30` is geen datum (JJJJ-MM-DD)"
        );
        assert_eq!(dutch("expected a mapping"), "verwacht: een mapping");
        // Not in the lists: as written.
        assert_eq!(dutch("something else"), "something else");
        assert_eq!(dutch("here"), "hier");
    }
}
