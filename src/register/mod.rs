//! Owns the typed register of processing activities: what a loaded, checked register holds.
//! `load` reads it from YAML files; everything downstream reads only these types.

pub mod load;
pub mod names;
mod read;
pub mod vocab;

use std::collections::BTreeMap;

use crate::source::{FileId, Location};
use crate::taxonomy::Taxonomy;
use crate::yaml::Located;

/// Where each field of a record was written, by field name. A label on a field the rule
/// reads looks its name up here. Inherited fields point at the `defaults` entry.
///
/// A short list, not a map: a record has a handful of fields, and a register has a record
/// per data item (a map's smallest node is several times the size of the whole list).
#[derive(Debug, Clone, Default)]
pub struct FieldSpans(Vec<(&'static str, FieldSpan)>);

/// Where one field was written.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpan {
    /// The key and, when on one line, its value.
    pub at: Location,
    /// Whether the value comes from `defaults`.
    pub inherited: bool,
    /// The key as the register writes it (an attribute derived from a field, such as
    /// `purposes_text`, shows the field it comes from).
    pub key: &'static str,
}

impl FieldSpans {
    /// Records a field (again: replaces it).
    pub fn insert(&mut self, name: &'static str, at: Location, inherited: bool) {
        self.insert_as(name, name, at, inherited);
    }

    /// Records an attribute derived from the field written as `key`.
    pub fn insert_as(
        &mut self,
        name: &'static str,
        key: &'static str,
        at: Location,
        inherited: bool,
    ) {
        let span = FieldSpan { at, inherited, key };
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = span,
            None => self.0.push((name, span)),
        }
    }

    /// Where a field was written.
    pub fn get(&self, name: &str) -> Option<FieldSpan> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, span)| *span)
    }

    /// Frees unused capacity once the record is complete.
    pub fn shrink(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// The fields of [`TEXT_RECORDS`] that take a word of a closed vocabulary, not free text:
/// never counted as absent.
pub const CHOICE_FIELDS: [&str; 5] = ["bsn_masked", "body", "from", "basis", "third_party"];

/// The records of [`TEXT_RECORDS`] whose `ref` must name a statute (Art. 6(3), 9(2), 10, UAVG
/// art. 46): the entities say whether it does (`ref_is_statute`).
pub const STATUTE_RECORDS: [&str; 4] = [
    "special_category_condition",
    "condition",
    "criminal_data_basis",
    "national_id_basis",
];

/// The text records of a data item: its own Art. 9(2) condition.
pub const ITEM_RECORDS: [(&str, &[&str]); 1] = [("condition", &["article", "ref", "necessity"])];

/// Small records of optional text fields that rules test for presence, by field name. The
/// YAML key, the Cedar attribute and the schema's record all use these names.
pub const TEXT_RECORDS: [(&str, &[&str]); 13] = [
    ("special_category_condition", &["article", "ref"]),
    ("criminal_data_basis", &["ref"]),
    ("national_id_basis", &["ref"]),
    (
        "consent",
        &["withdrawal", "proof", "parental", "from", "verification"],
    ),
    ("retention", &["period", "criterion", "ref"]),
    (
        "dpia",
        &[
            "ref",
            "screening",
            "not_required_reason",
            "statutory_assessment",
        ],
    ),
    (
        "works_council",
        &["consent_ref", "not_applicable_reason", "body"],
    ),
    ("minimisation", &["justification", "bsn_masked"]),
    ("communications", &["justification", "notice"]),
    ("offence_use", &["statement"]),
    ("inference", &["statement"]),
    ("bias_assessment", &["ref", "necessity"]),
    ("terminal_access", &["basis", "third_party", "ref"]),
];

/// The fields of `ai_system:` (AI Act), in the order they are kept.
pub const AI_SYSTEM_FIELDS: [&str; 10] = [
    "name",
    "role",
    "annex_iii",
    "interacts_with_people",
    "disclosure",
    "fria_ref",
    "registration_ref",
    "workers_informed",
    "art5_exception",
    "exception_reason",
];

/// The fields of [`AI_SYSTEM_FIELDS`] that take a word of a closed vocabulary.
pub const AI_SYSTEM_CHOICES: [&str; 4] = [
    "role",
    "annex_iii",
    "interacts_with_people",
    "art5_exception",
];

/// A record of optional text fields (see [`TEXT_RECORDS`]).
#[derive(Debug, Clone, Default)]
pub struct TextRecord {
    /// The fields present, in [`TEXT_RECORDS`] order.
    pub fields: Vec<(&'static str, Located<String>)>,
}

impl TextRecord {
    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&Located<String>> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// The whole register.
#[derive(Debug, Clone)]
pub struct Register {
    /// The organisation that keeps it.
    pub organisation: Organisation,
    /// Every activity, in file and source order.
    pub activities: Vec<Activity>,
    /// Every sub-processor, in file and source order.
    pub subprocessors: Vec<Subprocessor>,
    /// The data-category taxonomy, with the register's own categories.
    pub data_categories: Taxonomy,
    /// The data-subject taxonomy, with the register's own categories.
    pub subject_categories: Taxonomy,
    /// Findings accepted on purpose, for a time.
    pub waivers: Vec<Waiver>,
    /// Reasoned positions: findings the organisation answers with a standing legal reading.
    pub positions: Vec<Position>,
    /// The files read, in order, each with whether it holds more than activities.
    pub files: Vec<RegisterFile>,
}

/// One file of a register, and whether it holds anything besides activities (the
/// organisation, defaults, sub-processors, categories or waivers): what every activity's
/// judgement may depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterFile {
    /// The file.
    pub file: FileId,
    /// Whether it holds a section other than `activities`.
    pub shared: bool,
}

impl Register {
    /// The sub-processor with this id.
    pub fn subprocessor(&self, id: &str) -> Option<&Subprocessor> {
        self.subprocessors.iter().find(|s| s.id.value == id)
    }
}

/// The organisation (Art. 30(1)(a), 30(2)(a)).
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Stable id.
    pub id: Located<String>,
    /// Legal name.
    pub name: Located<String>,
    /// How to reach it.
    pub contact: Option<Located<String>>,
    /// Its data protection officer.
    pub dpo: Option<Dpo>,
    /// `yes`: a public authority or body (Art. 6(1) second subparagraph, 37(1)(a)).
    pub public_authority: Option<Located<String>>,
    /// The employee participation body the works-council rules name (default `or`).
    pub participation_body: Option<Located<String>>,
    /// `yes`: a private entity providing public services (AI Act art. 27).
    pub public_service: Option<Located<String>>,
    /// Where each field was written.
    pub fields: FieldSpans,
}

/// The data protection officer.
#[derive(Debug, Clone)]
pub enum Dpo {
    /// `dpo: none-designated`.
    NoneDesignated(Location),
    /// `dpo: { name, contact }`.
    Designated {
        /// Name.
        name: Option<Located<String>>,
        /// How to reach them.
        contact: Option<Located<String>>,
    },
}

/// A controller on whose behalf a processor acts.
#[derive(Debug, Clone)]
pub struct Controller {
    /// Name.
    pub name: Located<String>,
    /// How to reach it.
    pub contact: Option<Located<String>>,
}

/// A purpose of an activity.
#[derive(Debug, Clone)]
pub struct Purpose {
    /// Stable id, referenced by data items.
    pub id: Located<String>,
    /// The purpose in the register's own words.
    pub text: Option<Located<String>>,
}

/// One kind of personal data an activity processes.
#[derive(Debug, Clone)]
pub struct DataItem {
    /// Taxonomy id.
    pub category: Located<String>,
    /// The register's own words.
    pub label: Option<Located<String>>,
    /// Purposes of the activity that explicitly cover this item.
    pub purposes: Vec<Located<String>>,
    /// The item's own Art. 9(2) condition (`{ article, ref, necessity }`); none: the
    /// activity's `special_category_condition` applies.
    pub condition: Option<TextRecord>,
    /// Where each field was written.
    pub fields: FieldSpans,
}

/// The Art. 30(1)(d) recipients of an activity.
#[derive(Debug, Clone, Default)]
pub enum Recipients {
    /// Not stated (or `recipients: []`).
    #[default]
    Unstated,
    /// `recipients: none`: stated that there are none.
    NoneDeclared(Location),
    /// Categories of recipients.
    Listed(Vec<Recipient>),
}

/// A category of recipients.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The category, in the register's words.
    pub category: Located<String>,
    /// A named recipient.
    pub name: Option<Located<String>>,
    /// ISO 3166 alpha-2 country, for a recipient in a third country.
    pub country: Option<Located<String>>,
}

/// A transfer outside the EEA.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Recipient.
    pub to: Option<Located<String>>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<Located<String>>,
    /// Transfer tool.
    pub mechanism: Option<Located<String>>,
    /// The transfer impact assessment.
    pub tia_ref: Option<Located<String>>,
    /// `yes` or `no`: certified under the EU-US Data Privacy Framework.
    pub dpf_certified: Option<Located<String>>,
    /// `yes` or `no`: the certification covers HR data.
    pub dpf_hr: Option<Located<String>>,
    /// The approval of the Art. 40(9) code or Art. 42 certification the transfer relies on.
    pub approval_ref: Option<Located<String>>,
    /// The Art. 49(1) point of a derogation.
    pub derogation_point: Option<Located<String>>,
    /// Why the transfer is occasional (Art. 49 derogations are for occasional transfers).
    pub occasional_reason: Option<Located<String>>,
    /// Where the transfer starts (its first key).
    pub at: Location,
    /// Where each field was written.
    pub fields: FieldSpans,
}

/// A processing activity.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Stable kebab-case id.
    pub id: Located<String>,
    /// The service as the register names it.
    pub name: Option<Located<String>>,
    /// Systems used.
    pub systems: Vec<Located<String>>,
    /// `controller`, `processor` or `joint_controller`.
    pub role: Option<Located<String>>,
    /// Controllers on whose behalf it is done.
    pub controllers: Vec<Controller>,
    /// Processing operations.
    pub operations: Vec<Located<String>>,
    /// Data-subject category ids.
    pub data_subjects: Vec<Located<String>>,
    /// Data items.
    pub data: Vec<DataItem>,
    /// Purposes.
    pub purposes: Vec<Purpose>,
    /// Canonical legal-basis ids, one per entry of `legal_basis`.
    pub legal_basis: Vec<Located<String>>,
    /// Who answers for the activity.
    pub owner: Option<Located<String>>,
    /// When it was last reviewed, `YYYY-MM-DD`.
    pub reviewed_on: Option<Located<String>>,
    /// Each entry's statute or document and the purposes it serves (in the order of
    /// `legal_basis`; a plain word has neither).
    pub legal_basis_terms: Vec<BasisTerms>,
    /// Reference to the legitimate-interest assessment.
    pub legitimate_interest_assessment: Option<Located<String>>,
    /// Art. 32 measures.
    pub security_measures: Option<Located<String>>,
    /// `yes`, `no` or `possible`.
    pub expected_special_categories: Option<Located<String>>,
    /// The text records of [`TEXT_RECORDS`] that are present, by name.
    pub records: BTreeMap<&'static str, TextRecord>,
    /// Sub-processor ids engaged.
    pub subprocessors: Vec<Located<String>>,
    /// Transfers outside the EEA.
    pub transfers: Vec<Transfer>,
    /// Art. 30(1)(d) recipients.
    pub recipients: Recipients,
    /// `yes` or `no`: processing on a large scale.
    pub large_scale: Option<Located<String>>,
    /// `yes` or `no`: Art. 4(4) profiling.
    pub profiling: Option<Located<String>>,
    /// Art. 22 decisions based solely on automated processing.
    pub automated_decision: Option<AutomatedDecision>,
    /// Who reviews an automated outcome, on what, and whether they can change it.
    pub human_involvement: Option<Located<String>>,
    /// `ai_system:` (AI Act).
    pub ai_system: Option<AiSystem>,
    /// The Art. 26 arrangement between joint controllers.
    pub joint_arrangement: Option<JointArrangement>,
    /// The ids the activity had before (`previous_ids`): against a base, its findings there
    /// under an old id are its own, not resolved and new again.
    pub previous_ids: Vec<Located<String>>,
    /// Where each field was written.
    pub fields: FieldSpans,
}

/// `automated_decision:` of an activity.
#[derive(Debug, Clone)]
pub enum AutomatedDecision {
    /// `automated_decision: no`: declared that there are none.
    No(Location),
    /// `automated_decision: { exception, safeguards, ref }`.
    Declared {
        /// `contract`, `law` or `explicit_consent` (Art. 22(2)).
        exception: Option<Located<String>>,
        /// The Art. 22(3) safeguards: human intervention, contesting the decision.
        safeguards: Option<Located<String>>,
        /// A reference to the documentation.
        reference: Option<Located<String>>,
        /// How the logic, procedure and principles are explained (Art. 15(1)(h)).
        explanation_ref: Option<Located<String>>,
    },
}

/// `ai_system:` of an activity.
#[derive(Debug, Clone)]
pub enum AiSystem {
    /// `ai_system: no`: declared that no AI system is used.
    No(Location),
    /// `ai_system: { name, role, annex_iii, ... }` ([`AI_SYSTEM_FIELDS`]).
    Declared(TextRecord),
}

/// `joint_arrangement:` of an activity.
#[derive(Debug, Clone)]
pub struct JointArrangement {
    /// The arrangement.
    pub reference: Option<Located<String>>,
    /// The other joint controllers.
    pub controllers: Vec<Controller>,
}

impl Activity {
    /// The role the rules judge the activity in: its own `role`, else the `defaults`' (both
    /// already in [`Activity::role`]), else `controller`, since the Art. 30(1) record is the
    /// controller's.
    pub fn effective_role(&self) -> &str {
        self.role
            .as_ref()
            .map_or(DEFAULT_ROLE, |r| r.value.as_str())
    }
}

/// The role of an activity that names none, in itself or in `defaults`.
pub const DEFAULT_ROLE: &str = "controller";

/// A sub-processor.
#[derive(Debug, Clone)]
pub struct Subprocessor {
    /// Stable id.
    pub id: Located<String>,
    /// Name.
    pub name: Option<Located<String>>,
    /// `named` or `category`.
    pub kind: Located<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<Located<String>>,
    /// The sub-processing agreement.
    pub dpa_ref: Option<Located<String>>,
    /// `general` or `specific`.
    pub authorisation: Option<Located<String>>,
    /// When controllers were told, `YYYY-MM-DD`.
    pub notified_on: Option<Located<String>>,
    /// Transfer tool when outside the EEA.
    pub transfer_mechanism: Option<Located<String>>,
    /// The transfer impact assessment.
    pub tia_ref: Option<Located<String>>,
    /// `yes` or `no`: certified under the EU-US Data Privacy Framework.
    pub dpf_certified: Option<Located<String>>,
    /// `yes` or `no`: the certification covers HR data.
    pub dpf_hr: Option<Located<String>>,
    /// The approval of the Art. 40(9) code or Art. 42 certification relied on.
    pub approval_ref: Option<Located<String>>,
    /// The processor (another entry) that engaged this one: it is a sub-processor then,
    /// whoever references it.
    pub engaged_by: Option<Located<String>>,
    /// Where each field was written.
    pub fields: FieldSpans,
}

/// What a `legal_basis` entry written as `{ basis, ref, purposes }` adds to its basis.
#[derive(Debug, Clone, Default)]
pub struct BasisTerms {
    /// The Art. 6(3) statute, or a document.
    pub reference: Option<Located<String>>,
    /// The purposes (ids of the activity's) the basis serves; none written: all of them.
    pub purposes: Vec<Located<String>>,
}

/// A reasoned position: the organisation's standing answer to a rule that accepts one
/// (`@accepts_position`). It has no expiry; it is reviewed (`reviewed_on`) and always shown.
#[derive(Debug, Clone)]
pub struct Position {
    /// Rule id.
    pub rule: Located<String>,
    /// Activity id; none: the position answers an organisation finding.
    pub activity: Option<Located<String>>,
    /// A data item's category, a subject category or an entry id.
    pub target: Option<Located<String>>,
    /// The legal reasoning.
    pub reasoning: Located<String>,
    /// Who approved it.
    pub approved_by: Located<String>,
    /// When it was decided, `YYYY-MM-DD`.
    pub decided_on: Located<String>,
    /// When it was last reviewed, `YYYY-MM-DD`.
    pub reviewed_on: Located<String>,
    /// Reference to the decision.
    pub reference: Option<Located<String>>,
}

/// A finding accepted on purpose.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Rule id.
    pub rule: Located<String>,
    /// Activity id.
    pub activity: Located<String>,
    /// A data item's category or a sub-processor id.
    pub target: Option<Located<String>>,
    /// Why.
    pub reason: Located<String>,
    /// Who approved it.
    pub approved_by: Located<String>,
    /// Last day it holds, `YYYY-MM-DD`.
    pub expires: Located<String>,
    /// Reference to the decision.
    pub reference: Option<Located<String>>,
}
