//! Owns what an import gives a person: the register files as YAML text, each value with its
//! source cell in a comment beside it and a `review:` comment where a person must look, and
//! the mapping report (per source column: where it went and how many values were read as
//! words, kept as text or not taken; then the values not read, with their cells).

use std::fmt::Write as _;

use super::{Activity, Imported, OwnCategory, Sourced};

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
pub fn files(imported: &Imported, source: &str) -> Vec<(&'static str, String)> {
    let head = format!(
        "# Imported by `ropa import` from {} ({}). Each value's source cell is in the comment\n\
         # beside it; a `review:` comment says what a person must look at. `ropa check` says\n\
         # what the source lacked.\n",
        comment(source),
        imported.format
    );
    vec![
        (ORGANISATION_FILE, organisation(imported, &head)),
        (ACTIVITIES_FILE, activities(imported, &head)),
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

fn activities(imported: &Imported, head: &str) -> String {
    let mut out = head.to_string();
    if imported.activities.is_empty() {
        out.push_str("activities: []\n");
        return out;
    }
    out.push_str("activities:\n");
    for activity in &imported.activities {
        activity_yaml(&mut out, activity);
    }
    out
}

fn activity_yaml(out: &mut String, a: &Activity) {
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
    if !a.purposes.is_empty() {
        out.push_str("    purposes:\n");
        let mut ids: Vec<String> = Vec::new();
        for purpose in &a.purposes {
            let mut id: String = super::normalise::kebab_id(&purpose.value)
                .chars()
                .take(40)
                .collect();
            id = id.trim_end_matches('-').to_string();
            let base = id.clone();
            let mut n = 1;
            while ids.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            ids.push(id.clone());
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
            match &basis.value.reference {
                Some(reference) => {
                    let _ = writeln!(
                        out,
                        "      - {{ basis: {}, ref: {} }}{}",
                        basis.value.basis,
                        quoted(reference),
                        from(basis)
                    );
                }
                None => {
                    let _ = writeln!(out, "      - {}{}", basis.value.basis, from(basis));
                }
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
        for recipient in &a.recipients {
            let _ = writeln!(
                out,
                "      - {{ category: {} }}{}",
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
        let _ = writeln!(out, "    # review: {}", comment(note));
    }
}

/// The mapping report.
pub fn report(imported: &Imported, source: &str) -> String {
    let mut out = String::new();
    let own = imported.data_categories.len() + imported.subject_categories.len();
    let _ = writeln!(
        out,
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
            "\n  {:<width$}  {:<34}  {:>5}  {:>5}  {:>5}  {:>8}",
            "column", "field", "read", "words", "text", "unmapped"
        );
        for column in &imported.columns {
            let name: String = column.name.chars().take(width).collect();
            let _ = writeln!(
                out,
                "  {:<width$}  {:<34}  {:>5}  {:>5}  {:>5}  {:>8}",
                comment(&name),
                column.field.unwrap_or("(not imported)"),
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
            let _ = writeln!(
                out,
                "\n  columns no field takes (their text is kept as `x-` fields): {}",
                comment(&unmapped.join("; "))
            );
        }
    }
    if !imported.unresolved.is_empty() {
        out.push_str("\n  values not read:\n");
        for u in &imported.unresolved {
            let _ = writeln!(
                out,
                "    {}  {}: {}",
                comment(&u.at),
                quoted(&u.text),
                u.why
            );
        }
    }
    let reviews: Vec<(&str, &str)> = imported
        .activities
        .iter()
        .flat_map(|a| a.review.iter().map(move |r| (a.id.as_str(), r.as_str())))
        .collect();
    if !reviews.is_empty() {
        out.push_str("\n  to review (also as comments in the files):\n");
        for (id, note) in reviews {
            let _ = writeln!(out, "    {id}: {}", comment(note));
        }
    }
    out
}
