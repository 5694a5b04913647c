//! Owns declarations: the claims in a register that can keep a rule quiet (a processor role,
//! `large_scale: no`, a statement, `recipients: none`, consent given by a parent, a waiver, a
//! position, a category of its own), where each is written, and which rules each silences:
//! the rules that fire with the claim at its neutral value and not as written.
//!
//! ropa cannot tell whether a declaration is true; it shows each one and what it silences,
//! so that a reviewer sees the claims the verdict rests on.

use std::collections::{BTreeMap, BTreeSet};

use crate::entities::Judging;
use crate::finding::Finding;
use crate::pipeline::judge_activities_by;
use crate::policy::PolicyPack;
use crate::problem::Problem;
use crate::register::{
    AiSystem, AutomatedDecision, Recipients, Register, Subprocessor, TextRecord, Transfer,
};
use crate::source::Location;
use crate::yaml::Located;

/// The longest `text` a declaration carries, in characters.
const TEXT_LIMIT: usize = 500;

/// One claim that can keep a rule quiet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// What kind of claim: `role_processor`, `large_scale_no`, `waiver`, ...
    pub kind: &'static str,
    /// The field as the register writes it (`role`, `dpia.screening`, `waivers`).
    pub field: String,
    /// The word written, for a yes/no or closed-vocabulary claim.
    pub value: Option<String>,
    /// The statement, reason or reasoning (its first 500 characters).
    pub text: Option<String>,
    /// The activity it is about (none: the organisation, an entry or a category).
    pub activity: Option<String>,
    /// The data item's category, the entry's id, the rule a waiver or position names, the
    /// category defined.
    pub target: Option<String>,
    /// Where it is written.
    pub at: Location,
    /// The rules it silences, sorted; `None` when not computed (a category of the
    /// register's own, or a report that does not show them).
    pub silenced: Option<Vec<String>>,
    /// How to put the claim at its neutral value.
    neutral: Neutral,
}

/// How a claim is put at its neutral value (indices into the register).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Neutral {
    /// The activity's role becomes `controller`.
    Role(usize),
    /// `large_scale: no` becomes `yes`.
    LargeScale(usize),
    /// `profiling: no` becomes `yes`.
    Profiling(usize),
    /// `automated_decision: no` is removed, with `human_involvement`.
    AutomatedDecision(usize),
    /// `ai_system: no` is removed, with `human_involvement`.
    AiSystem(usize),
    /// A field of the activity's `ai_system` block is removed.
    AiField(usize, &'static str),
    /// A field of one of the activity's transfers is removed (`occasional_reason`).
    TransferField(usize, usize, &'static str),
    /// `expected_special_categories: no` is removed.
    ExpectedSpecial(usize),
    /// `recipients: none` is removed.
    Recipients(usize),
    /// A field of one of the activity's text records is removed.
    RecordField(usize, &'static str, &'static str),
    /// The transfer's `dpf_certified: yes` or `dpf_hr: yes` becomes `no`.
    TransferDpf(usize, usize, DpfField),
    /// The entry's `dpf_certified: yes` or `dpf_hr: yes` becomes `no`.
    EntryDpf(usize, DpfField),
    /// The organisation's `public_authority: no` becomes `yes`.
    PublicAuthority,
    /// The organisation's `participation_body: none` becomes `or`.
    ParticipationBody,
    /// A waiver or position: what it covers is known without judging again.
    Covering,
    /// Not computed (a category of the register's own).
    Uncomputed,
}

impl Neutral {
    /// The activity a claim is judged on again; `None` for the whole register (the
    /// organisation, an entry) or none at all.
    fn activity(self) -> Option<usize> {
        match self {
            Neutral::Role(a)
            | Neutral::LargeScale(a)
            | Neutral::Profiling(a)
            | Neutral::AutomatedDecision(a)
            | Neutral::AiSystem(a)
            | Neutral::AiField(a, _)
            | Neutral::TransferField(a, ..)
            | Neutral::ExpectedSpecial(a)
            | Neutral::Recipients(a)
            | Neutral::RecordField(a, ..)
            | Neutral::TransferDpf(a, ..) => Some(a),
            Neutral::EntryDpf(..)
            | Neutral::PublicAuthority
            | Neutral::ParticipationBody
            | Neutral::Covering
            | Neutral::Uncomputed => None,
        }
    }
}

/// The yes/no answers about the EU-US Data Privacy Framework that a transfer or an entry can
/// claim: certified at all (`dpf_certified`), and for HR data (`dpf_hr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DpfField {
    Certified,
    Hr,
}

impl DpfField {
    const ALL: [DpfField; 2] = [DpfField::Certified, DpfField::Hr];

    fn name(self) -> &'static str {
        match self {
            DpfField::Certified => "dpf_certified",
            DpfField::Hr => "dpf_hr",
        }
    }

    fn of_entry(self, entry: &Subprocessor) -> Option<&Located<String>> {
        match self {
            DpfField::Certified => entry.dpf_certified.as_ref(),
            DpfField::Hr => entry.dpf_hr.as_ref(),
        }
    }

    fn of_entry_mut(self, entry: &mut Subprocessor) -> &mut Option<Located<String>> {
        match self {
            DpfField::Certified => &mut entry.dpf_certified,
            DpfField::Hr => &mut entry.dpf_hr,
        }
    }

    fn of_transfer(self, transfer: &Transfer) -> Option<&Located<String>> {
        match self {
            DpfField::Certified => transfer.dpf_certified.as_ref(),
            DpfField::Hr => transfer.dpf_hr.as_ref(),
        }
    }

    fn of_transfer_mut(self, transfer: &mut Transfer) -> &mut Option<Located<String>> {
        match self {
            DpfField::Certified => &mut transfer.dpf_certified,
            DpfField::Hr => &mut transfer.dpf_hr,
        }
    }
}

/// The claims of `text_records` whose presence is a declaration: record, field, kind.
const RECORD_CLAIMS: [(&str, &str, &str); 5] = [
    ("inference", "statement", "inference_statement"),
    ("offence_use", "statement", "offence_use_statement"),
    (
        "works_council",
        "not_applicable_reason",
        "works_council_not_applicable",
    ),
    ("dpia", "screening", "dpia_screening"),
    ("dpia", "statutory_assessment", "dpia_screening"),
];

fn clipped(text: &str) -> String {
    match text.char_indices().nth(TEXT_LIMIT) {
        Some((end, _)) => text.get(..end).unwrap_or(text).to_string(),
        None => text.to_string(),
    }
}

fn record_value<'a>(
    records: &'a BTreeMap<&'static str, TextRecord>,
    record: &str,
    field: &str,
) -> Option<&'a Located<String>> {
    records.get(record).and_then(|r| r.get(field))
}

/// Every declaration of the register, in report order (file, position, kind, activity).
/// `pack` tells the register's own categories from the pack's; `silenced` is left `None`.
pub fn find(register: &Register, pack: &PolicyPack) -> Vec<Declaration> {
    let mut out = Vec::new();
    let mut push = |kind: &'static str,
                    field: String,
                    value: Option<&str>,
                    text: Option<&str>,
                    activity: Option<&str>,
                    target: Option<&str>,
                    at: Location,
                    neutral: Neutral| {
        out.push(Declaration {
            kind,
            field,
            value: value.map(str::to_string),
            text: text.map(clipped),
            activity: activity.map(str::to_string),
            target: target.map(str::to_string),
            at,
            silenced: None,
            neutral,
        });
    };
    let org = &register.organisation;
    if let Some(v) = org.public_authority.as_ref().filter(|v| v.value == "no") {
        push(
            "public_authority_no",
            "organisation.public_authority".into(),
            Some("no"),
            None,
            None,
            None,
            v.at,
            Neutral::PublicAuthority,
        );
    }
    if let Some(v) = org
        .participation_body
        .as_ref()
        .filter(|v| v.value == "none")
    {
        push(
            "participation_body_none",
            "organisation.participation_body".into(),
            Some("none"),
            None,
            None,
            None,
            v.at,
            Neutral::ParticipationBody,
        );
    }
    for (e, entry) in register.subprocessors.iter().enumerate() {
        for field in DpfField::ALL {
            if let Some(v) = field.of_entry(entry).filter(|v| v.value == "yes") {
                push(
                    field.name(),
                    field.name().into(),
                    Some("yes"),
                    None,
                    None,
                    Some(&entry.id.value),
                    v.at,
                    Neutral::EntryDpf(e, field),
                );
            }
        }
    }
    for (a, activity) in register.activities.iter().enumerate() {
        let id = Some(activity.id.value.as_str());
        // A word written where its neutral value would let a rule speak.
        let records = &activity.records;
        let words = [
            (
                "role_processor",
                "role",
                activity.role.as_ref(),
                "processor",
                Neutral::Role(a),
            ),
            (
                "large_scale_no",
                "large_scale",
                activity.large_scale.as_ref(),
                "no",
                Neutral::LargeScale(a),
            ),
            (
                "profiling_no",
                "profiling",
                activity.profiling.as_ref(),
                "no",
                Neutral::Profiling(a),
            ),
            (
                "expected_special_categories_no",
                "expected_special_categories",
                activity.expected_special_categories.as_ref(),
                "no",
                Neutral::ExpectedSpecial(a),
            ),
            (
                "participation_body_none",
                "works_council.body",
                record_value(records, "works_council", "body"),
                "none",
                Neutral::RecordField(a, "works_council", "body"),
            ),
            (
                "bsn_masked",
                "minimisation.bsn_masked",
                record_value(records, "minimisation", "bsn_masked"),
                "yes",
                Neutral::RecordField(a, "minimisation", "bsn_masked"),
            ),
            (
                "consent_from_parent",
                "consent.from",
                record_value(records, "consent", "from"),
                "parent_guardian",
                Neutral::RecordField(a, "consent", "from"),
            ),
        ];
        for (kind, field, written, word, neutral) in words {
            if let Some(v) = written.filter(|v| v.value == word) {
                push(
                    kind,
                    field.into(),
                    Some(word),
                    None,
                    id,
                    None,
                    v.at,
                    neutral,
                );
            }
        }
        if let Some(AutomatedDecision::No(at)) = &activity.automated_decision {
            push(
                "automated_decision_no",
                "automated_decision".into(),
                Some("no"),
                None,
                id,
                None,
                *at,
                Neutral::AutomatedDecision(a),
            );
        }
        if let Some(AiSystem::No(at)) = &activity.ai_system {
            push(
                "ai_system_no",
                "ai_system".into(),
                Some("no"),
                None,
                id,
                None,
                *at,
                Neutral::AiSystem(a),
            );
        }
        if let Some(AiSystem::Declared(block)) = &activity.ai_system {
            if let Some(v) = block.get("art5_exception") {
                push(
                    "art5_exception",
                    "ai_system.art5_exception".into(),
                    Some(&v.value),
                    block.get("exception_reason").map(|r| r.value.as_str()),
                    id,
                    None,
                    v.at,
                    Neutral::AiField(a, "art5_exception"),
                );
            }
        }
        // Device access on a basis other than consent.
        if let Some(v) =
            record_value(records, "terminal_access", "basis").filter(|v| v.value != "consent")
        {
            push(
                "terminal_access",
                "terminal_access.basis".into(),
                Some(&v.value),
                None,
                id,
                None,
                v.at,
                Neutral::RecordField(a, "terminal_access", "basis"),
            );
        }
        if let Recipients::NoneDeclared(at) = &activity.recipients {
            push(
                "recipients_none",
                "recipients".into(),
                Some("none"),
                None,
                id,
                None,
                *at,
                Neutral::Recipients(a),
            );
        }
        for (record, field, kind) in RECORD_CLAIMS {
            let Some(v) = record_value(&activity.records, record, field) else {
                continue;
            };
            // A screening counts only where no DPIA is referenced.
            if kind == "dpia_screening" && record_value(&activity.records, "dpia", "ref").is_some()
            {
                continue;
            }
            push(
                kind,
                format!("{record}.{field}"),
                None,
                Some(&v.value),
                id,
                None,
                v.at,
                Neutral::RecordField(a, record, field),
            );
        }
        for (t, transfer) in activity.transfers.iter().enumerate() {
            let to = transfer
                .to
                .as_ref()
                .or(transfer.country.as_ref())
                .map(|v| v.value.as_str());
            if let Some(v) = &transfer.occasional_reason {
                push(
                    "occasional_reason",
                    "transfers.occasional_reason".into(),
                    None,
                    Some(&v.value),
                    id,
                    to,
                    v.at,
                    Neutral::TransferField(a, t, "occasional_reason"),
                );
            }
            for field in DpfField::ALL {
                if let Some(v) = field.of_transfer(transfer).filter(|v| v.value == "yes") {
                    push(
                        field.name(),
                        format!("transfers.{}", field.name()),
                        Some("yes"),
                        None,
                        id,
                        to,
                        v.at,
                        Neutral::TransferDpf(a, t, field),
                    );
                }
            }
        }
    }
    for position in &register.positions {
        push(
            "position",
            "positions".into(),
            None,
            Some(&position.reasoning.value),
            position.activity.as_ref().map(|a| a.value.as_str()),
            Some(&position.rule.value),
            position.rule.at,
            Neutral::Covering,
        );
    }
    for (kind, own, theirs) in [
        (
            "data_categories",
            &register.data_categories,
            &pack.data_categories,
        ),
        (
            "subject_categories",
            &register.subject_categories,
            &pack.subject_categories,
        ),
    ] {
        for category in own
            .categories()
            .iter()
            .filter(|c| !theirs.contains(&c.id.value))
        {
            let parents: Vec<&str> = category.parents.iter().map(|p| p.value.as_str()).collect();
            push(
                "own_category",
                kind.into(),
                Some(&parents.join(", ")),
                category.label.as_ref().map(|l| l.value.as_str()),
                None,
                Some(&category.id.value),
                category.id.at,
                Neutral::Uncomputed,
            );
        }
    }
    out
}

/// The live waivers of a check, as declarations: each silences the rule of the findings it
/// covers (`waived`: each covered finding with its waiver's index).
pub fn waivers(register: &Register, waived: &[(Finding, usize)], today: &str) -> Vec<Declaration> {
    let mut covered: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (finding, w) in waived {
        covered.entry(*w).or_default().insert(finding.rule.clone());
    }
    register
        .waivers
        .iter()
        .enumerate()
        .filter(|(_, w)| crate::waiver::is_live(w, today))
        .map(|(w, waiver)| Declaration {
            kind: "waiver",
            field: "waivers".into(),
            value: Some(waiver.expires.value.clone()),
            text: Some(clipped(&waiver.reason.value)),
            activity: Some(waiver.activity.value.clone()),
            target: Some(waiver.rule.value.clone()),
            at: waiver.rule.at,
            silenced: Some(
                covered
                    .get(&w)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
            ),
            neutral: Neutral::Covering,
        })
        .collect()
}

/// Sorts declarations into report order.
pub fn sort(declarations: &mut [Declaration]) {
    declarations.sort_by(|a, b| {
        (a.at, a.kind, &a.activity, &a.target).cmp(&(b.at, b.kind, &b.activity, &b.target))
    });
}

/// A finding's identity across two judgements.
type Key<'f> = (&'f str, Option<&'f str>, Option<&'f str>);

fn key(f: &Finding) -> Key<'_> {
    (&f.rule, f.activity.as_deref(), f.target.as_deref())
}

/// Computes what each declaration silences: the rules whose findings appear with the claim
/// at its neutral value and not as written. `now` is every finding of the register before
/// waivers and positions; `positioned` the findings each position answers (by index). The
/// register is changed while a claim is judged and restored after. A claim is judged by
/// the rules that can see it (a neutral role by the rules that read a role: nothing else about
/// the activity changes); `everything`: by every rule, which gives the same result, slower.
pub fn silence(
    declarations: &mut [Declaration],
    register: &mut Register,
    pack: &PolicyPack,
    judging: &Judging<'_>,
    now: &[&Finding],
    positioned: &[(Finding, usize)],
    everything: bool,
) -> Result<(), Vec<Problem>> {
    let now: std::collections::HashSet<Key<'_>> = now.iter().map(|f| key(f)).collect();
    // Positions: the rules of the findings each answers.
    let mut answered: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (finding, p) in positioned {
        answered.entry(*p).or_default().insert(finding.rule.clone());
    }
    let mut position_index = 0;
    // Rounds: the n-th claim of one kind on each activity is judged together (an activity
    // holds at most one claim per round, so what it silences is its own).
    let mut rounds: BTreeMap<(&'static str, usize), Vec<usize>> = BTreeMap::new();
    let mut seen: BTreeMap<(&'static str, usize), usize> = BTreeMap::new();
    for (d, declaration) in declarations.iter_mut().enumerate() {
        match declaration.neutral {
            Neutral::Covering if declaration.kind == "position" => {
                let rules = answered.get(&position_index).cloned().unwrap_or_default();
                declaration.silenced = Some(rules.into_iter().collect());
                position_index += 1;
            }
            Neutral::Covering | Neutral::Uncomputed => {}
            neutral => {
                let slot = neutral.activity().unwrap_or(usize::MAX);
                let n = seen.entry((declaration.kind, slot)).or_default();
                // A claim on the whole register is judged alone.
                let round = if slot == usize::MAX { d } else { *n };
                *n += 1;
                rounds.entry((declaration.kind, round)).or_default().push(d);
            }
        }
    }
    for members in rounds.values() {
        let mut saved = Vec::new();
        for &d in members {
            if let Some(declaration) = declarations.get(d) {
                saved.push(neutralise(register, declaration.neutral));
            }
        }
        let only: Option<Vec<usize>> = members
            .iter()
            .map(|&d| declarations.get(d).and_then(|x| x.neutral.activity()))
            .collect();
        // A role made neutral changes the activity's `role` and nothing else it is judged
        // by: only the rules that read a role can fire then and not now.
        let kind = members
            .first()
            .and_then(|&d| declarations.get(d))
            .map(|x| x.neutral);
        let role_rules: Option<BTreeSet<&str>> = match kind {
            Some(Neutral::Role(_)) if !everything => Some(
                pack.rules
                    .iter()
                    .filter(|r| r.reads.iter().any(|(_, attr)| attr == "role"))
                    .map(|r| r.id.as_str())
                    .collect(),
            ),
            _ => None,
        };
        let then = judge_activities_by(
            register,
            pack,
            judging,
            only.as_deref(),
            role_rules.as_ref(),
            // Only which rules fire where is compared: no labels.
            true,
        );
        for undo in saved.into_iter().rev() {
            restore(register, undo);
        }
        let then = then?;
        // The findings that appear with the claims neutral, by activity and by target: each
        // claim looks only at its own (a round may hold thousands of claims).
        let mut by_activity: std::collections::HashMap<Option<&str>, Vec<&Finding>> =
            std::collections::HashMap::new();
        let mut by_target: std::collections::HashMap<Option<&str>, Vec<&Finding>> =
            std::collections::HashMap::new();
        let mut all: Vec<&Finding> = Vec::new();
        for f in then.iter().filter(|f| !now.contains(&key(f))) {
            by_activity
                .entry(f.activity.as_deref())
                .or_default()
                .push(f);
            by_target.entry(f.target.as_deref()).or_default().push(f);
            all.push(f);
        }
        for &d in members {
            let Some(declaration) = declarations.get_mut(d) else {
                continue;
            };
            let appeared: &[&Finding] = match declaration.neutral {
                Neutral::EntryDpf(..) => by_target
                    .get(&declaration.target.as_deref())
                    .map_or(&[], Vec::as_slice),
                Neutral::PublicAuthority | Neutral::ParticipationBody => &all,
                _ => by_activity
                    .get(&declaration.activity.as_deref())
                    .map_or(&[], Vec::as_slice),
            };
            let rules: BTreeSet<&str> = appeared.iter().map(|f| f.rule.as_str()).collect();
            declaration.silenced = Some(rules.into_iter().map(str::to_string).collect());
        }
    }
    Ok(())
}

/// What a claim replaced, to put back.
enum Undo {
    Activity(usize, Box<crate::register::Activity>),
    Entry(usize, DpfField, Option<Located<String>>),
    PublicAuthority(Option<Located<String>>),
    ParticipationBody(Option<Located<String>>),
    Nothing,
}

fn word(at: Location, value: &str) -> Option<Located<String>> {
    Some(Located {
        value: value.to_string(),
        at,
    })
}

/// Puts one claim at its neutral value; what to restore.
fn neutralise(register: &mut Register, neutral: Neutral) -> Undo {
    match neutral {
        Neutral::EntryDpf(e, field) => match register.subprocessors.get_mut(e) {
            Some(entry) => {
                let at = entry.id.at;
                Undo::Entry(
                    e,
                    field,
                    std::mem::replace(field.of_entry_mut(entry), word(at, "no")),
                )
            }
            None => Undo::Nothing,
        },
        Neutral::PublicAuthority => {
            let org = &mut register.organisation;
            let at = org.id.at;
            Undo::PublicAuthority(std::mem::replace(
                &mut org.public_authority,
                word(at, "yes"),
            ))
        }
        Neutral::ParticipationBody => {
            let org = &mut register.organisation;
            let at = org.id.at;
            Undo::ParticipationBody(std::mem::replace(
                &mut org.participation_body,
                word(at, "or"),
            ))
        }
        Neutral::Covering | Neutral::Uncomputed => Undo::Nothing,
        _ => {
            let Some(a) = neutral.activity() else {
                return Undo::Nothing;
            };
            let Some(activity) = register.activities.get_mut(a) else {
                return Undo::Nothing;
            };
            let saved = Box::new(activity.clone());
            let at = activity.id.at;
            match neutral {
                Neutral::Role(_) => activity.role = word(at, "controller"),
                Neutral::LargeScale(_) => activity.large_scale = word(at, "yes"),
                Neutral::Profiling(_) => activity.profiling = word(at, "yes"),
                Neutral::AutomatedDecision(_) => {
                    activity.automated_decision = None;
                    activity.human_involvement = None;
                }
                Neutral::AiSystem(_) => {
                    activity.ai_system = None;
                    activity.human_involvement = None;
                }
                Neutral::AiField(_, field) => {
                    if let Some(AiSystem::Declared(block)) = &mut activity.ai_system {
                        block.fields.retain(|(name, _)| *name != field);
                    }
                }
                Neutral::TransferField(_, t, "occasional_reason") => {
                    if let Some(transfer) = activity.transfers.get_mut(t) {
                        transfer.occasional_reason = None;
                    }
                }
                Neutral::ExpectedSpecial(_) => activity.expected_special_categories = None,
                Neutral::Recipients(_) => activity.recipients = Recipients::Unstated,
                // `body: none` becomes the default body, not the organisation's.
                Neutral::RecordField(_, "works_council", "body") => {
                    if let Some(r) = activity.records.get_mut("works_council") {
                        for (name, value) in &mut r.fields {
                            if *name == "body" {
                                value.value = "or".to_string();
                            }
                        }
                    }
                }
                Neutral::RecordField(_, record, field) => {
                    if let Some(r) = activity.records.get_mut(record) {
                        r.fields.retain(|(name, _)| *name != field);
                        if r.fields.is_empty() {
                            activity.records.remove(record);
                        }
                    }
                }
                Neutral::TransferDpf(_, t, field) => {
                    if let Some(transfer) = activity.transfers.get_mut(t) {
                        *field.of_transfer_mut(transfer) = word(at, "no");
                    }
                }
                _ => {}
            }
            Undo::Activity(a, saved)
        }
    }
}

fn restore(register: &mut Register, undo: Undo) {
    match undo {
        Undo::Activity(a, saved) => {
            if let Some(activity) = register.activities.get_mut(a) {
                *activity = *saved;
            }
        }
        Undo::Entry(e, field, value) => {
            if let Some(entry) = register.subprocessors.get_mut(e) {
                *field.of_entry_mut(entry) = value;
            }
        }
        Undo::PublicAuthority(value) => register.organisation.public_authority = value,
        Undo::ParticipationBody(value) => register.organisation.participation_body = value,
        Undo::Nothing => {}
    }
}
