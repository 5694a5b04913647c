//! Owns the category taxonomies (data categories and data-subject categories): reading them
//! from YAML, checking that parents exist and that there is no cycle, and answering
//! "which categories is this one in" for the Cedar entity hierarchy.

use std::collections::HashMap;

use crate::problem::{suggestion, Code, Problem};
use crate::yaml::{Located, Node, Reader};

/// Which of the two taxonomies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Categories of personal data (`DataCategory`).
    Data,
    /// Categories of data subjects (`SubjectCategory`).
    Subject,
}

impl Kind {
    /// The register section that extends this taxonomy.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Data => "data_categories",
            Kind::Subject => "subject_categories",
        }
    }

    /// A noun for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Data => "data category",
            Kind::Subject => "data-subject category",
        }
    }
}

/// One category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its id.
    pub id: Located<String>,
    /// Its Dutch label, when given.
    pub label: Option<Located<String>>,
    /// Its English label, when given.
    pub label_en: Option<Located<String>>,
    /// Its W3C DPV term (`pd:Name`, `dpv:Employee`), when given.
    pub dpv: Option<Located<String>>,
    /// Its parents' ids.
    pub parents: Vec<Located<String>>,
}

/// A taxonomy: categories in a DAG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// Which taxonomy.
    pub kind: Kind,
    categories: Vec<Category>,
    /// Each id's category (the first, should one be defined twice).
    index: HashMap<String, usize>,
    /// For each category, every category it is in (itself included), sorted by id.
    closure: Vec<Vec<usize>>,
}

impl Taxonomy {
    /// An empty taxonomy.
    pub fn new(kind: Kind) -> Self {
        Taxonomy {
            kind,
            categories: Vec::new(),
            index: HashMap::new(),
            closure: Vec::new(),
        }
    }

    /// Every category, in the order defined.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Whether the id is defined.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The id of the category whose W3C DPV class is `class` (`pd:Name`; compared by local
    /// name, whatever the prefix or namespace).
    pub fn id_of_dpv(&self, class: &str) -> Option<&str> {
        let local = |term: &str| {
            let term = term.rsplit('#').next().unwrap_or(term);
            term.rsplit(':').next().unwrap_or(term).to_string()
        };
        let wanted = local(class);
        self.categories
            .iter()
            .find(|c| c.dpv.as_ref().is_some_and(|d| local(&d.value) == wanted))
            .map(|c| c.id.value.as_str())
    }

    /// The id of the category whose Dutch or English label is `label` (compared folded:
    /// lower case, single spaces), the first in taxonomy order.
    pub fn id_of_label(&self, label: &str) -> Option<&str> {
        let fold = |text: &str| {
            text.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let wanted = fold(label);
        self.categories
            .iter()
            .find(|c| {
                [&c.label, &c.label_en]
                    .into_iter()
                    .flatten()
                    .any(|l| fold(&l.value) == wanted)
            })
            .map(|c| c.id.value.as_str())
    }

    /// The category with this id.
    pub fn get(&self, id: &str) -> Option<&Category> {
        self.index.get(id).and_then(|&i| self.categories.get(i))
    }

    /// Every category `id` is in, itself included, sorted by id.
    pub fn ancestors(&self, id: &str) -> impl Iterator<Item = &str> {
        self.index
            .get(id)
            .and_then(|&i| self.closure.get(i))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.categories.get(i).map(|c| c.id.value.as_str()))
    }

    /// The DPV term of a category: its own, else the nearest ancestor's (breadth first, in
    /// the order parents are written), so a register's own category inherits one.
    pub fn dpv_term(&self, id: &str) -> Option<&str> {
        let mut queue = std::collections::VecDeque::from([id]);
        let mut seen = Vec::new();
        while let Some(next) = queue.pop_front() {
            if seen.contains(&next) {
                continue;
            }
            seen.push(next);
            let category = self.get(next)?;
            if let Some(term) = &category.dpv {
                return Some(term.value.as_str());
            }
            queue.extend(category.parents.iter().map(|p| p.value.as_str()));
        }
        None
    }

    /// A category's label in a language: Dutch `label` or English `label_en`, else its id.
    pub fn label(&self, id: &str, english: bool) -> String {
        let category = self.get(id);
        // In the language asked for, else in the other (a category of the register's own
        // often has only its Dutch `label`), else its id.
        let label = category.and_then(|c| {
            if english {
                c.label_en.as_ref().or(c.label.as_ref())
            } else {
                c.label.as_ref().or(c.label_en.as_ref())
            }
        });
        label.map_or_else(|| id.to_string(), |l| l.value.clone())
    }

    /// Whether `id` is `ancestor` or lies below it.
    pub fn is_in(&self, id: &str, ancestor: &str) -> bool {
        self.ancestors(id).any(|a| a == ancestor)
    }

    /// How a label names membership of a category: "in `location` (locatiegegevens)".
    pub fn noun_phrase(&self, id: &str, lang: crate::lang::Lang) -> String {
        let category = self.index.get(id).and_then(|&i| self.categories.get(i));
        let label = category.and_then(|c| c.label.as_ref());
        match label {
            Some(label) => format!("{} `{id}` ({})", lang.pick("in", "onder"), label.value),
            None => format!("{} `{id}`", lang.pick("in", "onder")),
        }
    }

    /// A problem for an id that is not defined, with a suggestion.
    pub fn unknown(&self, id: &Located<String>) -> Problem {
        let help = suggestion(&id.value, self.index.keys().map(String::as_str))
            .map(|s| {
                format!(
                    "{s} (or add it under `{}:` with a parent)",
                    self.kind.section()
                )
            })
            .unwrap_or_else(|| {
                format!(
                    "use a {} from policies/taxonomy.yaml, or define it under `{}:` with a parent",
                    self.kind.noun(),
                    self.kind.section()
                )
            });
        Problem::at(
            Code::UnknownCategory,
            id.at,
            format!("unknown {} `{}`", self.kind.noun(), id.value),
        )
        .label("not in the taxonomy")
        .help(help)
    }

    /// Adds categories; with `need_parent` (a register's own), each must name at least one
    /// parent, and one the taxonomy already has merges into it: its parents join the
    /// existing ones, so a pack that gains a category never breaks a register that had it.
    /// An id given twice in one call is a problem. Parents and cycles are checked by
    /// [`Taxonomy::finish`].
    pub fn extend(
        &mut self,
        categories: Vec<Category>,
        need_parent: bool,
        problems: &mut Vec<Problem>,
    ) {
        let before = self.categories.len();
        for category in categories {
            let existing = self.index.get(&category.id.value).copied();
            if let Some(known) = existing.filter(|&i| need_parent && i < before) {
                if let Some(merged) = self.categories.get_mut(known) {
                    for parent in category.parents {
                        if !merged.parents.iter().any(|p| p.value == parent.value) {
                            merged.parents.push(parent);
                        }
                    }
                }
                continue;
            }
            if let Some(first) = existing {
                let mut problem = Problem::at(
                    Code::DuplicateId,
                    category.id.at,
                    format!(
                        "{} `{}` is defined twice",
                        self.kind.noun(),
                        category.id.value
                    ),
                )
                .label("defined again here");
                if let Some(previous) = self.categories.get(first) {
                    problem = problem.note(previous.id.at, "first defined here");
                }
                problems.push(problem);
                continue;
            }
            if need_parent && category.parents.is_empty() {
                problems.push(
                    Problem::at(
                        Code::MissingKey,
                        category.id.at,
                        format!("{} `{}` has no parent", self.kind.noun(), category.id.value),
                    )
                    .label("needs `parents`")
                    .help("name at least one taxonomy category as a parent, so every rule still applies to it"),
                );
            }
            self.index
                .insert(category.id.value.clone(), self.categories.len());
            self.categories.push(category);
        }
    }

    /// Checks parents and cycles, then computes every category's ancestors.
    pub fn finish(&mut self, problems: &mut Vec<Problem>) {
        let mut parents: Vec<Vec<usize>> = Vec::with_capacity(self.categories.len());
        for category in &self.categories {
            let mut resolved = Vec::new();
            for parent in &category.parents {
                match self.index.get(&parent.value) {
                    Some(&i) => resolved.push(i),
                    None => problems.push(self.unknown(parent)),
                }
            }
            parents.push(resolved);
        }
        // Depth-first walk with colours to find cycles and build each closure once.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let n = self.categories.len();
        let mut marks = vec![Mark::New; n];
        let mut closure: Vec<Vec<usize>> = vec![Vec::new(); n];
        for start in 0..n {
            if marks.get(start) != Some(&Mark::New) {
                continue;
            }
            // Explicit stack of (node, next parent index) to avoid recursion on deep chains.
            let mut stack = vec![(start, 0usize)];
            if let Some(m) = marks.get_mut(start) {
                *m = Mark::Active;
            }
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let node_parents = parents.get(node).map(Vec::as_slice).unwrap_or(&[]);
                if let Some(&parent) = node_parents.get(*next) {
                    *next += 1;
                    match marks.get(parent).copied() {
                        Some(Mark::New) => {
                            if let Some(m) = marks.get_mut(parent) {
                                *m = Mark::Active;
                            }
                            stack.push((parent, 0));
                        }
                        Some(Mark::Active) => {
                            if let Some(category) = self.categories.get(node) {
                                let parent_id = self
                                    .categories
                                    .get(parent)
                                    .map_or("", |c| c.id.value.as_str());
                                let at = category
                                    .parents
                                    .iter()
                                    .find(|p| p.value == parent_id)
                                    .map_or(category.id.at, |p| p.at);
                                problems.push(
                                    Problem::at(
                                        Code::TaxonomyCycle,
                                        at,
                                        format!(
                                            "{} `{}` is its own ancestor through `{parent_id}`",
                                            self.kind.noun(),
                                            category.id.value
                                        ),
                                    )
                                    .label("this parent closes a cycle"),
                                );
                            }
                        }
                        Some(Mark::Done) | None => {}
                    }
                } else {
                    stack.pop();
                    let mut all = vec![node];
                    for &parent in node_parents {
                        if let Some(c) = closure.get(parent) {
                            all.extend_from_slice(c);
                        }
                    }
                    all.sort_unstable();
                    all.dedup();
                    if let Some(slot) = closure.get_mut(node) {
                        *slot = all;
                    }
                    if let Some(m) = marks.get_mut(node) {
                        *m = Mark::Done;
                    }
                }
            }
        }
        let categories = &self.categories;
        for c in &mut closure {
            c.sort_by(|&a, &b| {
                let id = |i: usize| categories.get(i).map_or("", |c| c.id.value.as_str());
                id(a).cmp(id(b))
            });
        }
        self.closure = closure;
    }
}

/// Reads a list of `{id, label, label_en, parents}` categories.
pub fn read_categories(reader: &mut Reader<'_>, node: &Node, kind: Kind) -> Vec<Category> {
    let mut categories = Vec::new();
    for item in reader.list(node, kind.section()) {
        let Some(mut fields) = reader.fields(item, "a category") else {
            continue;
        };
        let id = fields
            .require(reader, "id")
            .and_then(|n| reader.text(n, "a category id"));
        let label = fields.get("label").and_then(|n| reader.text(n, "label"));
        let label_en = fields
            .get("label_en")
            .and_then(|n| reader.text(n, "label_en"));
        let dpv = fields.get("dpv").and_then(|n| reader.text(n, "dpv"));
        let parents = fields
            .get("parents")
            .map(|n| reader.text_list(n, "parents"))
            .unwrap_or_default();
        fields.finish(reader);
        if let Some(term) = dpv.as_ref().filter(|t| !is_dpv_term(&t.value)) {
            reader.report(
                Problem::at(
                    Code::InvalidValue,
                    term.at,
                    format!("`{}` is not a DPV term", term.value),
                )
                .label("expected `pd:Term` or `dpv:Term`")
                .help("name a class of the W3C Data Privacy Vocabulary, e.g. `pd:Name` or `dpv:Employee`"),
            );
        }
        let Some(id) = id else { continue };
        if !is_snake_case(&id.value) {
            reader.report(
                Problem::at(
                    Code::InvalidValue,
                    id.at,
                    format!("category id `{}` is not snake_case", id.value),
                )
                .label("use lowercase letters, digits and `_`"),
            );
            continue;
        }
        categories.push(Category {
            id,
            label,
            label_en,
            dpv,
            parents,
        });
    }
    categories
}

/// `pd:Term` or `dpv:Term`: a class of the W3C Data Privacy Vocabulary by its usual prefix.
fn is_dpv_term(text: &str) -> bool {
    let Some((prefix, term)) = text.split_once(':') else {
        return false;
    };
    matches!(prefix, "pd" | "dpv")
        && term.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && term.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `lower_snake_case`, the form of category ids.
pub fn is_snake_case(id: &str) -> bool {
    crate::register::vocab::is_identifier(id, '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Location, SourceMap, Span};
    use std::path::Path;

    fn located(map_file: crate::source::FileId, id: &str, offset: usize) -> Located<String> {
        Located {
            value: id.to_string(),
            at: Location {
                file: map_file,
                span: Span::new(offset, id.len()),
            },
        }
    }

    fn taxonomy(edges: &[(&str, &[&str])]) -> (Taxonomy, Vec<Problem>) {
        let mut map = SourceMap::new();
        let file = map.add(Path::new("t"), String::new());
        let categories = edges
            .iter()
            .enumerate()
            .map(|(i, (id, parents))| Category {
                id: located(file, id, i),
                label: None,
                label_en: None,
                dpv: None,
                parents: parents.iter().map(|p| located(file, p, i)).collect(),
            })
            .collect();
        let mut problems = Vec::new();
        let mut t = Taxonomy::new(Kind::Data);
        t.extend(categories, false, &mut problems);
        t.finish(&mut problems);
        (t, problems)
    }

    #[test]
    fn a_category_without_a_dpv_term_takes_its_nearest_parents() {
        let mut map = SourceMap::new();
        let file = map.add(Path::new("t"), String::new());
        let category = |id: &str, dpv: Option<&str>, parents: &[&str]| Category {
            id: located(file, id, 0),
            label: None,
            label_en: None,
            dpv: dpv.map(|d| located(file, d, 0)),
            parents: parents.iter().map(|p| located(file, p, 0)).collect(),
        };
        let mut problems = Vec::new();
        let mut t = Taxonomy::new(Kind::Data);
        t.extend(
            vec![
                category("personal_data", Some("dpv:PersonalData"), &[]),
                category("location", Some("pd:Location"), &["personal_data"]),
                category("gps_position", Some("pd:GPSCoordinate"), &["location"]),
                category("behavioural", None, &["personal_data"]),
                // A register's own: no term, two parents; the first written that has one wins.
                category("own_trace", None, &["behavioural", "gps_position"]),
            ],
            false,
            &mut problems,
        );
        t.finish(&mut problems);
        assert!(problems.is_empty());
        assert_eq!(t.dpv_term("gps_position"), Some("pd:GPSCoordinate"));
        assert_eq!(t.dpv_term("behavioural"), Some("dpv:PersonalData"));
        // Breadth first: gps_position (one step) before personal_data (two steps).
        assert_eq!(t.dpv_term("own_trace"), Some("pd:GPSCoordinate"));
        assert_eq!(t.dpv_term("unknown"), None);
        assert!(is_dpv_term("pd:Name") && is_dpv_term("dpv:Employee"));
        assert!(!is_dpv_term("pd:name") && !is_dpv_term("foo:Name") && !is_dpv_term("Name"));
    }

    #[test]
    fn ancestors_follow_every_parent_of_a_dag() {
        let (t, problems) = taxonomy(&[
            ("personal_data", &[]),
            ("location", &["personal_data"]),
            ("behavioural", &["personal_data"]),
            ("location_history", &["location"]),
            ("trip_record", &["location_history", "behavioural"]),
        ]);
        assert!(problems.is_empty());
        let got: Vec<_> = t.ancestors("trip_record").collect();
        assert_eq!(
            got,
            [
                "behavioural",
                "location",
                "location_history",
                "personal_data",
                "trip_record"
            ]
        );
        assert!(t.is_in("trip_record", "location"));
        assert!(!t.is_in("location", "trip_record"));
    }

    #[test]
    fn cycles_and_unknown_parents_are_reported() {
        let (_, problems) = taxonomy(&[("a", &["b"]), ("b", &["a"]), ("c", &["nope"])]);
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert!(codes.contains(&Code::TaxonomyCycle), "{codes:?}");
        assert!(codes.contains(&Code::UnknownCategory), "{codes:?}");
    }
}
