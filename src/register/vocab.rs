//! Owns the register's closed vocabularies: roles, processing operations, legal bases (with
//! the Dutch words a DPO writes), sub-processor kinds, transfer mechanisms.

/// For whom an activity is carried out.
pub const ROLES: [&str; 3] = ["controller", "processor", "joint_controller"];

/// Processing operations (Art. 4(2)), the annex's "Verwerkingsactiviteiten".
pub const OPERATIONS: [&str; 18] = [
    "collect",
    "record",
    "organise",
    "structure",
    "store",
    "adapt",
    "retrieve",
    "consult",
    "use",
    "disclose",
    "disseminate",
    "combine",
    "restrict",
    "erase",
    "destroy",
    "anonymise",
    "aggregate",
    "encrypt",
];

/// Legal bases of Art. 6(1), by canonical id.
pub const LEGAL_BASES: [&str; 6] = [
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
];

/// Dutch (and spelled-out English) words accepted for each legal basis, lowercase.
const LEGAL_BASIS_WORDS: [(&str, &str); 22] = [
    ("toestemming", "consent"),
    ("overeenkomst", "contract"),
    ("wettelijke verplichting", "legal_obligation"),
    ("vitaal belang", "vital_interests"),
    ("vitale belangen", "vital_interests"),
    ("vitaal levensbelang", "vital_interests"),
    ("algemeen belang", "public_task"),
    ("taak van algemeen belang", "public_task"),
    ("publieke taak", "public_task"),
    ("openbaar gezag", "public_task"),
    ("gerechtvaardigd belang", "legitimate_interests"),
    ("gerechtvaardigde belangen", "legitimate_interests"),
    ("gerechtigd belang", "legitimate_interests"),
    ("legitiem belang", "legitimate_interests"),
    ("legal obligation", "legal_obligation"),
    ("vital interests", "vital_interests"),
    ("public task", "public_task"),
    ("legitimate interests", "legitimate_interests"),
    ("legitimate interest", "legitimate_interests"),
    ("legitimate_interest", "legitimate_interests"),
    ("uitvoering overeenkomst", "contract"),
    ("uitvoering van een overeenkomst", "contract"),
];

/// The canonical legal-basis id for a word, case-insensitive, spaces and `_` alike.
pub fn legal_basis(word: &str) -> Option<&'static str> {
    let normal = word.trim().to_lowercase().replace('_', " ");
    let normal = normal.split_whitespace().collect::<Vec<_>>().join(" ");
    LEGAL_BASES
        .iter()
        .find(|id| id.replace('_', " ") == normal)
        .copied()
        .or_else(|| {
            LEGAL_BASIS_WORDS
                .iter()
                .find(|(w, _)| *w == normal)
                .map(|(_, id)| *id)
        })
}

/// Every accepted legal-basis word, for suggestions.
pub fn legal_basis_words() -> impl Iterator<Item = &'static str> {
    LEGAL_BASES
        .iter()
        .copied()
        .chain(LEGAL_BASIS_WORDS.iter().map(|(w, _)| *w))
}

/// What a sub-processor entry names.
pub const SUBPROCESSOR_KINDS: [&str; 2] = ["named", "category"];

/// Kinds of authorisation for sub-processing (Art. 28(2)).
pub const AUTHORISATIONS: [&str; 2] = ["general", "specific"];

/// Transfer tools of Chapter V.
pub const TRANSFER_MECHANISMS: [&str; 6] = [
    "adequacy",
    "scc",
    "bcr",
    "code",
    "certification",
    "derogation",
];

/// Answers to "may special categories be in this unspecified data".
pub const EXPECTED_SPECIAL_CATEGORIES: [&str; 3] = ["yes", "no", "possible"];

/// The `dpo` value for an organisation that has designated none.
pub const NO_DPO: &str = "none-designated";

/// `recipients: none`: the activity discloses to no one.
pub const NO_RECIPIENTS: &str = "none";

/// The Art. 22(2) exceptions to the ban on solely automated decisions.
pub const AUTOMATED_DECISION_EXCEPTIONS: [&str; 3] = ["contract", "law", "explicit_consent"];

/// A yes/no answer (YAML 1.2: `yes` and `no` are text).
pub const YES_NO: [&str; 2] = ["yes", "no"];

/// The employee participation bodies whose consent the works-council rules ask for: a
/// works council (`or`, WOR 27), a staff representation (`pvt`, WOR 35c), a (joint)
/// participation council's staff section at a school (`mr`, `gmr`, WMS), or `none`.
pub const PARTICIPATION_BODIES: [&str; 5] = ["or", "pvt", "mr", "gmr", "none"];

/// Who gives the consent an activity relies on (`consent.from`; default `subject`).
pub const CONSENT_FROM: [&str; 2] = ["subject", "parent_guardian"];

/// The Art. 49(1) points a transfer's derogation names (`derogation_point`).
pub const DEROGATION_POINTS: [&str; 8] = [
    "49(1)(a)",
    "49(1)(b)",
    "49(1)(c)",
    "49(1)(d)",
    "49(1)(e)",
    "49(1)(f)",
    "49(1)(g)",
    "49(1) second subparagraph",
];

/// How an activity may read or store information on a device (`terminal_access.basis`;
/// ePrivacy Directive art. 5(3), Telecommunicatiewet art. 11.7a).
pub const TERMINAL_ACCESS_BASES: [&str; 3] =
    ["consent", "strictly_necessary", "low_impact_analytics"];

/// The AI Act roles an organisation has for an AI system (`ai_system.role`).
pub const AI_ROLES: [&str; 2] = ["deployer", "provider"];

/// The AI Act art. 5 exceptions to the ban on emotion recognition at work and in education
/// (`ai_system.art5_exception`).
pub const AI_ART5_EXCEPTIONS: [&str; 2] = ["medical", "safety"];

/// The points of AI Act Annex III (`2`: the whole of area 2, critical infrastructure).
pub const ANNEX_III_POINTS: [&str; 27] = [
    "1(a)", "1(b)", "1(c)", "2", "3(a)", "3(b)", "3(c)", "3(d)", "4(a)", "4(b)", "5(a)", "5(b)",
    "5(c)", "5(d)", "6(a)", "6(b)", "6(c)", "6(d)", "6(e)", "7(a)", "7(b)", "7(c)", "7(d)", "8(a)",
    "8(b)", "none", "2(a)",
];

/// The ISO 8601 period a text in words starts with: a number, then years, months, weeks or
/// days in Dutch or English (`5 jaar na uitschrijving` is `P5Y`, `4 weken` `P4W`); `None`
/// when it does not start that way.
pub fn period_in_words(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let number = words.next()?;
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) || number.len() > 5 {
        return None;
    }
    let unit = words.next()?.to_lowercase();
    let unit = unit.trim_end_matches(['.', ',', ';']);
    let letter = match unit {
        "jaar" | "jaren" | "year" | "years" | "jr" => 'Y',
        "maand" | "maanden" | "month" | "months" | "mnd" => 'M',
        "week" | "weken" | "weeks" | "wk" => 'W',
        "dag" | "dagen" | "day" | "days" => 'D',
        _ => return None,
    };
    Some(format!("P{number}{letter}"))
}

/// An AI Act Annex III point in its usual spellings (`4(a)`, `Annex III 4(a)`, `bijlage III
/// punt 4 a`, `4a`), written as `4(a)`, or `none`; `None` when it is not one. `2(a)` is read
/// as `2` (area 2 has a single point).
pub fn annex_iii_point(text: &str) -> Option<&'static str> {
    let lower = text.trim().to_lowercase();
    if lower == "none" || lower == "geen" {
        return Some("none");
    }
    let mut rest = lower.as_str();
    for prefix in ["annex iii", "bijlage iii", "anhang iii", "annexe iii"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    let cleaned = rest.replace(['(', ')', '.', ',', ':'], " ");
    let parts: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|w| !matches!(*w, "punt" | "point" | "nr" | "sub" | "onder"))
        .collect();
    let (area, letter) = match parts.as_slice() {
        [one] => {
            let digits: String = one.chars().take_while(char::is_ascii_digit).collect();
            let letter = one.get(digits.len()..).unwrap_or("");
            (digits, letter.to_string())
        }
        [area, letter] => ((*area).to_string(), (*letter).to_string()),
        _ => return None,
    };
    if area == "2" && (letter.is_empty() || letter == "a") {
        return Some("2");
    }
    let wanted = format!("{area}({letter})");
    ANNEX_III_POINTS
        .iter()
        .copied()
        .filter(|p| *p != "none" && *p != "2(a)")
        .find(|p| *p == wanted)
}

/// Whether a reference names article `article` of the UAVG (`UAVG art. 29`, `art. 29 UAVG`):
/// `uavg`, at most 15 characters that are not digits, then the number as a whole word.
pub fn names_uavg_article(text: &str, article: u32) -> bool {
    let lower = text.to_lowercase();
    let number = article.to_string();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|r| r.find("uavg")) {
        let start = from + found;
        from = start + 4;
        let before_ok = start == 0
            || !bytes
                .get(start - 1)
                .is_some_and(|b| b.is_ascii_alphanumeric());
        let after = start + 4;
        let after_ok = !bytes.get(after).is_some_and(|b| b.is_ascii_alphanumeric());
        if !(before_ok && after_ok) {
            continue;
        }
        // Forwards: up to 15 non-digits, then the number.
        let tail = lower.get(after..).unwrap_or("");
        let gap: usize = tail
            .char_indices()
            .take_while(|(_, c)| !c.is_ascii_digit())
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        if tail.get(..gap).map_or(0, |g| g.chars().count()) <= 15 {
            let digits: String = tail
                .get(gap..)
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits == number {
                return true;
            }
        }
        // Backwards: `art. 29 UAVG`.
        let head = lower.get(..start).unwrap_or("");
        let trimmed: String = head.chars().rev().collect();
        let gap: usize = trimmed.chars().take_while(|c| !c.is_ascii_digit()).count();
        if gap <= 15 {
            let digits: String = trimmed
                .chars()
                .skip(gap)
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .chars()
                .rev()
                .collect();
            if digits == number {
                return true;
            }
        }
    }
    false
}

/// Whether a reference names UAVG art. 40 as its only statute: it names that article, and
/// the text without it names no statute (UAVG art. 40 allows automated decisions but not
/// profiling, C-634/21).
pub fn only_uavg_40(text: &str) -> bool {
    if !names_uavg_article(text, 40) {
        return false;
    }
    let lower = text.to_lowercase();
    let without = lower
        .replace("uavg art. 40", " ")
        .replace("uavg artikel 40", " ")
        .replace("uavg art 40", " ")
        .replace("art. 40 uavg", " ")
        .replace("artikel 40 uavg", " ")
        .replace("uavg 40", " ");
    !is_statute(&without)
}

/// Lowercase ASCII letters and digits in non-empty words joined by `separator`.
pub fn is_identifier(id: &str, separator: char) -> bool {
    !id.is_empty()
        && id.split(separator).all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `kebab-case`, the form of activity, purpose, sub-processor and rule ids.
pub fn is_kebab_case(id: &str) -> bool {
    is_identifier(id, '-')
}

/// An ISO 8601 calendar date `YYYY-MM-DD` with a valid month and day.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// An ISO 8601 duration such as `P4W`, `P7Y`, `P1Y6M`, `PT72H`.
pub fn is_iso_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    fn units(part: &str, allowed: &str) -> Option<usize> {
        let mut count = 0;
        let mut digits = 0;
        let mut order = allowed.chars();
        for c in part.chars() {
            if c.is_ascii_digit() {
                digits += 1;
            } else {
                if digits == 0 || !order.any(|u| u == c) {
                    return None;
                }
                digits = 0;
                count += 1;
            }
        }
        (digits == 0).then_some(count)
    }
    let date_units = units(date, "YMWD");
    let time_units = match time {
        Some(t) => units(t, "HMS").filter(|&n| n > 0),
        None => Some(0),
    };
    matches!((date_units, time_units), (Some(d), Some(t)) if d + t > 0)
}

/// An ISO 8601 period as a number of days, the way retention rules compare them: a year is
/// 365 days, a month 30, a week 7; hours, minutes and seconds count as whole days only once
/// they add up to one. `None` when the text is not a period.
pub fn period_days(text: &str) -> Option<i64> {
    if !is_iso_duration(text) {
        return None;
    }
    let body = text.strip_prefix('P')?;
    let (date, time) = body.split_once('T').unwrap_or((body, ""));
    let days = sum_units(date, |unit| match unit {
        'Y' => Some(365),
        'M' => Some(30),
        'W' => Some(7),
        'D' => Some(1),
        _ => None,
    })?;
    let seconds = sum_units(time, |unit| match unit {
        'H' => Some(3600),
        'M' => Some(60),
        'S' => Some(1),
        _ => None,
    })?;
    days.checked_add(seconds / 86_400)
}

/// A `YYYY-MM-DD` date as a day number (days since 1970-01-01), so rules can compare dates
/// as numbers; `None` when it is not a date.
pub fn day_number(date: &str) -> Option<i64> {
    if !is_date(date) {
        return None;
    }
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    // Days from the civil calendar (proleptic Gregorian), after H. Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The sum of `<number><unit>` parts (`1Y6M`), each number times its unit's weight.
fn sum_units(parts: &str, weight: impl Fn(char) -> Option<i64>) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in parts.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(n.checked_mul(weight(c)?)?)?;
    }
    Some(total)
}

/// Whether `text` is an ISO 3166-1 alpha-2 country code, as written (upper case), in the
/// maintained list of the `celes` crate.
pub fn is_country_code(text: &str) -> bool {
    text.len() == 2
        && text.chars().all(|c| c.is_ascii_uppercase())
        && celes::Country::from_alpha2(text).is_ok()
}

/// What a country code that is not one was probably meant to be: the same code in upper
/// case, or the ISO code for a common non-ISO one (`UK` is `GB`; `EL`, the EU's code for
/// Greece, is `GR`).
pub fn country_suggestion(text: &str) -> Option<&'static str> {
    match text.to_ascii_uppercase().as_str() {
        "UK" => Some("GB"),
        "EL" => Some("GR"),
        upper => celes::Country::from_alpha2(upper)
            .ok()
            .map(|c| c.alpha2)
            .filter(|code| *code != text),
    }
}

/// The Art. 9(2) points, as ropa writes them.
pub const ART9_POINTS: [&str; 10] = [
    "9(2)(a)", "9(2)(b)", "9(2)(c)", "9(2)(d)", "9(2)(e)", "9(2)(f)", "9(2)(g)", "9(2)(h)",
    "9(2)(i)", "9(2)(j)",
];

/// An Art. 9(2) point in any of its usual spellings (`9(2)(a)`, `art. 9(2)(a)`, `9.2.a`,
/// `art. 9 lid 2 sub a AVG`, any case), written as `9(2)(a)`; `None` when it is not one.
pub fn art9_point(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let mut rest = lower.trim();
    for prefix in ["artikel", "art.", "art"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    for suffix in ["avg", "gdpr", "uavg"] {
        if let Some(r) = rest.trim_end().strip_suffix(suffix) {
            rest = r;
            break;
        }
    }
    let words = rest.replace(['(', ')', '.', ','], " ");
    let parts: Vec<&str> = words
        .split_whitespace()
        .filter(|w| !matches!(*w, "lid" | "sub" | "onder"))
        .collect();
    let point = match parts.as_slice() {
        ["9", "2", letter] => *letter,
        // `9(2)a` or `9.2a`
        ["9", two_letter] => two_letter.strip_prefix('2')?,
        _ => return None,
    };
    ART9_POINTS
        .iter()
        .copied()
        .find(|p| p.get(5..6) == Some(point))
}

/// Words that mark an article of a law (`art. 21a`, `artikel 8`, `§ 3`, `categorie 1.1.5`).
const ARTICLE_MARKERS: [&str; 13] = [
    "art",
    "art.",
    "artikel",
    "article",
    "artt.",
    "§",
    "section",
    "hoofdstuk",
    "chapter",
    "categorie",
    "category",
    "cat.",
    "artt",
];

/// Words between a law's name and its article that are not the law's name.
const CONNECTORS: [&str; 13] = [
    "lid", "sub", "onder", "jo", "juncto", "en", "and", "of", "van", "de", "het", "the", "para",
];

/// Names of the GDPR itself, which provides no Art. 6(3) or 9(2) basis of its own.
const GDPR_NAMES: [&str; 4] = ["avg", "gdpr", "dsgvo", "rgpd"];

/// Whether a reference names a statute: an article (an article marker followed by a digit,
/// or a book:article form like `7:454`) and a law's name (a word of two or more letters
/// that is no marker, no connector and not the GDPR). `WPO art. 8`, `BW 7:454` and
/// `Selectielijst gemeenten 2020 categorie 1.1.5` pass; `wet`, `UAVG`, `art. 6(1)(c)` and
/// `AVG art. 6(1)(e)` do not. (Absent values and bare references are judged before.)
pub fn is_statute(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let starts_with_digit = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit());
    let book_article = |w: &str| {
        w.split_once(':').is_some_and(|(book, article)| {
            !book.is_empty()
                && book.chars().all(|c| c.is_ascii_digit())
                && starts_with_digit(article)
        })
    };
    let mut article = false;
    for (i, word) in words.iter().enumerate() {
        if book_article(word) {
            article = true;
        }
        // `art. 8`, `art.8`, `artikel 8`, `§3`.
        for marker in ARTICLE_MARKERS {
            if let Some(rest) = word.strip_prefix(marker) {
                let rest = rest.trim_start_matches('.');
                let next_is_digit = words.get(i + 1).is_some_and(|next| starts_with_digit(next));
                if (rest.is_empty() && next_is_digit) || starts_with_digit(rest) {
                    article = true;
                }
            }
        }
    }
    let law = words.iter().any(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        word.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && word.chars().next().is_some_and(char::is_alphabetic)
            && !ARTICLE_MARKERS.contains(&word)
            && !ARTICLE_MARKERS
                .iter()
                .any(|m| m.trim_end_matches('.') == word)
            && !CONNECTORS.contains(&word)
            && !GDPR_NAMES.contains(&word)
    });
    article && law
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_in_words_is_offered_in_iso_form() {
        assert_eq!(
            period_in_words("5 jaar na uitschrijving").as_deref(),
            Some("P5Y")
        );
        assert_eq!(period_in_words("4 weken").as_deref(), Some("P4W"));
        assert_eq!(
            period_in_words("18 months after the contract").as_deref(),
            Some("P18M")
        );
        assert_eq!(period_in_words("30 dagen").as_deref(), Some("P30D"));
        assert_eq!(period_in_words("na uitschrijving"), None);
        assert_eq!(period_in_words("5 keer"), None);
        assert_eq!(period_in_words("-5 jaar"), None);
    }

    #[test]
    fn the_statute_test_passes_a_law_with_its_article() {
        for statute in [
            "Leerplichtwet 1969 art. 21a",
            "WPO art. 8",
            "UAVG art. 46",
            "BW 7:454",
            "Selectielijst gemeenten 2020 categorie 1.1.5",
            "Wet LB 1964 art. 28",
            "artikel 8 Wet BRP",
            "Wjsg art.4",
        ] {
            assert!(is_statute(statute), "{statute}");
        }
        for not_one in [
            "wet",
            "law",
            "UAVG",
            "art. 6(1)(c)",
            "AVG art. 6(1)(e)",
            "GDPR article 6",
            "zie beleid",
            "2020",
            "Leerplichtwet",
        ] {
            assert!(!is_statute(not_one), "{not_one}");
        }
    }

    #[test]
    fn dutch_legal_basis_words_map_to_canonical_ids() {
        assert_eq!(legal_basis("Overeenkomst"), Some("contract"));
        assert_eq!(
            legal_basis("Gerechtigd belang"),
            Some("legitimate_interests")
        );
        assert_eq!(
            legal_basis("gerechtvaardigde  belangen"),
            Some("legitimate_interests")
        );
        assert_eq!(
            legal_basis("legitimate_interests"),
            Some("legitimate_interests")
        );
        assert_eq!(
            legal_basis("Wettelijke verplichting"),
            Some("legal_obligation")
        );
        assert_eq!(legal_basis("gerechtvaardigd"), None);
    }

    #[test]
    fn art9_points_in_every_spelling() {
        for ok in [
            "9(2)(a)",
            "Art. 9(2)(a)",
            "9.2.a",
            "art. 9 lid 2 sub a",
            "Art. 9 lid 2 sub a AVG",
            "artikel 9(2)(a) GDPR",
            "9(2)a",
        ] {
            assert_eq!(art9_point(ok), Some("9(2)(a)"), "{ok}");
        }
        assert_eq!(art9_point("9(2)(j)"), Some("9(2)(j)"));
        for bad in ["6(1)(b)", "9(2)(k)", "9(1)", "", "9(3)(a)", "art. 10"] {
            assert_eq!(art9_point(bad), None, "{bad}");
        }
    }

    #[test]
    fn country_codes_from_the_list() {
        assert!(is_country_code("NL"));
        assert!(is_country_code("GB"));
        assert!(!is_country_code("UK"));
        assert!(!is_country_code("XX"));
        assert!(!is_country_code("nl"));
        assert_eq!(country_suggestion("UK"), Some("GB"));
        assert_eq!(country_suggestion("nl"), Some("NL"));
        assert_eq!(country_suggestion("XX"), None);
    }

    #[test]
    fn dates_as_day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("1970-01-02"), Some(1));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("2026-11-29"), Some(20_786));
        assert_eq!(day_number("1969-12-31"), Some(-1));
        assert_eq!(day_number("2024-02-30"), None);
    }

    #[test]
    fn periods_in_days() {
        assert_eq!(period_days("P10Y"), Some(3650));
        assert_eq!(period_days("P11Y"), Some(4015));
        assert_eq!(period_days("P4W"), Some(28));
        assert_eq!(period_days("P1M"), Some(30));
        assert_eq!(period_days("P1Y6M"), Some(545));
        assert_eq!(period_days("PT72H"), Some(3));
        assert_eq!(period_days("PT23H"), Some(0));
        assert_eq!(period_days("P1DT12H"), Some(1));
        assert_eq!(period_days("7 jaar"), None);
        assert_eq!(period_days("P99999999999999999999Y"), None);
    }

    #[test]
    fn durations_and_dates() {
        for ok in ["P4W", "P7Y", "P1Y6M", "PT72H", "P1DT12H", "P30D"] {
            assert!(is_iso_duration(ok), "{ok}");
        }
        for bad in ["P", "4W", "PT", "P4", "PW", "P1M1Y", "7 jaar", "P1.5Y"] {
            assert!(!is_iso_duration(bad), "{bad}");
        }
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("26-01-05"));
    }
}

/// The contact test: whether a text gives a way to reach someone. An e-mail address (`@`,
/// then a `.`), a web address (`http://`, `https://` or `www.`), a telephone number (nine
/// digits or more) or a Dutch postcode (`1234 AB`). "de FG", "via de receptie" do not.
pub fn is_contact(text: &str) -> bool {
    let lower = text.to_lowercase();
    if let Some(at) = lower.find('@') {
        if lower.get(at + 1..).is_some_and(|rest| rest.contains('.')) {
            return true;
        }
    }
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return true;
    }
    if text.chars().filter(char::is_ascii_digit).count() >= 9 {
        return true;
    }
    has_postcode(text)
}

/// Whether a text holds a Dutch postcode: four digits (the first not 0), an optional space,
/// two capital letters, not inside a longer word or number.
fn has_postcode(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|i| {
        let at = |k: usize| chars.get(i + k).copied();
        let before_ok = i == 0 || chars.get(i - 1).is_none_or(|c| !c.is_alphanumeric());
        let digits =
            (0..4).all(|k| at(k).is_some_and(|c| c.is_ascii_digit())) && at(0) != Some('0');
        if !before_ok || !digits {
            return false;
        }
        let letters_from = if at(4) == Some(' ') { 5 } else { 4 };
        let letters = (0..2).all(|k| at(letters_from + k).is_some_and(|c| c.is_ascii_uppercase()));
        letters && at(letters_from + 2).is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod contact_tests {
    use super::is_contact;

    #[test]
    fn the_contact_test() {
        for reachable in [
            "privacy@acme.example",
            "https://acme.example/privacy",
            "www.acme.nl",
            "+31 20 123 4567",
            "Postbus 15, 1000 AA Amsterdam",
            "Stationsplein 1, 3511AB Utrecht",
        ] {
            assert!(is_contact(reachable), "{reachable}");
        }
        for not in [
            "de FG",
            "via de receptie",
            "privacy@",
            "tel. 1234",
            "zie intranet",
            "1234 ABC",
        ] {
            assert!(!is_contact(not), "{not}");
        }
    }
}
