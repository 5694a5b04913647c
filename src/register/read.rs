//! Owns reading one register file's node tree into typed sections: shape, keys and closed
//! vocabularies. Cross-file checks (references, duplicates, defaults) are `load`'s.

use std::collections::BTreeMap;

use super::vocab;
use super::{
    Activity, AiSystem, AutomatedDecision, BasisTerms, Controller, DataItem, Dpo, FieldSpans,
    JointArrangement, Organisation, Position, Purpose, Recipient, Recipients, Subprocessor,
    TextRecord, Transfer, Waiver, ITEM_RECORDS, TEXT_RECORDS,
};
use crate::problem::{suggestion, Code, Problem};
use crate::source::Location;
use crate::taxonomy::{read_categories, Category, Kind};
use crate::yaml::{Fields, Located, Node, Reader, Value};

/// What one file contributes to the register.
#[derive(Default)]
pub(super) struct FileSections {
    pub organisation: Option<(Location, Organisation)>,
    pub defaults: Option<(Location, Defaults)>,
    pub activities: Vec<Activity>,
    pub subprocessors: Vec<Subprocessor>,
    pub data_categories: Vec<Category>,
    pub subject_categories: Vec<Category>,
    pub waivers: Vec<Waiver>,
    pub positions: Vec<Position>,
}

/// Values every activity inherits unless it sets its own.
#[derive(Default)]
pub(super) struct Defaults {
    pub role: Option<Located<String>>,
    pub controllers: Option<Vec<Controller>>,
    pub security_measures: Option<Located<String>>,
    pub operations: Option<Vec<Located<String>>>,
    pub retention: Option<TextRecord>,
    pub fields: FieldSpans,
}

/// A mapping being read: its fields, the reader, and the spans of the fields read.
struct Record<'r, 'a, 'n> {
    reader: &'r mut Reader<'a>,
    fields: Fields<'n>,
    spans: FieldSpans,
}

impl<'r, 'a, 'n> Record<'r, 'a, 'n> {
    fn open(reader: &'r mut Reader<'a>, node: &'n Node, what: &'static str) -> Option<Self> {
        let fields = reader.fields(node, what)?;
        Some(Record {
            reader,
            fields,
            spans: FieldSpans::default(),
        })
    }

    /// [`Record::open`] for a mapping that may hold keys of the register's own: `x-` keys
    /// are kept in the file and never judged.
    fn open_extensible(
        reader: &'r mut Reader<'a>,
        node: &'n Node,
        what: &'static str,
    ) -> Option<Self> {
        let mut record = Record::open(reader, node, what)?;
        record.fields.allow_extensions();
        Some(record)
    }

    /// The location of the mapping's first key (a mapping's own span is a point).
    fn first_key(&self) -> Location {
        let node = self.fields.node();
        match &node.value {
            Value::Map(entries) => entries
                .first()
                .map_or(self.reader.at(node), |(k, _)| self.reader.at(k)),
            _ => self.reader.at(node),
        }
    }

    fn node(&mut self, key: &'static str) -> Option<&'n Node> {
        let (k, v) = self.fields.entry(key)?;
        let at = self.reader.field_span(k, v);
        self.spans.insert(key, at, false);
        Some(v)
    }

    fn text(&mut self, key: &'static str) -> Option<Located<String>> {
        let node = self.node(key)?;
        self.reader.text(node, &format!("`{key}`"))
    }

    fn required_text(&mut self, key: &'static str) -> Option<Located<String>> {
        let value = self.text(key);
        if value.is_none() && self.spans.get(key).is_none() {
            self.fields.require(self.reader, key);
        }
        value
    }

    fn text_list(&mut self, key: &'static str) -> Vec<Located<String>> {
        match self.node(key) {
            Some(node) => self.reader.text_list(node, &format!("`{key}`")),
            None => Vec::new(),
        }
    }

    fn list(&mut self, key: &'static str) -> &'n [Node] {
        match self.node(key) {
            Some(node) => self.reader.list(node, &format!("`{key}`")),
            None => &[],
        }
    }

    /// A text value that must be one of `allowed`.
    fn choice(&mut self, key: &'static str, allowed: &[&str]) -> Option<Located<String>> {
        let value = self.text(key)?;
        check_choice(self.reader, value, allowed, key)
    }

    fn finish(mut self) -> FieldSpans {
        self.fields.finish(self.reader);
        self.spans.shrink();
        self.spans
    }
}

fn check_choice(
    reader: &mut Reader<'_>,
    value: Located<String>,
    allowed: &[&str],
    what: &str,
) -> Option<Located<String>> {
    if allowed.contains(&value.value.as_str()) {
        return Some(value);
    }
    let help = suggestion(&value.value, allowed.iter().copied())
        .unwrap_or_else(|| format!("`{what}` is one of: {}", allowed.join(", ")));
    reader.report(
        Problem::at(
            Code::UnknownValue,
            value.at,
            format!("unknown {what} `{}`", value.value),
        )
        .label(format!("not a known {what}"))
        .help(help),
    );
    None
}

fn check_kebab_id(
    reader: &mut Reader<'_>,
    id: Located<String>,
    what: &str,
) -> Option<Located<String>> {
    if vocab::is_kebab_case(&id.value) {
        return Some(id);
    }
    let fixed: String = id
        .value
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut problem = Problem::at(
        Code::InvalidValue,
        id.at,
        format!("{what} id `{}` is not kebab-case", id.value),
    )
    .label("use lowercase letters, digits and `-`");
    if vocab::is_kebab_case(&fixed) {
        problem = problem.help(format!("did you mean `{fixed}`?"));
    }
    reader.report(problem);
    None
}

fn check_format(
    reader: &mut Reader<'_>,
    value: Option<Located<String>>,
    ok: fn(&str) -> bool,
    what: &str,
    example: &str,
) -> Option<Located<String>> {
    let value = value?;
    if ok(&value.value) {
        return Some(value);
    }
    reader.report(
        Problem::at(
            Code::InvalidValue,
            value.at,
            format!("`{}` is not {what}", value.value),
        )
        .label(format!("expected {what}"))
        .help(format!("for example `{example}`")),
    );
    None
}

/// A retention `period` that is not ISO 8601: words belong in `criterion`, and a number of
/// years, months, weeks or days at its start is offered as the period.
fn report_period(reader: &mut Reader<'_>, period: &Located<String>) {
    let text = period.value.trim();
    let iso = vocab::period_in_words(text);
    let example = match &iso {
        Some(iso) => format!("`retention: {{ period: {iso}, criterion: \"{text}\" }}`"),
        None => format!("`retention: {{ criterion: \"{text}\" }}`"),
    };
    reader.report(
        Problem::at(
            Code::InvalidValue,
            period.at,
            format!("`{text}` is not an ISO 8601 period"),
        )
        .label("expected an ISO 8601 period")
        .help(format!(
            "a period is written `P4W` (4 weeks), `P7Y` (7 years) or `P1Y6M`; the event it runs from, or words, go in `criterion`: {example}"
        )),
    );
}

/// A country code from the ISO 3166-1 list, or a problem with a suggestion.
fn check_country(
    reader: &mut Reader<'_>,
    value: Option<Located<String>>,
) -> Option<Located<String>> {
    let value = value?;
    if vocab::is_country_code(&value.value) {
        return Some(value);
    }
    let help = match vocab::country_suggestion(&value.value) {
        Some(code) => format!("did you mean `{code}`?"),
        None => "use the ISO 3166-1 alpha-2 code, for example `NL`, `US`, `GB`".to_string(),
    };
    reader.report(
        Problem::at(
            Code::InvalidValue,
            value.at,
            format!(
                "`{}` is not an ISO 3166-1 alpha-2 country code",
                value.value
            ),
        )
        .label("not a country code")
        .help(help),
    );
    None
}

/// Reads one file's root mapping.
pub(super) fn read_file(reader: &mut Reader<'_>, root: &Node) -> FileSections {
    let mut sections = FileSections::default();
    let Some(mut fields) = reader.fields(root, "a register file") else {
        return sections;
    };
    fields.allow_extensions();
    if let Some((key, node)) = fields.entry("organisation") {
        if let Some(org) = read_organisation(reader, node) {
            sections.organisation = Some((reader.at(key), org));
        }
    }
    if let Some((key, node)) = fields.entry("defaults") {
        if let Some(defaults) = read_defaults(reader, node) {
            sections.defaults = Some((reader.at(key), defaults));
        }
    }
    if let Some(node) = fields.get("activities") {
        for item in reader.list(node, "`activities`") {
            if let Some(activity) = read_activity(reader, item) {
                sections.activities.push(activity);
            }
        }
    }
    // The organisation's own processors and its sub-processors share one list and one id
    // space: which an entry is follows from who engaged it (see `Register::engagement`).
    for section in ["subprocessors", "processors"] {
        if let Some(node) = fields.get(section) {
            for item in reader.list(node, &format!("`{section}`")) {
                if let Some(sub) = read_subprocessor(reader, item) {
                    sections.subprocessors.push(sub);
                }
            }
        }
    }
    if let Some(node) = fields.get("data_categories") {
        sections.data_categories = read_categories(reader, node, Kind::Data);
    }
    if let Some(node) = fields.get("subject_categories") {
        sections.subject_categories = read_categories(reader, node, Kind::Subject);
    }
    if let Some(node) = fields.get("waivers") {
        for item in reader.list(node, "`waivers`") {
            if let Some(waiver) = read_waiver(reader, item) {
                sections.waivers.push(waiver);
            }
        }
    }
    if let Some(node) = fields.get("positions") {
        for item in reader.list(node, "`positions`") {
            if let Some(position) = read_position(reader, item) {
                sections.positions.push(position);
            }
        }
    }
    fields.finish(reader);
    sections
}

fn read_organisation(reader: &mut Reader<'_>, node: &Node) -> Option<Organisation> {
    let mut rec = Record::open(reader, node, "the organisation")?;
    let id = rec.required_text("id");
    let name = rec.required_text("name");
    let contact = rec.text("contact");
    let dpo = rec.node("dpo").and_then(|n| read_dpo(rec.reader, n));
    let public_authority = rec.choice("public_authority", &vocab::YES_NO);
    let participation_body = rec.choice("participation_body", &vocab::PARTICIPATION_BODIES);
    let public_service = rec.choice("public_service", &vocab::YES_NO);
    let fields = rec.finish();
    let id = check_kebab_id(reader, id?, "organisation")?;
    Some(Organisation {
        id,
        name: name?,
        contact,
        dpo,
        public_authority,
        participation_body,
        public_service,
        fields,
    })
}

fn read_dpo(reader: &mut Reader<'_>, node: &Node) -> Option<Dpo> {
    if let Value::Text(text) = &node.value {
        if text == vocab::NO_DPO {
            return Some(Dpo::NoneDesignated(reader.at(node)));
        }
        reader.report(
            Problem::at(Code::UnknownValue, reader.at(node), format!("unknown `dpo` value `{text}`"))
                .label("expected `{ name, contact }` or `none-designated`")
                .help(format!(
                    "write `dpo: {{ name: ..., contact: ... }}`, or `dpo: {}` when no DPO is designated",
                    vocab::NO_DPO
                )),
        );
        return None;
    }
    let mut rec = Record::open(reader, node, "the DPO")?;
    let name = rec.text("name");
    let contact = rec.text("contact");
    rec.finish();
    Some(Dpo::Designated { name, contact })
}

fn read_controllers(reader: &mut Reader<'_>, items: &[Node]) -> Vec<Controller> {
    let mut controllers = Vec::new();
    for item in items {
        let Some(mut rec) = Record::open(reader, item, "a controller") else {
            continue;
        };
        let name = rec.required_text("name");
        let contact = rec.text("contact");
        rec.finish();
        if let Some(name) = name {
            controllers.push(Controller { name, contact });
        }
    }
    controllers
}

fn read_operations(reader: &mut Reader<'_>, values: Vec<Located<String>>) -> Vec<Located<String>> {
    values
        .into_iter()
        .filter_map(|op| check_choice(reader, op, &vocab::OPERATIONS, "operation"))
        .collect()
}

fn read_text_record(
    reader: &mut Reader<'_>,
    node: &Node,
    name: &'static str,
) -> Option<TextRecord> {
    let keys = TEXT_RECORDS
        .iter()
        .chain(ITEM_RECORDS.iter())
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, keys)| *keys);
    let mut rec = Record::open(reader, node, name)?;
    let mut fields = Vec::new();
    for key in keys {
        if let Some(value) = rec.text(key) {
            fields.push((*key, value));
        }
    }
    rec.finish();
    let mut record = TextRecord { fields };
    if name == "special_category_condition" || name == "condition" {
        normalise_art9(reader, &mut record);
    }
    // Words of closed vocabularies in a record: checked on load.
    for (record_name, key, allowed) in [
        ("minimisation", "bsn_masked", &vocab::YES_NO[..]),
        ("works_council", "body", &vocab::PARTICIPATION_BODIES[..]),
        ("consent", "from", &vocab::CONSENT_FROM[..]),
        (
            "terminal_access",
            "basis",
            &vocab::TERMINAL_ACCESS_BASES[..],
        ),
        ("terminal_access", "third_party", &vocab::YES_NO[..]),
    ] {
        if name != record_name {
            continue;
        }
        if let Some(i) = record.fields.iter().position(|(k, _)| *k == key) {
            let (_, value) = record.fields.remove(i);
            if let Some(value) = check_choice(reader, value, allowed, key) {
                record.fields.insert(i, (key, value));
            }
        }
    }
    if name == "retention" {
        if let Some(period) = record.get("period").cloned() {
            if !vocab::is_iso_duration(&period.value) {
                report_period(reader, &period);
                record.fields.retain(|(k, _)| *k != "period");
            }
        }
    }
    Some(record)
}

/// Writes `special_category_condition.article` as its Art. 9(2) point (`9(2)(a)`), or
/// reports a value that is not one and drops it.
fn normalise_art9(reader: &mut Reader<'_>, record: &mut TextRecord) {
    let Some(i) = record.fields.iter().position(|(k, _)| *k == "article") else {
        return;
    };
    let Some((_, article)) = record.fields.get_mut(i) else {
        return;
    };
    if let Some(point) = vocab::art9_point(&article.value) {
        article.value = point.to_string();
        return;
    }
    let help = if article.value.trim_start().starts_with('6') || article.value.contains("6(1)") {
        format!(
            "`{}` is a legal basis of Art. 6(1), not a condition of Art. 9(2): name the Art. 9(2) \
             point, one of {}",
            article.value,
            vocab::ART9_POINTS.join(", ")
        )
    } else {
        suggestion(&article.value, vocab::ART9_POINTS).unwrap_or_else(|| {
            format!(
                "an Art. 9(2) condition is one of {}",
                vocab::ART9_POINTS.join(", ")
            )
        })
    };
    let problem = Problem::at(
        Code::UnknownValue,
        article.at,
        format!("`{}` is not an Art. 9(2) condition", article.value),
    )
    .label("not a point of Art. 9(2)")
    .help(help);
    reader.report(problem);
    record.fields.remove(i);
}

fn read_defaults(reader: &mut Reader<'_>, node: &Node) -> Option<Defaults> {
    let mut rec = Record::open(reader, node, "defaults")?;
    let role = rec.choice("role", &vocab::ROLES);
    let controllers = rec.node("controllers").map(|n| {
        let items = rec.reader.list(n, "`controllers`");
        read_controllers(rec.reader, items)
    });
    let security_measures = rec.text("security_measures");
    let operations = rec
        .node("operations")
        .map(|n| rec.reader.text_list(n, "`operations`"));
    let retention = rec
        .node("retention")
        .and_then(|n| read_text_record(rec.reader, n, "retention"));
    let fields = rec.finish();
    let operations = operations.map(|ops| read_operations(reader, ops));
    Some(Defaults {
        role,
        controllers,
        security_measures,
        operations,
        retention,
        fields,
    })
}

fn read_purposes(reader: &mut Reader<'_>, items: &[Node]) -> Vec<Purpose> {
    let mut purposes = Vec::new();
    for item in items {
        let Some(mut rec) = Record::open_extensible(reader, item, "a purpose") else {
            continue;
        };
        let id = rec.required_text("id");
        let text = rec.text("text");
        rec.finish();
        if let Some(id) = id.and_then(|id| check_kebab_id(reader, id, "purpose")) {
            purposes.push(Purpose { id, text });
        }
    }
    purposes
}

fn read_data_items(reader: &mut Reader<'_>, items: &[Node]) -> Vec<DataItem> {
    let mut data = Vec::new();
    for item in items {
        let Some(mut rec) = Record::open_extensible(reader, item, "a data item") else {
            continue;
        };
        let category = rec.required_text("category");
        let label = rec.text("label");
        let purposes = rec.text_list("purposes");
        let condition = rec
            .node("condition")
            .and_then(|n| read_text_record(rec.reader, n, "condition"));
        let fields = rec.finish();
        if let Some(category) = category {
            data.push(DataItem {
                category,
                label,
                purposes,
                condition,
                fields,
            });
        }
    }
    data
}

fn read_transfers(reader: &mut Reader<'_>, items: &[Node]) -> Vec<Transfer> {
    let mut transfers = Vec::new();
    for item in items {
        let Some(mut rec) = Record::open(reader, item, "a transfer") else {
            continue;
        };
        let to = rec.text("to");
        let country = rec.text("country");
        let mechanism = rec.choice("mechanism", &vocab::TRANSFER_MECHANISMS);
        let tia_ref = rec.text("tia_ref");
        let dpf_certified = rec.choice("dpf_certified", &vocab::YES_NO);
        let dpf_hr = rec.choice("dpf_hr", &vocab::YES_NO);
        let approval_ref = rec.text("approval_ref");
        let derogation_point = rec.choice("derogation_point", &vocab::DEROGATION_POINTS);
        let occasional_reason = rec.text("occasional_reason");
        let at = rec.first_key();
        let fields = rec.finish();
        let country = check_country(reader, country);
        transfers.push(Transfer {
            to,
            country,
            mechanism,
            tia_ref,
            dpf_certified,
            dpf_hr,
            approval_ref,
            derogation_point,
            occasional_reason,
            at,
            fields,
        });
    }
    transfers
}

/// The entries of `legal_basis`: a word (`contract`, `Overeenkomst`), or `{ basis, ref,
/// purposes }`.
fn read_legal_bases(
    reader: &mut Reader<'_>,
    items: &[Node],
) -> (Vec<Located<String>>, Vec<BasisTerms>) {
    let mut words = Vec::new();
    let mut terms = Vec::new();
    for item in items {
        if let Value::Map(_) = item.value {
            let Some(mut rec) = Record::open(reader, item, "a legal basis") else {
                continue;
            };
            let basis = rec.required_text("basis");
            let reference = rec.text("ref");
            let purposes = rec.text_list("purposes");
            rec.finish();
            if let Some(basis) = basis {
                words.push(basis);
                terms.push(BasisTerms {
                    reference,
                    purposes,
                });
            }
        } else if let Some(word) = reader.text(item, "a legal basis") {
            words.push(word);
            terms.push(BasisTerms::default());
        }
    }
    let mut bases = Vec::new();
    let mut kept = Vec::new();
    for (word, terms) in words.into_iter().zip(terms) {
        match vocab::legal_basis(&word.value) {
            Some(id) => {
                bases.push(Located {
                    value: id.to_string(),
                    at: word.at,
                });
                kept.push(terms);
            }
            None => {
                let help =
                    suggestion(&word.value, vocab::legal_basis_words()).unwrap_or_else(|| {
                        format!("a legal basis is one of: {}", vocab::LEGAL_BASES.join(", "))
                    });
                reader.report(
                    Problem::at(
                        Code::UnknownValue,
                        word.at,
                        format!("unknown legal basis `{}`", word.value),
                    )
                    .label("not a legal basis of Art. 6(1)")
                    .help(help),
                );
            }
        }
    }
    (bases, kept)
}

fn read_activity(reader: &mut Reader<'_>, node: &Node) -> Option<Activity> {
    let mut rec = Record::open_extensible(reader, node, "an activity")?;
    let id = rec.required_text("id");
    let name = rec.text("name");
    let systems = rec.text_list("systems");
    let role = rec.choice("role", &vocab::ROLES);
    let controllers = {
        let items = rec.list("controllers");
        read_controllers(rec.reader, items)
    };
    let operations = rec.text_list("operations");
    let data_subjects = rec.text_list("data_subjects");
    let data = {
        let items = rec.list("data");
        read_data_items(rec.reader, items)
    };
    let purposes = {
        let items = rec.list("purposes");
        read_purposes(rec.reader, items)
    };
    let legal_basis = rec.list("legal_basis");
    let owner = rec.text("owner");
    let reviewed_on = rec.text("reviewed_on");
    let legitimate_interest_assessment = rec.text("legitimate_interest_assessment");
    let security_measures = rec.text("security_measures");
    let expected_special_categories = rec.choice(
        "expected_special_categories",
        &vocab::EXPECTED_SPECIAL_CATEGORIES,
    );
    let mut records = BTreeMap::new();
    for (name, _) in TEXT_RECORDS {
        if let Some(node) = rec.node(name) {
            if let Some(record) = read_text_record(rec.reader, node, name) {
                records.insert(name, record);
            }
        }
    }
    // The entries the activity references, by either list's name.
    let mut subprocessors = rec.text_list("subprocessors");
    subprocessors.extend(rec.text_list("processors"));
    let transfers = {
        let items = rec.list("transfers");
        read_transfers(rec.reader, items)
    };
    let recipients = rec
        .node("recipients")
        .map(|n| read_recipients(rec.reader, n))
        .unwrap_or_default();
    let large_scale = rec.choice("large_scale", &vocab::YES_NO);
    let profiling = rec.choice("profiling", &vocab::YES_NO);
    let automated_decision = rec
        .node("automated_decision")
        .and_then(|n| read_automated_decision(rec.reader, n));
    let human_involvement = rec.text("human_involvement");
    let previous_ids = rec.text_list("previous_ids");
    let ai_system = rec
        .node("ai_system")
        .and_then(|n| read_ai_system(rec.reader, n));
    let joint_arrangement = rec
        .node("joint_arrangement")
        .and_then(|n| read_joint_arrangement(rec.reader, n));
    // Rules read the purposes' texts as one normalised text; a label on it shows `purposes`.
    if let Some(span) = rec.spans.get("purposes") {
        rec.spans
            .insert_as("purposes_text", "purposes", span.at, false);
        rec.spans
            .insert_as("purpose_words", "purposes", span.at, false);
    }
    // The other attributes ropa derives from a field show that field.
    for (derived, field) in [
        ("name_words", "name"),
        ("name_words", "systems"),
        ("reason_words", "dpia"),
        ("reason_words", "inference"),
        ("recipients_uncovered", "recipients"),
    ] {
        if rec.spans.get(derived).is_none() {
            if let Some(span) = rec.spans.get(field) {
                rec.spans.insert_as(derived, field, span.at, false);
            }
        }
    }
    let fields = rec.finish();
    let operations = read_operations(reader, operations);
    let (legal_basis, legal_basis_terms) = read_legal_bases(reader, legal_basis);
    let reviewed_on = check_format(
        reader,
        reviewed_on,
        vocab::is_date,
        "a date (YYYY-MM-DD)",
        "2026-09-01",
    );
    let id = check_kebab_id(reader, id?, "activity")?;
    Some(Activity {
        id,
        name,
        systems,
        role,
        controllers,
        operations,
        data_subjects,
        data,
        purposes,
        legal_basis,
        owner,
        reviewed_on,
        legal_basis_terms,
        legitimate_interest_assessment,
        security_measures,
        expected_special_categories,
        records,
        subprocessors,
        transfers,
        recipients,
        large_scale,
        profiling,
        automated_decision,
        human_involvement,
        ai_system,
        joint_arrangement,
        previous_ids,
        fields,
    })
}

/// `automated_decision: no`, or `{ exception, safeguards, ref }`.
fn read_automated_decision(reader: &mut Reader<'_>, node: &Node) -> Option<AutomatedDecision> {
    if let Value::Text(text) = &node.value {
        if text == "no" {
            return Some(AutomatedDecision::No(reader.at(node)));
        }
        reader.report(
            Problem::at(
                Code::UnknownValue,
                reader.at(node),
                format!("unknown `automated_decision` value `{text}`"),
            )
            .label("expected `no` or a mapping")
            .help(
                "write `automated_decision: no` when no decision is based solely on automated \
                 processing, or `automated_decision: { exception: contract|law|explicit_consent, \
                 safeguards: ..., ref: ... }`",
            ),
        );
        return None;
    }
    let mut rec = Record::open(reader, node, "`automated_decision`")?;
    let exception = rec.choice("exception", &vocab::AUTOMATED_DECISION_EXCEPTIONS);
    let safeguards = rec.text("safeguards");
    let reference = rec.text("ref");
    let explanation_ref = rec.text("explanation_ref");
    rec.finish();
    Some(AutomatedDecision::Declared {
        exception,
        safeguards,
        reference,
        explanation_ref,
    })
}

/// `ai_system: no`, or `{ name, role, annex_iii, ... }` (AI Act).
fn read_ai_system(reader: &mut Reader<'_>, node: &Node) -> Option<AiSystem> {
    if let Value::Text(text) = &node.value {
        if text == "no" {
            return Some(AiSystem::No(reader.at(node)));
        }
        reader.report(
            Problem::at(
                Code::UnknownValue,
                reader.at(node),
                format!("unknown `ai_system` value `{text}`"),
            )
            .label("expected `no` or a mapping")
            .help(
                "write `ai_system: no` when the activity uses no AI system, or `ai_system: { \
                 name: ..., role: deployer|provider, annex_iii: none|4(a)|5(b)|..., \
                 interacts_with_people: yes|no }`",
            ),
        );
        return None;
    }
    let mut rec = Record::open(reader, node, "`ai_system`")?;
    let mut fields = Vec::new();
    for key in crate::register::AI_SYSTEM_FIELDS {
        let value = match key {
            "role" => rec.choice(key, &vocab::AI_ROLES),
            "interacts_with_people" => rec.choice(key, &vocab::YES_NO),
            "art5_exception" => rec.choice(key, &vocab::AI_ART5_EXCEPTIONS),
            _ => rec.text(key),
        };
        if let Some(value) = value {
            fields.push((key, value));
        }
    }
    rec.finish();
    // `annex_iii`: a point of the annex in any usual spelling, written as `4(a)`.
    if let Some(i) = fields.iter().position(|(k, _)| *k == "annex_iii") {
        if let Some((_, value)) = fields.get_mut(i) {
            match vocab::annex_iii_point(&value.value) {
                Some(point) => value.value = point.to_string(),
                None => {
                    let problem = Problem::at(
                        Code::UnknownValue,
                        value.at,
                        format!("`{}` is not a point of AI Act Annex III", value.value),
                    )
                    .label("not a point of Annex III")
                    .help(
                        "write `none`, or the point: 1(a)-1(c), 2, 3(a)-3(d), 4(a)-4(b), \
                         5(a)-5(d), 6(a)-6(e), 7(a)-7(d), 8(a)-8(b) (`Annex III 4(a)` reads \
                         as `4(a)`)",
                    );
                    reader.report(problem);
                    fields.remove(i);
                }
            }
        }
    }
    Some(AiSystem::Declared(TextRecord { fields }))
}

/// `joint_arrangement: { ref, controllers }`.
fn read_joint_arrangement(reader: &mut Reader<'_>, node: &Node) -> Option<JointArrangement> {
    let mut rec = Record::open(reader, node, "`joint_arrangement`")?;
    let reference = rec.text("ref");
    let controllers = {
        let items = rec.list("controllers");
        read_controllers(rec.reader, items)
    };
    rec.finish();
    Some(JointArrangement {
        reference,
        controllers,
    })
}

/// `recipients: none`, or a list of `{ category, name?, country? }`.
fn read_recipients(reader: &mut Reader<'_>, node: &Node) -> Recipients {
    if let Value::Text(text) = &node.value {
        if text == vocab::NO_RECIPIENTS {
            return Recipients::NoneDeclared(reader.at(node));
        }
        reader.report(
            Problem::at(
                Code::UnknownValue,
                reader.at(node),
                format!("unknown `recipients` value `{text}`"),
            )
            .label("expected a list or `none`")
            .help("write `recipients: [{ category: ..., country: ... }]`, or `recipients: none`"),
        );
        return Recipients::Unstated;
    }
    let mut recipients = Vec::new();
    for item in reader.list(node, "`recipients`") {
        let Some(mut rec) = Record::open(reader, item, "a recipient") else {
            continue;
        };
        let category = rec.required_text("category");
        let name = rec.text("name");
        let country = rec.text("country");
        rec.finish();
        let country = check_country(reader, country);
        let Some(category) = category else { continue };
        if category.value.trim().is_empty() {
            reader.report(
                Problem::at(
                    Code::InvalidValue,
                    category.at,
                    "a recipient's `category` is empty",
                )
                .label("empty")
                .help("name the category of recipients, e.g. `Belastingdienst` or `accountant`"),
            );
            continue;
        }
        recipients.push(Recipient {
            category,
            name,
            country,
        });
    }
    if recipients.is_empty() {
        Recipients::Unstated
    } else {
        Recipients::Listed(recipients)
    }
}

fn read_subprocessor(reader: &mut Reader<'_>, node: &Node) -> Option<Subprocessor> {
    let mut rec = Record::open_extensible(reader, node, "a processor")?;
    let id = rec.required_text("id");
    let name = rec.text("name");
    let kind = rec.required_text("kind");
    let country = rec.text("country");
    let dpa_ref = rec.text("dpa_ref");
    let authorisation = rec.choice("authorisation", &vocab::AUTHORISATIONS);
    let notified_on = rec.text("notified_on");
    let transfer_mechanism = rec.choice("transfer_mechanism", &vocab::TRANSFER_MECHANISMS);
    let tia_ref = rec.text("tia_ref");
    let dpf_certified = rec.choice("dpf_certified", &vocab::YES_NO);
    let dpf_hr = rec.choice("dpf_hr", &vocab::YES_NO);
    let approval_ref = rec.text("approval_ref");
    let engaged_by = rec.text("engaged_by");
    let fields = rec.finish();
    let kind = kind
        .and_then(|k| check_choice(reader, k, &vocab::SUBPROCESSOR_KINDS, "sub-processor kind"));
    let country = check_country(reader, country);
    let notified_on = check_format(
        reader,
        notified_on,
        vocab::is_date,
        "a date (YYYY-MM-DD)",
        "2026-01-05",
    );
    let id = check_kebab_id(reader, id?, "sub-processor")?;
    Some(Subprocessor {
        id,
        name,
        kind: kind?,
        country,
        dpa_ref,
        authorisation,
        notified_on,
        transfer_mechanism,
        tia_ref,
        dpf_certified,
        dpf_hr,
        approval_ref,
        engaged_by,
        fields,
    })
}

fn read_waiver(reader: &mut Reader<'_>, node: &Node) -> Option<Waiver> {
    let mut rec = Record::open(reader, node, "a waiver")?;
    let rule = rec.required_text("rule");
    let activity = rec.required_text("activity");
    let target = rec.text("target");
    let reason = rec.required_text("reason");
    let approved_by = rec.required_text("approved_by");
    let expires = rec.required_text("expires");
    let reference = rec.text("ref");
    rec.finish();
    let expires = check_format(
        reader,
        expires,
        vocab::is_date,
        "a date (YYYY-MM-DD)",
        "2027-06-30",
    );
    Some(Waiver {
        rule: rule?,
        activity: activity?,
        target,
        reason: reason?,
        approved_by: approved_by?,
        expires: expires?,
        reference,
    })
}

fn read_position(reader: &mut Reader<'_>, node: &Node) -> Option<Position> {
    let mut rec = Record::open(reader, node, "a position")?;
    let rule = rec.required_text("rule");
    let activity = rec.text("activity");
    let target = rec.text("target");
    let reasoning = rec.required_text("reasoning");
    let approved_by = rec.required_text("approved_by");
    let decided_on = rec.required_text("decided_on");
    let reviewed_on = rec.required_text("reviewed_on");
    let reference = rec.text("ref");
    rec.finish();
    let mut date = |value| {
        check_format(
            reader,
            value,
            vocab::is_date,
            "a date (YYYY-MM-DD)",
            "2026-03-01",
        )
    };
    let decided_on = date(decided_on);
    let reviewed_on = date(reviewed_on);
    Some(Position {
        rule: rule?,
        activity,
        target,
        reasoning: reasoning?,
        approved_by: approved_by?,
        decided_on: decided_on?,
        reviewed_on: reviewed_on?,
        reference,
    })
}
