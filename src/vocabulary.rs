//! Owns the pack's taxonomy file beyond the categories: the regions of countries, the values
//! that count as absent, the bare references, the word lists, and reading them all (with
//! both taxonomies) from `taxonomy.yaml`.

use crate::problem::{Code, Problem};
use crate::source::{FileId, Location, SourceMap};
use crate::taxonomy::{read_categories, Kind, Taxonomy};
use crate::yaml::{parse, Limits, Reader};

/// The pack's data beside the taxonomies that shapes what reaches Cedar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    /// Regions of countries.
    pub regions: Vec<Region>,
    /// Placeholder texts that mean "not filled in" (`-`, `n.v.t.`, `tbd`), lower case.
    pub absent_values: Vec<String>,
    /// Words that, alone or after `see`/`zie`, name no document in a reference field
    /// (`dpia`, `wet`, `policy`), lower case.
    pub bare_references: Vec<String>,
    /// The named word lists (`words:`): what a free text or a category's name is read for.
    pub words: crate::words::WordLists,
    /// Word lists whose matches in a register category's id or label must reach a category
    /// of the pack (`category_words:`).
    pub category_words: Vec<crate::words::CategoryWords>,
    /// The dates from which dated rules apply (`dates:`).
    pub dates: Dates,
}

/// The dates from which dated duties apply (the taxonomy file's `dates:`): rules that read
/// them are quiet before them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dates {
    /// AI Act Annex III high-risk duties (art. 26, 27, 49(3)): `2026-08-02` as adopted,
    /// `2027-12-02` under the Digital Omnibus deferral.
    pub annex_iii_from: String,
    /// AI Act art. 50 transparency duties.
    pub transparency_from: String,
}

impl Default for Dates {
    fn default() -> Self {
        Dates {
            annex_iii_from: "2027-12-02".to_string(),
            transparency_from: "2026-08-02".to_string(),
        }
    }
}

impl Vocabulary {
    /// Whether a reference field's text counts as absent: as [`Vocabulary::is_absent`], or a
    /// bare reference (`wet`, `see DPIA`) that points at no document in particular.
    pub fn is_absent_reference(&self, text: &str) -> bool {
        if self.is_absent(text) {
            return true;
        }
        let folded = text.trim().trim_end_matches('.').trim().to_lowercase();
        if folded.len() > 40 {
            return false;
        }
        let bare = ["see ", "zie "]
            .iter()
            .find_map(|prefix| folded.strip_prefix(prefix))
            .unwrap_or(&folded)
            .trim();
        self.bare_references.iter().any(|word| word == bare)
    }

    /// Whether a text counts as absent: empty, only white space, or a placeholder (trimmed,
    /// any case). A rule that needs the field then fires, as if it were not written.
    pub fn is_absent(&self, text: &str) -> bool {
        let text = text.trim();
        if text.is_empty() {
            return true;
        }
        // Most texts are longer than any placeholder: no need to fold their case.
        let longest = self
            .absent_values
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0);
        text.len() <= 4 * longest && self.absent_values.contains(&text.to_lowercase())
    }
}

/// A named group of countries, such as the EEA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Its id (`EEA`).
    pub id: String,
    /// ISO 3166 alpha-2 codes.
    pub countries: Vec<String>,
    /// Where its id is written in the taxonomy.
    pub at: Location,
}

pub(crate) fn load_taxonomy(
    file: FileId,
    sources: &SourceMap,
    limits: &Limits,
    problems: &mut Vec<Problem>,
) -> (Taxonomy, Taxonomy, Vocabulary) {
    let mut data = Taxonomy::new(Kind::Data);
    let mut subjects = Taxonomy::new(Kind::Subject);
    let mut vocabulary = Vocabulary::default();
    let source = sources.file(file);
    let root = match parse(file, source, limits) {
        Ok(root) => root,
        Err(problem) => {
            problems.push(problem);
            return (data, subjects, vocabulary);
        }
    };
    let mut reader = Reader::new(file, source, problems);
    if let Some(mut fields) = reader.fields(&root, "the taxonomy") {
        let data_node = fields.require(&mut reader, "data_categories");
        let subject_node = fields.require(&mut reader, "subject_categories");
        let region_node = fields.get("regions");
        let absent_node = fields.get("absent_values");
        let bare_node = fields.get("bare_references");
        let words_node = fields.get("words");
        let category_words_node = fields.get("category_words");
        let dates_node = fields.get("dates");
        fields.finish(&mut reader);
        if let Some(node) = dates_node {
            read_dates(&mut reader, node, &mut vocabulary.dates);
        }
        let data_list = data_node
            .map(|n| read_categories(&mut reader, n, Kind::Data))
            .unwrap_or_default();
        let subject_list = subject_node
            .map(|n| read_categories(&mut reader, n, Kind::Subject))
            .unwrap_or_default();
        if let Some(node) = region_node {
            vocabulary.regions = read_regions(&mut reader, node);
        }
        let mut lowered = |node: Option<&crate::yaml::Node>, what: &str| -> Vec<String> {
            node.map(|n| reader.text_list(n, what))
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.value.trim().to_lowercase())
                .collect()
        };
        vocabulary.absent_values = lowered(absent_node, "`absent_values`");
        vocabulary.bare_references = lowered(bare_node, "`bare_references`");
        if let Some(node) = words_node {
            read_words(&mut reader, node, &mut vocabulary.words);
        }
        let category_words = category_words_node
            .map(|node| read_category_words(&mut reader, node, &vocabulary.words))
            .unwrap_or_default();
        data.extend(data_list, false, problems);
        subjects.extend(subject_list, false, problems);
        for (entry, at) in category_words {
            let taxonomy = if entry.data { &data } else { &subjects };
            if taxonomy.contains(&entry.category) {
                vocabulary.category_words.push(entry);
            } else {
                problems.push(
                    Problem::at(
                        Code::UnknownValue,
                        at,
                        format!("`{}` is not a category of the taxonomy", entry.category),
                    )
                    .label("unknown category"),
                );
            }
        }
    }
    data.finish(problems);
    subjects.finish(problems);
    (data, subjects, vocabulary)
}

/// Reads `dates:`: `{ annex_iii_from, transparency_from }`, each `YYYY-MM-DD`.
fn read_dates(reader: &mut Reader<'_>, node: &crate::yaml::Node, dates: &mut Dates) {
    let Some(mut fields) = reader.fields(node, "`dates`") else {
        return;
    };
    let annex = fields.get("annex_iii_from");
    let transparency = fields.get("transparency_from");
    fields.finish(reader);
    for (node, slot) in [
        (annex, &mut dates.annex_iii_from),
        (transparency, &mut dates.transparency_from),
    ] {
        let Some(value) = node.and_then(|n| reader.text(n, "a date")) else {
            continue;
        };
        if crate::register::vocab::is_date(&value.value) {
            *slot = value.value;
        } else {
            reader.report(
                Problem::at(
                    Code::InvalidValue,
                    value.at,
                    format!("`{}` is not a date", value.value),
                )
                .label("expected YYYY-MM-DD")
                .help("write the day the duty applies from, e.g. `2027-12-02`"),
            );
        }
    }
}

/// Reads `words:`, a mapping of list names to lists of words.
fn read_words(
    reader: &mut Reader<'_>,
    node: &crate::yaml::Node,
    words: &mut crate::words::WordLists,
) {
    let crate::yaml::Value::Map(entries) = &node.value else {
        reader.report(
            Problem::at(
                Code::InvalidValue,
                reader.at(node),
                "`words` must map list names to lists of words",
            )
            .label(format!("found {}", node.kind())),
        );
        return;
    };
    for (key, value) in entries {
        let Some(name) = reader.text(key, "a word list's name") else {
            continue;
        };
        let list = reader.text_list(value, "a word list");
        words.insert(&name.value, list.into_iter().map(|w| w.value));
    }
}

/// Reads `category_words:`, entries `{ words, data: CATEGORY }` or `{ words, subjects:
/// CATEGORY }`, each with where its category is written (checked against the taxonomy by
/// the caller).
fn read_category_words(
    reader: &mut Reader<'_>,
    node: &crate::yaml::Node,
    words: &crate::words::WordLists,
) -> Vec<(crate::words::CategoryWords, Location)> {
    let mut out = Vec::new();
    for item in reader.list(node, "`category_words`") {
        let Some(mut fields) = reader.fields(item, "a category's words") else {
            continue;
        };
        let list = fields
            .require(reader, "words")
            .and_then(|n| reader.text(n, "a word list's name"));
        let data = fields
            .get("data")
            .and_then(|n| reader.text(n, "a data category"));
        let subjects = fields
            .get("subjects")
            .and_then(|n| reader.text(n, "a subject category"));
        fields.finish(reader);
        let Some(list) = list else {
            continue;
        };
        if !words.has(&list.value) {
            reader.report(
                Problem::at(
                    Code::UnknownValue,
                    list.at,
                    format!("`{}` is not a list of `words`", list.value),
                )
                .label("unknown word list"),
            );
            continue;
        }
        let (category, is_data) = match (data, subjects) {
            (Some(c), None) => (c, true),
            (None, Some(c)) => (c, false),
            _ => {
                reader.report(
                    Problem::at(
                        Code::MissingKey,
                        list.at,
                        "a category's words name either `data` or `subjects`, not both",
                    )
                    .label("here"),
                );
                continue;
            }
        };
        out.push((
            crate::words::CategoryWords {
                words: list.value,
                category: category.value,
                data: is_data,
            },
            category.at,
        ));
    }
    out
}

fn read_regions(reader: &mut Reader<'_>, node: &crate::yaml::Node) -> Vec<Region> {
    let mut regions = Vec::new();
    for item in reader.list(node, "`regions`") {
        let Some(mut fields) = reader.fields(item, "a region") else {
            continue;
        };
        let id = fields
            .require(reader, "id")
            .and_then(|n| reader.text(n, "a region id"));
        fields.get("label");
        let countries = fields
            .require(reader, "countries")
            .map(|n| reader.text_list(n, "countries"))
            .unwrap_or_default();
        fields.finish(reader);
        if let Some(id) = id {
            regions.push(Region {
                id: id.value,
                countries: countries.into_iter().map(|c| c.value).collect(),
                at: id.at,
            });
        }
    }
    regions
}
