//! Owns what an import gives a person: the register files as YAML text, each value with its
//! source cell in a comment beside it and a `review:` comment where a person must look, and
//! the mapping report (per source column: where it went and how many values were read as
//! words, kept as text or not taken; then the values not read, with their cells).

use std::fmt::Write as _;

use super::{Activity, Imported, OwnCategory, Sourced};
use crate::lang::Lang;

/// The organisation's file.
pub const ORGANISATION_FILE: &str = "organisatie.yaml";
/// The activities' file.
pub const ACTIVITIES_FILE: &str = "activiteiten.yaml";

/// Text as a YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment's text on one line, nothing hidden in it.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn from<T>(value: &Sourced<T>) -> String {
    format!("  # from {}", comment(&value.at))
}

/// The register files: (file name, text), in writing order.
pub fn files(imported: &Imported, source: &str, lang: Lang) -> Vec<(&'static str, String)> {
    let head = format!(
        "# Imported by `ropa import` from {} ({}). Each value's source cell is in the comment\n\
         # beside it; a `review:` comment says what a person must look at. `ropa check` says\n\
         # what the source lacked.\n",
        comment(source),
        imported.format
    );
    vec![
        (ORGANISATION_FILE, organisation(imported, &head)),
        (ACTIVITIES_FILE, activities(imported, &head, lang)),
    ]
}

fn organisation(imported: &Imported, head: &str) -> String {
    let mut out = head.to_string();
    let org = &imported.organisation;
    out.push_str("organisation:\n");
    match &org.name {
        Some(name) => {
            let id = super::normalise::kebab_id(&name.value);
            let _ = writeln!(out, "  id: {id}{}", from(name));
            let _ = writeln!(out, "  name: {}{}", quoted(&name.value), from(name));
        }
        None => {
            out.push_str(
                "  # review: the source names no organisation: write its name and contact\n",
            );
            out.push_str("  id: organisatie\n  name: \"Organisatie\"\n");
        }
    }
    if let Some(contact) = &org.contact {
        let _ = writeln!(
            out,
            "  contact: {}{}",
            quoted(&contact.value),
            from(contact)
        );
    }
    if let Some(dpo) = &org.dpo {
        let folded = super::normalise::folded(&dpo.value);
        if folded.contains("none designated") || folded.contains("geen functionaris") {
            let _ = writeln!(out, "  dpo: none-designated{}", from(dpo));
        } else {
            let (name, contact) = match dpo.value.split_once(',') {
                Some((name, contact)) => (name.trim(), Some(contact.trim())),
                None => (dpo.value.as_str(), None),
            };
            let _ = writeln!(out, "  dpo:{}", from(dpo));
            let _ = writeln!(out, "    name: {}", quoted(name));
            if let Some(contact) = contact {
                let _ = writeln!(out, "    contact: {}", quoted(contact));
            }
        }
    }
    if let Some(public) = &org.public_authority {
        let _ = writeln!(
            out,
            "  public_authority: \"yes\"  # the source is a public body's register ({})",
            comment(&public.at)
        );
    }
    if !imported.processors.is_empty() {
        out.push_str("processors:\n");
        for p in &imported.processors {
            let _ = writeln!(out, "  - id: {}  # from {}", p.id, comment(&p.at));
            let _ = writeln!(out, "    name: {}", quoted(&p.name));
            out.push_str("    kind: named\n");
            if let Some(country) = &p.country {
                let _ = writeln!(out, "    country: {}", quoted(country));
            }
        }
    }
    own_categories(&mut out, "data_categories", &imported.data_categories);
    own_categories(&mut out, "subject_categories", &imported.subject_categories);
    out
}

fn own_categories(out: &mut String, key: &str, categories: &[OwnCategory]) {
    if categories.is_empty() {
        return;
    }
    let _ = writeln!(out, "{key}:");
    for c in categories {
        let _ = writeln!(
            out,
            "  # review: `{}` is in no list; placed under `{}` until someone gives it the parent it belongs under",
            comment(&c.label),
            c.parent
        );
        let _ = writeln!(out, "  - id: {}  # from {}", c.id, comment(&c.at));
        let _ = writeln!(out, "    label: {}", quoted(&c.label));
        let _ = writeln!(out, "    parents: [{}]", c.parent);
    }
}

fn activities(imported: &Imported, head: &str, lang: Lang) -> String {
    let mut out = head.to_string();
    if imported.activities.is_empty() {
        out.push_str("activities: []\n");
        return out;
    }
    out.push_str("activities:\n");
    for activity in &imported.activities {
        activity_yaml(&mut out, activity, lang);
    }
    out
}

fn activity_yaml(out: &mut String, a: &Activity, lang: Lang) {
    let _ = writeln!(out, "  - id: {}  # from {}", a.id, comment(&a.at));
    let mut line = |key: &str, value: Option<&Sourced<String>>| {
        if let Some(value) = value {
            let _ = writeln!(out, "    {key}: {}{}", quoted(&value.value), from(value));
        }
    };
    line("name", a.name.as_ref());
    line("x-source-id", a.source_id.as_ref());
    if let Some(role) = &a.role {
        let _ = writeln!(out, "    role: {}{}", role.value, from(role));
    }
    let ids = purpose_ids(a);
    if !a.purposes.is_empty() {
        out.push_str("    purposes:\n");
        for (purpose, id) in a.purposes.iter().zip(&ids) {
            let _ = writeln!(
                out,
                "      - {{ id: {id}, text: {} }}{}",
                quoted(&purpose.value),
                from(purpose)
            );
        }
    }
    if !a.legal_basis.is_empty() {
        out.push_str("    legal_basis:\n");
        for basis in &a.legal_basis {
            let purposes: Vec<&str> = basis
                .value
                .purposes
                .iter()
                .filter_map(|i| ids.get(*i).map(String::as_str))
                .collect();
            let mut parts = vec![format!("basis: {}", basis.value.basis)];
            if let Some(reference) = &basis.value.reference {
                parts.push(format!("ref: {}", quoted(reference)));
            }
            if !purposes.is_empty() {
                parts.push(format!("purposes: [{}]", purposes.join(", ")));
            }
            if parts.len() == 1 {
                let _ = writeln!(out, "      - {}{}", basis.value.basis, from(basis));
            } else {
                let _ = writeln!(out, "      - {{ {} }}{}", parts.join(", "), from(basis));
            }
        }
    }
    if !a.data_subjects.is_empty() {
        out.push_str("    data_subjects:\n");
        for subject in &a.data_subjects {
            let _ = writeln!(out, "      - {}{}", subject.value, from(subject));
        }
    }
    if !a.data.is_empty() {
        out.push_str("    data:\n");
        for item in &a.data {
            let _ = writeln!(
                out,
                "      - category: {}{}",
                item.value.category,
                from(item)
            );
            if let Some(label) = &item.value.label {
                let _ = writeln!(out, "        label: {}", quoted(label));
            }
        }
    }
    if !a.recipients.is_empty() {
        out.push_str("    recipients:\n");
        for (i, recipient) in a.recipients.iter().enumerate() {
            let country = a
                .recipient_countries
                .get(&i)
                .map(|c| format!(", country: {}", quoted(c)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "      - {{ category: {}{country} }}{}",
                quoted(&recipient.value),
                from(recipient)
            );
        }
    }
    if !a.transfers.is_empty() {
        out.push_str("    transfers:\n");
        for transfer in &a.transfers {
            let _ = writeln!(
                out,
                "      - country: {}{}",
                quoted(&transfer.value.country),
                from(transfer)
            );
            if let Some(mechanism) = transfer.value.mechanism {
                let _ = writeln!(out, "        mechanism: {mechanism}");
            }
        }
    }
    if let Some(retention) = &a.retention {
        let _ = writeln!(out, "    retention:{}", from(retention));
        let (period, criterion) = &retention.value;
        if let Some(period) = period {
            let _ = writeln!(out, "      period: {period}");
        }
        if let Some(criterion) = criterion {
            let _ = writeln!(out, "      criterion: {}", quoted(criterion));
        }
    }
    let mut line = |key: &str, value: Option<&Sourced<String>>| {
        if let Some(value) = value {
            let _ = writeln!(out, "    {key}: {}{}", quoted(&value.value), from(value));
        }
    };
    line("security_measures", a.security_measures.as_ref());
    line("legitimate_interest_assessment", a.lia.as_ref());
    if let Some(art9) = &a.art9 {
        let (point, reference) = &art9.value;
        let _ = writeln!(out, "    special_category_condition:{}", from(art9));
        let _ = writeln!(out, "      article: {point}");
        if let Some(reference) = reference {
            let _ = writeln!(out, "      ref: {}", quoted(reference));
        }
    }
    if let Some(proof) = &a.consent_proof {
        let _ = writeln!(out, "    consent:{}", from(proof));
        let _ = writeln!(out, "      proof: {}", quoted(&proof.value));
    }
    if let Some(dpia) = &a.dpia {
        let _ = writeln!(out, "    dpia:{}", from(dpia));
        let _ = writeln!(out, "      ref: {}", quoted(&dpia.value));
    }
    if !a.systems.is_empty() {
        out.push_str("    systems:\n");
        for system in &a.systems {
            let _ = writeln!(out, "      - {}{}", quoted(&system.value), from(system));
        }
    }
    if !a.processors.is_empty() {
        out.push_str("    processors:\n");
        for processor in &a.processors {
            let _ = writeln!(out, "      - {}{}", processor.value, from(processor));
        }
    }
    if !a.controllers.is_empty() {
        out.push_str("    controllers:\n");
        for controller in &a.controllers {
            let (name, contact) = match controller.value.split_once(',') {
                Some((name, contact)) => (name.trim(), Some(contact.trim())),
                None => (controller.value.as_str(), None),
            };
            let _ = writeln!(out, "      - name: {}{}", quoted(name), from(controller));
            if let Some(contact) = contact.filter(|c| !c.is_empty()) {
                let _ = writeln!(out, "        contact: {}", quoted(contact));
            }
        }
    }
    if let Some(profiling) = &a.profiling {
        let _ = writeln!(
            out,
            "    profiling: \"{}\"{}",
            profiling.value,
            from(profiling)
        );
    }
    if let Some(no) = &a.no_automated_decisions {
        let _ = writeln!(out, "    automated_decision: \"no\"{}", from(no));
    }
    // Texts no field takes, by key; several values of one key joined by lines.
    let mut keys: Vec<&str> = a.extra.iter().map(|(k, _)| k.as_str()).collect();
    keys.dedup();
    let mut written: Vec<&str> = Vec::new();
    for key in keys {
        if written.contains(&key) {
            continue;
        }
        written.push(key);
        let values: Vec<&Sourced<String>> = a
            .extra
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v)
            .collect();
        let text = values
            .iter()
            .map(|v| v.value.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(first) = values.first() {
            let _ = writeln!(out, "    {key}: {}{}", quoted(&text), from(first));
        }
    }
    for note in &a.review {
        let _ = writeln!(out, "    # review: {}", comment(&said(note, lang)));
    }
}

/// Each purpose's id: kebab-case from its text (at most 40 characters), numbered when two
/// are the same.
fn purpose_ids(a: &Activity) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for purpose in &a.purposes {
        let id: String = super::normalise::kebab_id(&purpose.value)
            .chars()
            .take(40)
            .collect();
        let base = id.trim_end_matches('-').to_string();
        let mut id = base.clone();
        let mut n = 1;
        while ids.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        ids.push(id);
    }
    ids
}

/// The report's and the review notes' words in Dutch, by their English.
const DUTCH: &[(&str, &str)] = &[
    ("ropa import: {} ({}): {} activity, {} category of the register's own", "ropa import: {} ({}): {} activiteit, {} eigen categorie van het register"),
    ("ropa import: {} ({}): {} activity, {} categories of the register's own", "ropa import: {} ({}): {} activiteit, {} eigen categorieën van het register"),
    ("ropa import: {} ({}): {} activities, {} category of the register's own", "ropa import: {} ({}): {} activiteiten, {} eigen categorie van het register"),
    ("ropa import: {} ({}): {} activities, {} categories of the register's own", "ropa import: {} ({}): {} activiteiten, {} eigen categorieën van het register"),
    ("columns no field takes: {}", "kolommen die geen veld opneemt: {}"),
    ("values not read:", "niet gelezen waarden:"),
    ("records left out:", "weggelaten records:"),
    ("to review (also as comments in the files):", "na te kijken (ook als opmerkingen in de bestanden):"),
    ("`{}` ({}) is in no list: defined as the register's own category `{}` under `{}`; give it the parent it belongs under", "`{}` ({}) staat in geen lijst: gedefinieerd als eigen categorie `{}` van het register onder `{}`; geef haar de ouder waar zij onder hoort"),
    ("`{}` ({}) is the register's own category: placed under `{}`; check its parent", "`{}` ({}) is een eigen categorie van het register: onder `{}` geplaatst; controleer haar ouder"),
    ("`{}` ({}) no longer holds as a transfer tool (the Privacy Shield was annulled in 2020): kept as text", "`{}` ({}) geldt niet meer als doorgifte-instrument (het Privacy Shield is in 2020 vernietigd): als tekst bewaard"),
    ("`{}` ({}) no longer holds as a transfer tool: kept as text", "`{}` ({}) geldt niet meer als doorgifte-instrument: als tekst bewaard"),
    ("its id `{}` was taken by an earlier activity: renamed `{}`", "haar id `{}` was al in gebruik bij een eerdere activiteit: hernoemd tot `{}`"),
    ("several transfer tools in {}: give each transfer its own", "meerdere doorgifte-instrumenten in {}: geef elke doorgifte haar eigen"),
    ("automated decisions or profiling ({}): say which with `automated_decision` and `profiling`", "geautomatiseerde besluiten of profilering ({}): zeg welke met `automated_decision` en `profiling`"),
    ("automated decisions ({}): record the Art. 22 exception and safeguards with `automated_decision`", "geautomatiseerde besluiten ({}): leg de uitzondering en waarborgen uit art. 22 vast met `automated_decision`"),
    ("a transfer outside the EU ({}) without a country ropa reads: add it under `transfers`", "een doorgifte buiten de EU ({}) zonder land dat ropa leest: voeg haar toe onder `transfers`"),
    ("the data items have different retention terms (kept in the criterion): give the activity its period, or split it", "de gegevens hebben verschillende bewaartermijnen (bewaard in het criterium): geef de activiteit haar termijn, of splits haar"),
    ("processed under the Wpg (the Police Data Act), not the GDPR: ropa's rules judge it as a GDPR record", "verwerkt onder de Wpg (Wet politiegegevens), niet de AVG: de regels van ropa beoordelen haar als een AVG-vastlegging"),
    ("not one Art. 6(1) basis", "geen enkele grondslag uit art. 6 lid 1"),
    ("not a country ropa knows by that name", "geen land dat ropa onder die naam kent"),
    ("not a transfer tool ropa knows", "geen doorgifte-instrument dat ropa kent"),
    ("not an Art. 9(2) point", "geen punt van art. 9 lid 2"),
    ("Status: Vervallen", "Status: Vervallen"),
    ("(not imported)", "(niet ingelezen)"),
];

/// The report's header in `lang`.
fn head_words(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::En => ["column", "field", "read", "words", "text", "unmapped"],
        Lang::Nl => ["kolom", "veld", "gelezen", "woorden", "tekst", "niet"],
    }
}

/// A line of the report or a review note in `lang`.
pub fn said(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Nl => crate::problem_words::translated(text, DUTCH, &[]),
    }
}

/// The mapping report.
pub fn report(imported: &Imported, source: &str, lang: Lang) -> String {
    let mut out = String::new();
    let own = imported.data_categories.len() + imported.subject_categories.len();
    let head = format!(
        "ropa import: {} ({}): {} {}, {} {} of the register's own",
        comment(source),
        imported.format,
        imported.activities.len(),
        if imported.activities.len() == 1 {
            "activity"
        } else {
            "activities"
        },
        own,
        if own == 1 { "category" } else { "categories" }
    );
    let _ = writeln!(out, "{}", said(&head, lang));
    let words = head_words(lang);
    if !imported.columns.is_empty() {
        let width = imported
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(6)
            .min(70);
        let _ = writeln!(
            out,
            "\n  {:<width$}  {:<34}  {:>7}  {:>7}  {:>5}  {:>8}",
            words[0], words[1], words[2], words[3], words[4], words[5]
        );
        for column in &imported.columns {
            let name: String = column.name.chars().take(width).collect();
            let _ = writeln!(
                out,
                "  {:<width$}  {:<34}  {:>7}  {:>7}  {:>5}  {:>8}",
                comment(&name),
                said(column.field.unwrap_or("(not imported)"), lang),
                column.read,
                column.normalised,
                column.text,
                column.unmapped
            );
        }
        let unmapped: Vec<&str> = imported
            .columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.name.as_str())
            .collect();
        if !unmapped.is_empty() {
            let line = format!("columns no field takes: {}", comment(&unmapped.join("; ")));
            let _ = writeln!(out, "\n  {}", said(&line, lang));
        }
    }
    if !imported.skipped.is_empty() {
        let _ = writeln!(out, "\n  {}", said("records left out:", lang));
        for u in &imported.skipped {
            let _ = writeln!(
                out,
                "    {}  {}: {}",
                comment(&u.at),
                quoted(&u.text),
                said(&u.why, lang)
            );
        }
    }
    if !imported.unresolved.is_empty() {
        let _ = writeln!(out, "\n  {}", said("values not read:", lang));
        for u in &imported.unresolved {
            let _ = writeln!(
                out,
                "    {}  {}: {}",
                comment(&u.at),
                quoted(&u.text),
                said(&u.why, lang)
            );
        }
    }
    let reviews: Vec<(&str, &str)> = imported
        .activities
        .iter()
        .flat_map(|a| a.review.iter().map(move |r| (a.id.as_str(), r.as_str())))
        .collect();
    if !reviews.is_empty() {
        let _ = writeln!(
            out,
            "\n  {}",
            said("to review (also as comments in the files):", lang)
        );
        for (id, note) in reviews {
            let _ = writeln!(out, "    {id}: {}", comment(&said(note, lang)));
        }
    }
    out
}
