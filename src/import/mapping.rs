//! Owns the mapping file of `ropa import --map FILE`: for a spreadsheet laid out any other way
//! (the IBD/VNG model register, CNIL, Kennisnet, a home-grown one), which column is which
//! register field, which sheet and which header row; and `--map-template`, a commented
//! starting point written from the spreadsheet's own headings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ico::{heading_key, Field};
use super::normalise;
use super::table::Table;
use crate::problem::{suggestion, Code, Problem};

/// The fields a column may go to, and what each holds.
const FIELDS: [(&str, Field); 20] = [
    ("name", Field::Name),
    ("id", Field::ActivityId),
    ("purposes", Field::Purposes),
    ("data_subjects", Field::Subjects),
    ("data", Field::Data),
    ("recipients", Field::Recipients),
    ("transfers.country", Field::Countries),
    ("transfers.mechanism", Field::Safeguards),
    ("retention", Field::Retention),
    ("security_measures", Field::Security),
    ("legal_basis", Field::LegalBasis),
    ("special_category_condition", Field::Art9),
    ("legitimate_interest_assessment", Field::Lia),
    ("consent.proof", Field::ConsentRecord),
    ("systems", Field::Location),
    ("dpia.ref", Field::DpiaLink),
    ("controllers", Field::Controllers),
    ("automated_decision", Field::Automated),
    ("retention.ref", Field::RetentionPolicy),
    ("processing", Field::Processing),
];

/// A mapping file, read.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// The sheet to read (else every sheet whose header row is found).
    pub sheet: Option<String>,
    /// The header row, 0-based (else the first of the first 40 rows that holds the mapped
    /// headings).
    pub header: Option<usize>,
    /// Each heading (as [`heading_key`] folds it) and its field.
    columns: BTreeMap<String, Field>,
    /// The `x-` keys the mapping sends columns to, by [`Field::Own`]'s index.
    pub own_keys: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    sheet: Option<String>,
    header_row: Option<usize>,
    columns: BTreeMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file's text (`name` for its problems).
    pub fn parse(name: &str, text: &str) -> Result<Self, Vec<Problem>> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            vec![Problem::general(
                Code::Config,
                format!("{name}: {}", e.message()),
            )
            .help("see docs/import.md, \"A mapping file\"; `ropa import SOURCE --map-template` writes one to start from")]
        })?;
        let mut mapping = Mapping {
            sheet: raw.sheet,
            header: raw.header_row.map(|r| r.saturating_sub(1)),
            ..Mapping::default()
        };
        let mut problems = Vec::new();
        for (heading, field) in raw.columns {
            let field = field.trim();
            let value = if let Some(key) = field.strip_prefix("x-") {
                if key.is_empty() || !crate::register::vocab::is_kebab_case(key) {
                    problems.push(
                        Problem::general(
                            Code::InvalidValue,
                            format!(
                                "{name}: `{field}` is not an `x-` key (x- and a kebab-case word)"
                            ),
                        )
                        .help("for example `x-hoofdproces`"),
                    );
                    continue;
                }
                mapping.own_keys.push(field.to_string());
                Field::Own(mapping.own_keys.len() - 1)
            } else if field.is_empty() {
                // An empty field: the column is left out.
                Field::Skip
            } else {
                match FIELDS.iter().find(|(f, _)| *f == field) {
                    Some((_, f)) => *f,
                    None => {
                        problems.push(
                            Problem::general(
                                Code::UnknownValue,
                                format!("{name}: unknown field `{field}` for column `{heading}`"),
                            )
                            .help(
                                suggestion(field, FIELDS.iter().map(|(f, _)| *f)).unwrap_or_else(
                                    || {
                                        format!(
                                            "a field is one of: {}, or an `x-` key of your own",
                                            FIELDS
                                                .iter()
                                                .map(|(f, _)| *f)
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        )
                                    },
                                ),
                            ),
                        );
                        continue;
                    }
                }
            };
            mapping.columns.insert(heading_key(&heading), value);
        }
        if problems.is_empty() {
            Ok(mapping)
        } else {
            Err(problems)
        }
    }

    /// The field of a column heading, when the mapping names it.
    pub(super) fn field(&self, heading: &str) -> Option<Field> {
        self.columns.get(&heading_key(heading)).copied()
    }

    /// The header row of a table: the mapping's, else the first of the first 40 rows that
    /// holds at least two of the mapped headings (or the one, when only one is mapped).
    pub fn header_row(&self, table: &Table) -> Option<usize> {
        if let Some(row) = self.header {
            return (row < table.rows.len()).then_some(row);
        }
        let needed = self.columns.len().clamp(1, 2);
        (0..table.rows.len().min(40)).find(|&r| {
            table
                .rows
                .get(r)
                .is_some_and(|row| row.iter().filter(|c| self.field(c).is_some()).count() >= needed)
        })
    }
}

/// A guess at the field of a heading in Dutch or English, for the template.
fn guess(heading: &str) -> Option<&'static str> {
    if let Some(field) = super::ico::field_of(heading) {
        return FIELDS.iter().find(|(_, f)| *f == field).map(|(n, _)| *n);
    }
    let h = normalise::folded(heading);
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    Some(
        if matches!(h.as_str(), "id" | "uuid" | "nummer" | "nr" | "kenmerk") {
            "id"
        } else if has(&[
            "naam verwerking",
            "verwerking",
            "activiteit",
            "processing activity",
            "name",
        ]) {
            "name"
        } else if has(&["doel", "purpose", "finalité"]) {
            "purposes"
        } else if has(&[
            "grondslag",
            "lawful basis",
            "legal basis",
            "base légale",
            "rechtsgrundlage",
        ]) {
            "legal_basis"
        } else if has(&[
            "betrokkenen",
            "data subjects",
            "individuals",
            "personnes concernées",
        ]) {
            "data_subjects"
        } else if has(&["persoonsgegevens", "personal data", "gegevens", "données"]) {
            "data"
        } else if has(&[
            "bewaartermijn",
            "retention",
            "durée de conservation",
            "speicherdauer",
        ]) {
            "retention"
        } else if has(&["ontvanger", "recipient", "destinataire", "empfänger"]) {
            "recipients"
        } else if has(&["beveiliging", "security", "sécurité"]) {
            "security_measures"
        } else if has(&["land", "landen", "countr", "pays"]) {
            "transfers.country"
        } else if has(&["waarborg", "safeguard", "garantie"]) {
            "transfers.mechanism"
        } else if has(&["systeem", "systemen", "applicatie", "system", "logiciel"]) {
            "systems"
        } else {
            return None;
        },
    )
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A commented mapping file for the first table's headings (its first row with at least two
/// cells), each with the field guessed from its words or an `x-` key of its own.
pub fn template(tables: &[Table], source: &str) -> Option<String> {
    let (table, row) = tables.iter().find_map(|t| {
        (0..t.rows.len().min(40))
            .find(|&r| {
                t.rows
                    .get(r)
                    .is_some_and(|row| row.iter().filter(|c| !c.is_empty()).count() >= 2)
            })
            .map(|r| (t, r))
    })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# ropa import mapping for {} (sheet {}): each column heading to a register field.\n\
         # Use it with `ropa import {} --map THIS-FILE`; docs/import.md explains the fields.\n\
         # Fields: {},\n\
         # or an `x-` key of your own (the text is kept, never judged); \"\" leaves a column out.\n\
         # Check every guess below: ropa guessed them from the headings' words.",
        source.replace(['\n', '\r'], " "),
        table.sheet.replace(['\n', '\r'], " "),
        source.replace(['\n', '\r'], " "),
        FIELDS
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "sheet = {}", toml_string(&table.sheet));
    let _ = writeln!(out, "header-row = {}", row + 1);
    out.push_str("\n[columns]\n");
    let mut used: Vec<String> = Vec::new();
    for heading in table
        .rows
        .get(row)
        .into_iter()
        .flatten()
        .filter(|h| !h.is_empty())
    {
        let field = match guess(heading) {
            Some(field) => field.to_string(),
            None => {
                let mut key = format!("x-{}", normalise::kebab_id(heading));
                while used.contains(&key) {
                    key.push_str("-2");
                }
                key
            }
        };
        used.push(field.clone());
        let _ = writeln!(out, "{} = {}", toml_string(heading), toml_string(&field));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_names_columns_and_refuses_an_unknown_field() {
        let mapping = Mapping::parse(
            "m.toml",
            "header-row = 2\n[columns]\n\"Naam verwerking\" = \"name\"\n\"Hoofdproces\" = \"x-hoofdproces\"\n",
        )
        .expect("parses");
        assert_eq!(mapping.header, Some(1));
        assert_eq!(mapping.field("naam  verwerking"), Some(Field::Name));
        assert_eq!(mapping.field("Hoofdproces"), Some(Field::Own(0)));
        let wrong =
            Mapping::parse("m.toml", "[columns]\n\"Doel\" = \"purpose\"\n").expect_err("refused");
        assert!(wrong[0].message.contains("unknown field `purpose`"));
        assert!(wrong[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("purposes")));
    }
}
