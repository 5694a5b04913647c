//! Owns reading the words of other registers as ropa's values, never inventing one: legal
//! bases in Dutch, English, French and German words or any article notation (with the statute
//! a cell names), Art. 9(2) points, countries by name or code, yes/no/unknown, a retention
//! period only for a single unconditional duration, transfer tools (a stale one such as the
//! Privacy Shield kept as text and flagged), and categories through the taxonomy's labels
//! and the pack's synonyms. What cannot be read says so.

use std::collections::BTreeMap;

use crate::taxonomy::Taxonomy;

/// A multi-value cell's values: one per line, `;` or bullet (never split on `,`: purposes and
/// names hold commas), trimmed, placeholders left out.
pub fn values(cell: &str) -> Vec<String> {
    cell.split(['\n', ';', '•', '·'])
        .map(|v| {
            v.trim()
                .trim_start_matches(['-', '*', '–'])
                .trim()
                .to_string()
        })
        .filter(|v| !v.is_empty() && !is_placeholder(v))
        .collect()
}

/// Text that stands for nothing: "n/a", "-", "Cliquez ici.", "néant", "keine".
pub fn is_placeholder(text: &str) -> bool {
    const PLACEHOLDERS: [&str; 16] = [
        "-",
        "n/a",
        "na",
        "n.v.t.",
        "nvt",
        "none",
        "geen",
        "néant",
        "neant",
        "keine",
        "cliquez ici.",
        "cliquez ici",
        "click here",
        "tbd",
        "?",
        "...",
    ];
    let lower = text.trim().to_lowercase();
    lower.is_empty() || PLACEHOLDERS.contains(&lower.as_str())
}

/// Lower case, single spaces, no surrounding punctuation: what words are compared as.
pub fn folded(text: &str) -> String {
    text.to_lowercase()
        .replace(['’', '\''], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c == '.' || c == ':' || c == ',' || c == ';')
        .to_string()
}

/// A legal basis read from text: the basis and the statute or remark the text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// One of the six Art. 6(1) ids.
    pub basis: &'static str,
    /// The law and article, when the text names one (`Wet LB 1964 art. 28`).
    pub reference: Option<String>,
}

/// Words for each basis, in the four languages (folded).
const BASIS_WORDS: [(&str, &[&str]); 6] = [
    (
        "consent",
        &["toestemming", "consent", "consentement", "einwilligung"],
    ),
    (
        "contract",
        &[
            "overeenkomst",
            "contract",
            "contrat",
            "vertrag",
            "vertragserfüllung",
        ],
    ),
    (
        "legal_obligation",
        &[
            "wettelijke verplichting",
            "wettelijke plicht",
            "legal obligation",
            "obligation légale",
            "rechtliche verpflichtung",
            "gesetzliche verpflichtung",
        ],
    ),
    (
        "vital_interests",
        &[
            "vitaal belang",
            "vitale belangen",
            "vital interest",
            "intérêts vitaux",
            "intérêt vital",
            "lebenswichtige interessen",
        ],
    ),
    (
        "public_task",
        &[
            "algemeen belang",
            "publieke taak",
            "publiekrechtelijke taak",
            "openbaar gezag",
            "public task",
            "public interest",
            "official authority",
            "intérêt public",
            "autorité publique",
            "öffentliches interesse",
            "öffentlichen interesse",
            "öffentliche gewalt",
        ],
    ),
    (
        "legitimate_interests",
        &[
            "gerechtvaardigd belang",
            "gerechtvaardigde belangen",
            "gerechtigd belang",
            "legitiem belang",
            "legitimate interest",
            "intérêt légitime",
            "intérêts légitimes",
            "berechtigtes interesse",
            "berechtigte interessen",
            "berechtigten interessen",
        ],
    ),
];

/// The Art. 6(1) point a text writes in article notation (`6(1)(b)`, `6 lid 1 sub b`,
/// `Art. 6 Abs. 1 lit. b`, `article 6.1.b`, `6, paragraphe 1, point b`).
fn article_point(folded: &str) -> Option<char> {
    let at = folded.find('6')?;
    // What follows the 6: its digits and letters, the words of notation left out.
    let rest: String = folded.get(at + 1..)?.to_string();
    let mut tokens = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .filter(|t| {
            !matches!(
                *t,
                "lid"
                    | "sub"
                    | "abs"
                    | "lit"
                    | "paragraph"
                    | "paragraphe"
                    | "point"
                    | "onder"
                    | "letter"
                    | "buchstabe"
                    | "al"
                    | "alinéa"
                    | "para"
            )
        });
    if tokens.next()? != "1" {
        return None;
    }
    let letter = tokens.next()?;
    let mut chars = letter.chars();
    let c = chars.next()?;
    (chars.next().is_none() && ('a'..='f').contains(&c)).then_some(c)
}

/// The legal basis a piece of text names, with its statute; `None` when it names none, or
/// more than one.
pub fn legal_basis(text: &str) -> Option<Basis> {
    let whole = folded(text);
    let (head, tail) = split_remark(text);
    let head_folded = folded(&head);
    let mut found: Vec<&'static str> = Vec::new();
    // An article notation in the text: `6(1)(b)`, with or without `art.`.
    if whole.contains("6") {
        if let Some(point) = article_point(&whole) {
            let id = match point {
                'a' => "consent",
                'b' => "contract",
                'c' => "legal_obligation",
                'd' => "vital_interests",
                'e' => "public_task",
                _ => "legitimate_interests",
            };
            found.push(id);
        }
    }
    for (id, words) in BASIS_WORDS {
        if words.iter().any(|w| head_folded.contains(w)) && !found.contains(&id) {
            found.push(id);
        }
    }
    // "Uitvoering overeenkomst" is a contract, though "overeenkomst" may be named elsewhere.
    let [basis] = found.as_slice() else {
        return None;
    };
    let reference = tail.filter(|t| names_a_law(t));
    Some(Basis { basis, reference })
}

/// The text before a remark and the remark: `basis: remark`, `basis - remark`,
/// `basis (remark)`.
fn split_remark(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    if let Some((head, tail)) = text.split_once(": ") {
        return (head.to_string(), Some(tail.trim().to_string()));
    }
    if let Some((head, tail)) = text.split_once(" - ") {
        return (head.to_string(), Some(tail.trim().to_string()));
    }
    if let (Some(open), true) = (text.find('('), text.ends_with(')')) {
        let head = text.get(..open).unwrap_or(text);
        let tail = text.get(open + 1..text.len() - 1).unwrap_or("");
        return (head.trim().to_string(), Some(tail.trim().to_string()));
    }
    (text.to_string(), None)
}

/// Whether a remark names a law (an article, a section, a statute's name), not an article
/// of the GDPR alone.
fn names_a_law(text: &str) -> bool {
    let lower = text.to_lowercase();
    let gdpr_only = ["gdpr", "avg", "rgpd", "dsgvo", "6(1)", "6 lid 1", "6 abs"]
        .iter()
        .any(|w| lower.contains(w))
        && !["wet", "law", "act ", "loi", "gesetz", "bw ", "uavg"]
            .iter()
            .any(|w| lower.contains(w));
    !gdpr_only
        && (lower.contains("art")
            || lower.contains('§')
            || lower.contains("wet")
            || lower.contains(" act")
            || lower.contains("bw "))
}

/// An Art. 9(2) point and the statute a cell names with it (`9(2)(h): UAVG art. 30`).
pub fn art9(text: &str) -> Option<(&'static str, Option<String>)> {
    let (head, tail) = split_remark(text);
    let point = crate::register::vocab::art9_point(&head)
        .or_else(|| crate::register::vocab::art9_point(text))?;
    Some((point, tail.filter(|t| names_a_law(t))))
}

/// Yes, no, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YesNo {
    /// Yes, ja, oui, true.
    Yes,
    /// No, nee, non, nein, false.
    No,
    /// Empty, "unknown", "onbekend", or anything else.
    Unknown,
}

/// A yes/no word in the four languages; anything else is unknown, never no.
pub fn yes_no(text: &str) -> YesNo {
    match folded(text).as_str() {
        "yes" | "ja" | "oui" | "true" | "waar" | "vrai" | "wahr" | "y" | "j" | "x" => YesNo::Yes,
        "no" | "nee" | "non" | "nein" | "false" | "onwaar" | "faux" | "falsch" | "n" => YesNo::No,
        _ => YesNo::Unknown,
    }
}

/// A retention text as ropa's retention: always the text as `criterion` (unless it is an ISO
/// period itself), and a `period` only for one unconditional duration (`7 jaar`, `6 months`,
/// `30 jours`, `P7Y`).
pub fn retention(text: &str) -> (Option<String>, Option<String>) {
    let trimmed = text.trim();
    if crate::register::vocab::period_days(trimmed).is_some() && trimmed.starts_with('P') {
        return (Some(trimmed.to_string()), None);
    }
    let folded = folded(trimmed);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let period = match words.as_slice() {
        [n, unit] => n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .and_then(|n| unit_letter(unit).map(|u| format!("P{n}{u}"))),
        _ => None,
    };
    (period, Some(trimmed.to_string()))
}

/// The ISO 8601 letter of a unit word.
fn unit_letter(word: &str) -> Option<char> {
    match word {
        "jaar" | "jaren" | "year" | "years" | "an" | "ans" | "année" | "années" | "jahr"
        | "jahre" | "jahren" => Some('Y'),
        "maand" | "maanden" | "month" | "months" | "mois" | "monat" | "monate" | "monaten" => {
            Some('M')
        }
        "week" | "weken" | "weeks" | "semaine" | "semaines" | "woche" | "wochen" => Some('W'),
        "dag" | "dagen" | "day" | "days" | "jour" | "jours" | "tag" | "tage" | "tagen" => Some('D'),
        _ => None,
    }
}

/// Country names in Dutch, French and German (English names and codes come from the ISO
/// list), folded.
const COUNTRY_NAMES: [(&str, &[&str]); 24] = [
    (
        "US",
        &[
            "verenigde staten",
            "vs",
            "usa",
            "états-unis",
            "etats-unis",
            "vereinigte staaten",
            "united states",
            "united states of america",
        ],
    ),
    (
        "GB",
        &[
            "verenigd koninkrijk",
            "groot-brittannië",
            "engeland",
            "royaume-uni",
            "vereinigtes königreich",
            "united kingdom",
            "uk",
        ],
    ),
    (
        "NL",
        &[
            "nederland",
            "pays-bas",
            "niederlande",
            "netherlands",
            "the netherlands",
        ],
    ),
    ("DE", &["duitsland", "allemagne", "deutschland", "germany"]),
    ("FR", &["frankrijk", "france", "frankreich"]),
    (
        "BE",
        &["belgië", "belgie", "belgique", "belgien", "belgium"],
    ),
    ("IE", &["ierland", "irlande", "irland", "ireland"]),
    ("LU", &["luxemburg", "luxembourg"]),
    ("IN", &["india", "inde", "indien"]),
    ("CH", &["zwitserland", "suisse", "schweiz", "switzerland"]),
    ("CN", &["china", "chine"]),
    ("JP", &["japan", "japon"]),
    ("CA", &["canada", "kanada"]),
    ("AU", &["australië", "australie", "australien", "australia"]),
    ("IL", &["israël", "israel"]),
    (
        "KR",
        &["zuid-korea", "corée du sud", "südkorea", "south korea"],
    ),
    ("BR", &["brazilië", "brésil", "brasilien", "brazil"]),
    ("SG", &["singapore", "singapour", "singapur"]),
    ("ES", &["spanje", "espagne", "spanien", "spain"]),
    ("IT", &["italië", "italie", "italien", "italy"]),
    ("SE", &["zweden", "suède", "schweden", "sweden"]),
    ("DK", &["denemarken", "danemark", "dänemark", "denmark"]),
    ("PL", &["polen", "pologne", "poland"]),
    ("PH", &["filipijnen", "philippines", "philippinen"]),
];

/// An ISO 3166-1 alpha-2 code from a code or a name in the four languages.
pub fn country(text: &str) -> Option<&'static str> {
    let folded = folded(text);
    if let Some((code, _)) = COUNTRY_NAMES
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
    {
        return Some(code);
    }
    let upper = text.trim().to_ascii_uppercase();
    if upper.len() == 2 {
        if let Ok(country) = celes::Country::from_alpha2(&upper) {
            return Some(country.alpha2);
        }
    }
    celes::Country::from_name(text.trim())
        .or_else(|_| celes::Country::from_alias(text.trim()))
        .ok()
        .map(|c| c.alpha2)
}

/// A transfer tool read from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safeguard {
    /// One of ropa's mechanisms.
    Mechanism(&'static str),
    /// A tool that no longer holds (the Privacy Shield, annulled in 2020): kept as text.
    Stale,
    /// Not read.
    Unknown,
}

/// The transfer tool a text names.
pub fn safeguard(text: &str) -> Safeguard {
    let f = folded(text);
    if f.contains("privacy shield") || f.contains("safe harbo") {
        return Safeguard::Stale;
    }
    let any = |words: &[&str]| words.iter().any(|w| f.contains(w));
    if any(&[
        "data privacy framework",
        "dpf",
        "adequa",
        "adéquat",
        "angemessenheit",
        "art. 45",
        "article 45",
    ]) {
        Safeguard::Mechanism("adequacy")
    } else if any(&[
        "contractual clauses",
        "scc",
        "modelcontract",
        "standaardcontract",
        "clauses contractuelles",
        "standardvertragsklausel",
        "46(2)(c)",
        "46(2)(d)",
    ]) {
        Safeguard::Mechanism("scc")
    } else if any(&[
        "binding corporate",
        "bcr",
        "bindende bedrijfsvoorschriften",
        "règles d'entreprise",
        "verbindliche interne datenschutzvorschriften",
        "art. 47",
    ]) {
        Safeguard::Mechanism("bcr")
    } else if any(&[
        "code of conduct",
        "gedragscode",
        "code de conduite",
        "verhaltensregeln",
        "46(2)(e)",
    ]) {
        Safeguard::Mechanism("code")
    } else if any(&[
        "certification",
        "certificering",
        "zertifizierung",
        "46(2)(f)",
    ]) {
        Safeguard::Mechanism("certification")
    } else if any(&[
        "derogation",
        "uitzondering",
        "dérogation",
        "ausnahme",
        "art. 49",
        "article 49",
    ]) {
        Safeguard::Mechanism("derogation")
    } else {
        Safeguard::Unknown
    }
}

/// The pack's words for categories, by taxonomy id (`policies/import.yaml`).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Data categories: folded word to id.
    pub data: BTreeMap<String, String>,
    /// Subject categories: folded word to id.
    pub subjects: BTreeMap<String, String>,
}

impl Synonyms {
    /// Reads `import.yaml` text (a missing file gives none).
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Raw {
            #[serde(default)]
            data: BTreeMap<String, Vec<String>>,
            #[serde(default)]
            subjects: BTreeMap<String, Vec<String>>,
        }
        let raw: Raw = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let invert = |map: BTreeMap<String, Vec<String>>| {
            let mut out = BTreeMap::new();
            for (id, words) in map {
                for word in words {
                    out.insert(folded(&word), id.clone());
                }
            }
            out
        };
        Ok(Synonyms {
            data: invert(raw.data),
            subjects: invert(raw.subjects),
        })
    }
}

/// The taxonomy category a label means: its id, its Dutch or English label, or a synonym;
/// `None` when none.
pub fn category(
    text: &str,
    taxonomy: &Taxonomy,
    synonyms: &BTreeMap<String, String>,
) -> Option<String> {
    let folded = folded(text);
    if taxonomy.contains(&folded) {
        return Some(folded);
    }
    if let Some(id) = taxonomy.id_of_label(&folded) {
        return Some(id.to_string());
    }
    synonyms.get(&folded).cloned()
}

/// A snake_case id from text (for a category of the register's own).
pub fn snake_id(text: &str) -> String {
    id_from(text, '_')
}

/// A kebab-case id from text (for an activity or a purpose).
pub fn kebab_id(text: &str) -> String {
    id_from(text, '-')
}

fn id_from(text: &str, separator: char) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ß' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(separator) {
            out.push(separator);
        }
    }
    let out = out.trim_end_matches(separator);
    let out: String = out.chars().take(60).collect();
    let out = out.trim_end_matches(separator).to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("x{separator}{out}")
            .trim_end_matches(separator)
            .to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_bases_are_read_from_words_and_notations_in_four_languages() {
        let basis = |t: &str| legal_basis(t).map(|b| b.basis);
        assert_eq!(basis("Toestemming betrokkene"), Some("consent"));
        assert_eq!(
            basis("Gerechtvaardigd belang verantwoordelijke"),
            Some("legitimate_interests")
        );
        assert_eq!(basis("Taak van algemeen belang"), Some("public_task"));
        assert_eq!(basis("mission d'intérêt public"), Some("public_task"));
        assert_eq!(basis("Art. 6 Abs. 1 lit. b DSGVO"), Some("contract"));
        assert_eq!(basis("Art. 6(1)(b)"), Some("contract"));
        assert_eq!(basis("art. 6 lid 1 sub c AVG"), Some("legal_obligation"));
        assert_eq!(basis("Uitvoering overeenkomst"), Some("contract"));
        assert_eq!(basis("Legitimate interests"), Some("legitimate_interests"));
        assert_eq!(
            legal_basis("legal obligation: Wet op de loonbelasting 1964 art. 28"),
            Some(Basis {
                basis: "legal_obligation",
                reference: Some("Wet op de loonbelasting 1964 art. 28".to_string())
            })
        );
        assert_eq!(
            legal_basis("Public task (WPO art. 8)").and_then(|b| b.reference),
            Some("WPO art. 8".to_string())
        );
        // The GDPR's own article is no statute.
        assert_eq!(
            legal_basis("Consent (Art. 6(1)(a) GDPR)").and_then(|b| b.reference),
            None
        );
        // Nothing, or two at once: not guessed.
        assert_eq!(basis("W"), None);
        assert_eq!(basis("consent or contract"), None);
    }

    #[test]
    fn countries_yes_no_and_retention() {
        assert_eq!(country("Verenigde Staten"), Some("US"));
        assert_eq!(country("Etats-Unis"), Some("US"));
        assert_eq!(country("NEDERLAND"), Some("NL"));
        assert_eq!(country("India"), Some("IN"));
        assert_eq!(country("us"), Some("US"));
        assert_eq!(country("Atlantis"), None);
        assert_eq!(yes_no("Ja"), YesNo::Yes);
        assert_eq!(yes_no("nein"), YesNo::No);
        assert_eq!(yes_no(""), YesNo::Unknown);
        assert_eq!(yes_no("onbekend"), YesNo::Unknown);
        assert_eq!(
            retention("7 jaar"),
            (Some("P7Y".into()), Some("7 jaar".into()))
        );
        assert_eq!(
            retention("6 months"),
            (Some("P6M".into()), Some("6 months".into()))
        );
        assert_eq!(retention("P2Y"), (Some("P2Y".into()), None));
        assert_eq!(
            retention("5 jaar bij toekenning, 1 jaar bij afwijzing"),
            (
                None,
                Some("5 jaar bij toekenning, 1 jaar bij afwijzing".into())
            )
        );
        assert_eq!(safeguard("EU-US Privacy Shield"), Safeguard::Stale);
        assert_eq!(
            safeguard("Standard contractual clauses"),
            Safeguard::Mechanism("scc")
        );
        assert_eq!(values("a\nb; c\n• d\nn/a"), ["a", "b", "c", "d"]);
        assert_eq!(kebab_id("Werving & selectie!"), "werving-selectie");
        assert_eq!(snake_id("Kopie ID-bewijs"), "kopie_id_bewijs");
    }
}
