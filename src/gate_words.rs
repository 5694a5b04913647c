//! Owns the words of the gate's own findings (`gate-weakened`) in Dutch: the message, what
//! to do, the help, and each phrasing of what a change weakened, with `{}` where a value goes
//! (an id, a file, a date: as written). A phrasing not in the list stays English.

use crate::finding::Finding;
use crate::lang::Lang;
use crate::problem_words::translated;

/// The finding's message, before what the change did.
const MESSAGE_NL: &str = "De wijziging verzwakt de poort zelf";

const HELP_NL: &str = "Een wijziging van de regels, hun ernst, ropa.toml of de waivers bepaalt \
waaraan elke latere wijziging wordt getoetst: laat de eigenaren van policies/, ropa.toml en het \
waiverbestand haar goedkeuren (noem hen in CODEOWNERS), met een `[[approval]]` in ropa.toml die \
het id van de verzwakking noemt. Zodra de wijziging op de basisbranch staat, wordt de volgende \
wijziging eraan getoetst en is deze bevinding weg.";

const FIX_NL: &str = "laat de eigenaren van policies/, ropa.toml en de waivers de wijziging \
goedkeuren: een `[[approval]]` in ropa.toml die het id van de verzwakking noemt";

/// The gate's findings as a person reading `lang` sees them.
pub fn in_lang(findings: &mut [Finding], lang: Lang) {
    if lang == Lang::En {
        return;
    }
    for finding in findings {
        let label = dutch_what(&finding.label);
        finding.message = format!("{MESSAGE_NL}: {label}").into();
        finding.label = label.into();
        finding.help = Some(HELP_NL.into());
        finding.fix = Some(FIX_NL.into());
    }
}

/// What a change weakened, in Dutch: its id's suffix and the base it is judged against kept
/// apart, the rest by its phrasing.
fn dutch_what(what: &str) -> String {
    if let Some((before, id)) = what.rsplit_once(" (weakening ") {
        return format!("{} (verzwakking {id}", dutch_what(before));
    }
    if let Some((before, base)) = what.rsplit_once(" (against ") {
        return format!("{} (ten opzichte van {base}", dutch_what(before));
    }
    translated(what, PHRASES, &[])
}

/// Phrasings, most specific first.
const PHRASES: &[(&str, &str)] = &[
    (
        "rule `{}` is removed (it was in {})",
        "regel `{}` is verwijderd (hij stond in {})",
    ),
    (
        "rule `{}` is lowered from error to warning",
        "regel `{}` is verlaagd van fout naar waarschuwing",
    ),
    (
        "the rule pack changes, and {}'s pack cannot judge the change: {}",
        "het regelpakket verandert, en het pakket van {} kan de wijziging niet beoordelen: {}",
    ),
    (
        "rule `{}` no longer reports 1 finding that the rules of {} report, e.g. on activity `{}`",
        "regel `{}` meldt 1 bevinding niet meer die de regels van {} wel melden, bijvoorbeeld bij activiteit `{}`",
    ),
    (
        "rule `{}` no longer reports 1 finding that the rules of {} report",
        "regel `{}` meldt 1 bevinding niet meer die de regels van {} wel melden",
    ),
    (
        "rule `{}` no longer reports {} findings that the rules of {} report, e.g. on activity `{}`",
        "regel `{}` meldt {} bevindingen niet meer die de regels van {} wel melden, bijvoorbeeld bij activiteit `{}`",
    ),
    (
        "rule `{}` no longer reports {} findings that the rules of {} report",
        "regel `{}` meldt {} bevindingen niet meer die de regels van {} wel melden",
    ),
    (
        "rule `{}` may now be waived (it was a prohibition)",
        "voor regel `{}` mag nu een waiver gelden (het was een verbod)",
    ),
    (
        "rule `{}` now accepts a reasoned position",
        "regel `{}` aanvaardt nu een onderbouwd standpunt",
    ),
    ("`{}` is added to region `{}`", "`{}` is toegevoegd aan regio `{}`"),
    ("region `{}` is removed", "regio `{}` is verwijderd"),
    (
        "the taxonomy's `dates.{}` moves later ({} to {})",
        "`dates.{}` in de taxonomie schuift op ({} naar {})",
    ),
    ("the taxonomy's `{}` change", "`{}` in de taxonomie verandert"),
    ("the schema changes", "het schema verandert"),
    (
        "category `{}` no longer falls under `{}`",
        "categorie `{}` valt niet meer onder `{}`",
    ),
    (
        "a waiver of `{}` on activity `{}` ({}) until {} is added",
        "een waiver voor `{}` bij activiteit `{}` ({}) tot {} is toegevoegd",
    ),
    (
        "a waiver of `{}` on activity `{}` until {} is added",
        "een waiver voor `{}` bij activiteit `{}` tot {} is toegevoegd",
    ),
    (
        "the waiver of `{}` on activity `{}` ({}) is extended from {} to {}",
        "de waiver voor `{}` bij activiteit `{}` ({}) is verlengd van {} tot {}",
    ),
    (
        "the waiver of `{}` on activity `{}` is extended from {} to {}",
        "de waiver voor `{}` bij activiteit `{}` is verlengd van {} tot {}",
    ),
    (
        "a reasoned position answering `{}` on activity `{}` ({}) is added",
        "een onderbouwd standpunt bij `{}` voor activiteit `{}` ({}) is toegevoegd",
    ),
    (
        "a reasoned position answering `{}` on activity `{}` is added",
        "een onderbouwd standpunt bij `{}` voor activiteit `{}` is toegevoegd",
    ),
    (
        "a reasoned position answering `{}` on the organisation ({}) is added",
        "een onderbouwd standpunt bij `{}` voor de organisatie ({}) is toegevoegd",
    ),
    (
        "a reasoned position answering `{}` on the organisation is added",
        "een onderbouwd standpunt bij `{}` voor de organisatie is toegevoegd",
    ),
    ("`fail-on` is raised from {} to {}", "`fail-on` is verhoogd van {} naar {}"),
    (
        "`fail-on-new` is switched on: existing findings no longer fail",
        "`fail-on-new` staat aan: bestaande bevindingen laten de controle niet meer falen",
    ),
    (
        "`review-interval` is raised from {} to {} days",
        "`review-interval` is verhoogd van {} naar {} dagen",
    ),
    ("`require-review` is switched off", "`require-review` staat uit"),
    (
        "`waiver-max-term` is raised from {} to {} days",
        "`waiver-max-term` is verhoogd van {} naar {} dagen",
    ),
    (
        "`approvers` is emptied: anyone may approve a waiver",
        "`approvers` is leeggemaakt: iedereen mag een waiver goedkeuren",
    ),
    (
        "register `{}` is no longer checked",
        "register `{}` wordt niet meer gecontroleerd",
    ),
    (
        "the register is no longer checked",
        "het register wordt niet meer gecontroleerd",
    ),
    (
        "register `{}` no longer includes `{}` and {} more",
        "register `{}` omvat `{}` en nog {} andere niet meer",
    ),
    (
        "register `{}` no longer includes `{}`",
        "register `{}` omvat `{}` niet meer",
    ),
    (
        "the register no longer includes `{}` and {} more",
        "het register omvat `{}` en nog {} andere niet meer",
    ),
    (
        "the register no longer includes `{}`",
        "het register omvat `{}` niet meer",
    ),
    (
        "the policies of register `{}` move from `{}` to `{}`",
        "de regels van register `{}` verhuizen van `{}` naar `{}`",
    ),
    (
        "the policies of the register move from `{}` to `{}`",
        "de regels van het register verhuizen van `{}` naar `{}`",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weakening_reads_in_dutch_with_its_id_and_values_as_written() {
        assert_eq!(
            dutch_what(
                "a waiver of `retention-required` on activity `crm` until 2027-03-31 is added (weakening w-6cb65051c4a2)"
            ),
            "een waiver voor `retention-required` bij activiteit `crm` tot 2027-03-31 is toegevoegd (verzwakking w-6cb65051c4a2)"
        );
        assert_eq!(
            dutch_what("`US` is added to region `EEA` (against main) (weakening w-000000000000)"),
            "`US` is toegevoegd aan regio `EEA` (ten opzichte van main) (verzwakking w-000000000000)"
        );
        assert_eq!(
            dutch_what("rule `x` no longer reports 3 findings that the rules of main report"),
            "regel `x` meldt 3 bevindingen niet meer die de regels van main wel melden"
        );
    }
}
