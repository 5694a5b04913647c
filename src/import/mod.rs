//! Owns `ropa import`: a register an organisation already keeps, read into ropa's register
//! format. The source is read into tables ([`table`]), mapped field by field from its layout
//! ([`ico`]), each value read as ropa's vocabulary or kept as text ([`normalise`]), and
//! written as register files with each value's source beside it ([`write`]), or shown as a
//! mapping report.

pub mod avg;
pub mod dpv;
pub mod ico;
pub mod mapping;
pub mod normalise;
pub mod table;
pub mod update;
pub mod write;

/// What every reader needs besides its source: the taxonomies its words are matched
/// against, the pack's synonyms, and the EEA's countries (a country outside them is a
/// transfer).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The data taxonomy.
    pub data: &'a crate::taxonomy::Taxonomy,
    /// The subject taxonomy.
    pub subjects: &'a crate::taxonomy::Taxonomy,
    /// The pack's synonyms.
    pub synonyms: &'a normalise::Synonyms,
    /// The EEA's countries.
    pub eea: &'a [String],
}

impl<'a> Context<'a> {
    /// The context of a loaded pack, with its synonyms.
    pub fn of(pack: &'a crate::policy::PolicyPack, synonyms: &'a normalise::Synonyms) -> Self {
        Context {
            data: &pack.data_categories,
            subjects: &pack.subject_categories,
            synonyms,
            eea: pack.eea(),
        }
    }
}

/// A value and where in the source it was read (`Controller!E12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its place in the source.
    pub at: String,
}

impl<T> Sourced<T> {
    /// `value`, read at `at`.
    pub fn at(value: T, at: &str) -> Self {
        Sourced {
            value,
            at: at.to_string(),
        }
    }
}

/// The organisation, from a template's contact block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organisation {
    /// Its name.
    pub name: Option<Sourced<String>>,
    /// How to reach it.
    pub contact: Option<Sourced<String>>,
    /// Its DPO as written (`name, contact`), or none designated.
    pub dpo: Option<Sourced<String>>,
    /// Whether the source's format says it is a public body (the central government's AVG
    /// register), and where.
    pub public_authority: Option<Sourced<()>>,
}

/// One data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The taxonomy's category, or one of the register's own.
    pub category: String,
    /// The source's words, when they say more than the category.
    pub label: Option<String>,
}

/// One legal basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// The Art. 6(1) id.
    pub basis: &'static str,
    /// The statute, when the source names one.
    pub reference: Option<String>,
    /// The purposes it serves (indices into the activity's purposes), when the source puts
    /// the basis on each purpose; empty: all of them.
    pub purposes: Vec<usize>,
}

/// A processor the organisation engages, named in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processor {
    /// Its id (kebab-case from its name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its country, ISO alpha-2, when the source names one ropa reads.
    pub country: Option<String>,
    /// Where it was read.
    pub at: String,
}

/// One transfer outside the EEA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The country, ISO alpha-2.
    pub country: String,
    /// The transfer tool, when the source names one that holds.
    pub mechanism: Option<&'static str>,
}

/// One activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Its id (kebab-case), from the source's id or its name.
    pub id: String,
    /// Where its row or record starts.
    pub at: String,
    /// The source's own key (`Id`, `Nummer`), kept as `x-source-id`.
    pub source_id: Option<Sourced<String>>,
    /// Its name.
    pub name: Option<Sourced<String>>,
    /// `processor` for a processor's record, else the default (controller).
    pub role: Option<Sourced<&'static str>>,
    /// The purposes, in the source's words.
    pub purposes: Vec<Sourced<String>>,
    /// The legal bases.
    pub legal_basis: Vec<Sourced<Basis>>,
    /// The data subjects' categories.
    pub data_subjects: Vec<Sourced<String>>,
    /// The data items.
    pub data: Vec<Sourced<Item>>,
    /// Categories of recipients, in the source's words.
    pub recipients: Vec<Sourced<String>>,
    /// A recipient's country (by its index in `recipients`), when the source gives one.
    pub recipient_countries: std::collections::BTreeMap<usize, String>,
    /// Transfers outside the EEA.
    pub transfers: Vec<Sourced<Transfer>>,
    /// Retention: the ISO period (only for one unconditional duration) and the text.
    pub retention: Option<Sourced<(Option<String>, Option<String>)>>,
    /// The security measures.
    pub security_measures: Option<Sourced<String>>,
    /// The Art. 9(2) point and its statute.
    pub art9: Option<Sourced<(&'static str, Option<String>)>>,
    /// The legitimate-interest assessment's reference.
    pub lia: Option<Sourced<String>>,
    /// How consent is proven.
    pub consent_proof: Option<Sourced<String>>,
    /// The DPIA's reference.
    pub dpia: Option<Sourced<String>>,
    /// The systems (where the data is).
    pub systems: Vec<Sourced<String>>,
    /// The controllers on whose behalf a processor acts (`name, contact`).
    pub controllers: Vec<Sourced<String>>,
    /// The processors it uses, by id (see [`Imported::processors`]).
    pub processors: Vec<Sourced<String>>,
    /// `profiling: yes|no` when the source says so.
    pub profiling: Option<Sourced<&'static str>>,
    /// `automated_decision: no` when the source says there are none.
    pub no_automated_decisions: Option<Sourced<()>>,
    /// Texts the source holds that no field takes, kept as `x-` fields (`x-ico-rights`).
    pub extra: Vec<(String, Sourced<String>)>,
    /// What a person must look at: a value read as text where ropa wanted a word, a stale
    /// safeguard, a category of the register's own.
    pub review: Vec<String>,
}

/// A category the register defines because the source's word is in no list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnCategory {
    /// Its id (snake_case from the word).
    pub id: String,
    /// The source's word.
    pub label: String,
    /// Its parent: what the source's class says, else the safe `personal_data` or
    /// `data_subject`.
    pub parent: String,
    /// Where the word was first read.
    pub at: String,
}

/// What one source column or field did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// Its heading and place (`Purpose of processing (B)`).
    pub name: String,
    /// The register field it goes to, or none.
    pub field: Option<&'static str>,
    /// Cells with a value.
    pub read: usize,
    /// Values read as a word of ropa's vocabulary (a basis, a category, a country).
    pub normalised: usize,
    /// Values kept as text.
    pub text: usize,
    /// Values not taken (unreadable, or a column no field takes).
    pub unmapped: usize,
}

/// A value ropa could not read, with its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The cell.
    pub at: String,
    /// The text.
    pub text: String,
    /// Why.
    pub why: String,
}

/// What an import read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// The source's format (`ico-xlsx`).
    pub format: &'static str,
    /// The organisation.
    pub organisation: Organisation,
    /// The activities, in source order.
    pub activities: Vec<Activity>,
    /// Data categories of the register's own.
    pub data_categories: Vec<OwnCategory>,
    /// Subject categories of the register's own.
    pub subject_categories: Vec<OwnCategory>,
    /// The processors the activities use.
    pub processors: Vec<Processor>,
    /// Records left out, and why (`Status: Vervallen`).
    pub skipped: Vec<Unresolved>,
    /// Per source column or field, what it did.
    pub columns: Vec<Column>,
    /// The values not read.
    pub unresolved: Vec<Unresolved>,
}

/// The category a word means (the taxonomy's id or label, or a synonym), and `true`; or one
/// of the register's own, made once per word under a safe parent (`personal_data`,
/// `data_subject`, never `ordinary`) with a note to review it, and `false`. `own` holds the
/// register's own categories made so far, by (data?, folded word).
pub fn category(
    own: &mut std::collections::BTreeMap<(bool, String), String>,
    imported: &mut Imported,
    (taxonomy, synonyms): (
        &crate::taxonomy::Taxonomy,
        &std::collections::BTreeMap<String, String>,
    ),
    data: bool,
    word: &str,
    at: &str,
    review: &mut Vec<String>,
) -> (String, bool) {
    if let Some(id) = normalise::category(word, taxonomy, synonyms) {
        return (id, true);
    }
    let key = (data, normalise::folded(word));
    if let Some(id) = own.get(&key) {
        return (id.clone(), false);
    }
    let mut id = normalise::snake_id(word);
    while taxonomy.contains(&id) || own.values().any(|v| *v == id) {
        id.push_str("_eigen");
    }
    let parent = if data {
        "personal_data"
    } else {
        "data_subject"
    };
    review.push(format!(
        "`{word}` ({at}) is in no list: defined as the register's own category `{id}` under `{parent}`; give it the parent it belongs under"
    ));
    let category = OwnCategory {
        id: id.clone(),
        label: word.to_string(),
        parent: parent.to_string(),
        at: at.to_string(),
    };
    if data {
        imported.data_categories.push(category);
    } else {
        imported.subject_categories.push(category);
    }
    own.insert(key, id.clone());
    (id, false)
}
