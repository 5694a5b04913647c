//! Owns the words a document is written in: the labels of the annex, the exports and the
//! HTML report, and the names of roles, operations, legal bases and transfer tools, in Dutch
//! and English.

use serde::Serialize;

pub use crate::lang::Lang;

impl Lang {
    /// The labels in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }
}

/// The labels of documents, by what they name.
#[derive(Debug, Serialize)]
pub struct Words {
    /// The annex's title.
    pub annex_title: &'static str,
    /// "Processing operations".
    pub operations: &'static str,
    /// The service (activity) column.
    pub service: &'static str,
    /// "Systems:" before several systems.
    pub systems: &'static str,
    /// "System:" before one system.
    pub system: &'static str,
    /// The personal data column.
    pub personal_data: &'static str,
    /// The purposes column.
    pub purposes: &'static str,
    /// The legal basis column.
    pub legal_basis: &'static str,
    /// The (sub-)processors column.
    pub subprocessors: &'static str,
    /// The data subjects.
    pub data_subjects: &'static str,
    /// The role.
    pub role: &'static str,
    /// The controllers on whose behalf.
    pub controllers: &'static str,
    /// Recipients.
    pub recipients: &'static str,
    /// Transfers outside the EEA.
    pub transfers: &'static str,
    /// Retention.
    pub retention: &'static str,
    /// Security measures.
    pub security_measures: &'static str,
    /// DPIA.
    pub dpia: &'static str,
    /// "None" (an empty list the register states).
    pub none: &'static str,
    /// "Not stated" (a field the register leaves out).
    pub not_stated: &'static str,
    /// "Register of processing activities of".
    pub register_of: &'static str,
    /// A controller's record: its title.
    pub record_title: &'static str,
    /// A controller's record: the column of the activity.
    pub activity: &'static str,
    /// A controller's record: the processors.
    pub processors: &'static str,
    /// The data protection officer.
    pub dpo: &'static str,
    /// "Contact".
    pub contact: &'static str,
    /// "Version": the register's commit and its date.
    pub version: &'static str,
    /// Said after the version when the register's files differ from that commit.
    pub uncommitted: &'static str,
}

/// Dutch labels: the seed annex's own column names.
pub const NL: Words = Words {
    annex_title: "Omschrijving Diensten, Persoonsgegevens, doeleinden en betrokken sub-verwerkers",
    operations: "Verwerkingsactiviteiten",
    service: "Dienst",
    systems: "Systemen",
    system: "Systeem",
    personal_data: "Type persoonsgegevens",
    purposes: "Doeleinden",
    legal_basis: "Grondslag voor verwerking",
    subprocessors: "Betrokken (sub)verwerkers",
    data_subjects: "Betrokkenen",
    role: "Rol",
    controllers: "Verwerkingsverantwoordelijken",
    recipients: "Ontvangers",
    transfers: "Doorgiften buiten de EER",
    retention: "Bewaartermijn",
    security_measures: "Beveiligingsmaatregelen",
    dpia: "DPIA",
    none: "Geen",
    not_stated: "Niet vermeld",
    register_of: "Verwerkingsregister van",
    record_title: "Register van verwerkingsactiviteiten",
    activity: "Verwerking",
    processors: "Verwerkers (land)",
    dpo: "Functionaris gegevensbescherming",
    contact: "Contact",
    version: "Versie",
    uncommitted: "met wijzigingen die nog niet zijn vastgelegd",
};

/// English labels.
pub const EN: Words = Words {
    annex_title: "Description of services, personal data, purposes and sub-processors involved",
    operations: "Processing operations",
    service: "Service",
    systems: "Systems",
    system: "System",
    personal_data: "Personal data",
    purposes: "Purposes",
    legal_basis: "Legal basis",
    subprocessors: "(Sub-)processors involved",
    data_subjects: "Data subjects",
    role: "Role",
    controllers: "Controllers",
    recipients: "Recipients",
    transfers: "Transfers outside the EEA",
    retention: "Retention",
    security_measures: "Security measures",
    dpia: "DPIA",
    none: "None",
    not_stated: "Not stated",
    register_of: "Register of processing activities of",
    record_title: "Record of processing activities",
    activity: "Processing activity",
    processors: "Processors (country)",
    dpo: "Data protection officer",
    contact: "Contact",
    version: "Version",
    uncommitted: "with changes not yet committed",
};

/// An ISO 8601 period in words ("5 jaar", "4 weeks", "1 jaar en 6 maanden"); the period as
/// written when it has time units.
pub fn period(iso: &str, lang: Lang) -> Option<String> {
    let body = iso.strip_prefix('P')?;
    if body.contains('T') {
        return Some(iso.to_string());
    }
    let mut parts = Vec::new();
    let mut number = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        let one = n == 1;
        let unit = match (c, lang) {
            ('Y', Lang::Nl) => "jaar",
            ('M', Lang::Nl) if one => "maand",
            ('M', Lang::Nl) => "maanden",
            ('W', Lang::Nl) => "weken",
            ('D', Lang::Nl) if one => "dag",
            ('D', Lang::Nl) => "dagen",
            ('Y', Lang::En) if one => "year",
            ('Y', Lang::En) => "years",
            ('M', Lang::En) if one => "month",
            ('M', Lang::En) => "months",
            ('W', Lang::En) if one => "week",
            ('W', Lang::En) => "weeks",
            ('D', Lang::En) if one => "day",
            ('D', Lang::En) => "days",
            _ => return Some(iso.to_string()),
        };
        let unit = if c == 'W' && one && lang == Lang::Nl {
            "week"
        } else {
            unit
        };
        parts.push(format!("{n} {unit}"));
    }
    let and = match lang {
        Lang::Nl => " en ",
        Lang::En => " and ",
    };
    (!parts.is_empty()).then(|| parts.join(and))
}

/// A role's name.
pub fn role(id: &str, lang: Lang) -> String {
    let word = match (id, lang) {
        ("controller", Lang::Nl) => "verwerkingsverantwoordelijke",
        ("processor", Lang::Nl) => "verwerker",
        ("joint_controller", Lang::Nl) => "gezamenlijke verwerkingsverantwoordelijke",
        ("joint_controller", Lang::En) => "joint controller",
        _ => id,
    };
    word.to_string()
}

/// A processing operation's name: the annex's Dutch words, or Art. 4(2)'s English ones.
pub fn operation(id: &str, lang: Lang) -> &str {
    let (nl, en) = match id {
        "collect" => ("verzamelen", "collection"),
        "record" => ("vastleggen", "recording"),
        "organise" => ("ordenen", "organisation"),
        "structure" => ("structureren", "structuring"),
        "store" => ("bewaren", "storage"),
        "adapt" => ("bijwerken, wijzigen", "adaptation or alteration"),
        "retrieve" => ("opvragen", "retrieval"),
        "consult" => ("raadplegen", "consultation"),
        "use" => ("gebruiken", "use"),
        "disclose" => (
            "doorzenden, beschikbaar stellen",
            "disclosure by transmission",
        ),
        "disseminate" => ("verspreiden", "dissemination"),
        "combine" => (
            "samenbrengen, met elkaar in verband brengen",
            "alignment or combination",
        ),
        "restrict" => ("afschermen", "restriction"),
        "erase" => ("uitwissen", "erasure"),
        "destroy" => ("vernietigen", "destruction"),
        "anonymise" => ("anonimiseren", "anonymisation"),
        "aggregate" => ("aggregeren", "aggregation"),
        "encrypt" => ("versleutelen", "encryption"),
        _ => (id, id),
    };
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// A legal basis's name, and its point of Art. 6(1) (`a` to `f`).
pub fn legal_basis(id: &str, lang: Lang) -> (&str, &'static str) {
    let (nl, en, point) = match id {
        "consent" => ("Toestemming", "Consent", "a"),
        "contract" => ("Overeenkomst", "Contract", "b"),
        "legal_obligation" => ("Wettelijke verplichting", "Legal obligation", "c"),
        "vital_interests" => ("Vitale belangen", "Vital interests", "d"),
        "public_task" => ("Taak van algemeen belang", "Public task", "e"),
        "legitimate_interests" => ("Gerechtvaardigd belang", "Legitimate interests", "f"),
        _ => (id, id, ""),
    };
    match lang {
        Lang::Nl => (nl, point),
        Lang::En => (en, point),
    }
}

/// A transfer tool's name with its article.
pub fn transfer_mechanism(id: &str, lang: Lang) -> &str {
    let (nl, en) = match id {
        "adequacy" => (
            "adequaatheidsbesluit (art. 45 AVG)",
            "adequacy decision (Art. 45 GDPR)",
        ),
        "scc" => (
            "modelcontractbepalingen (art. 46(2)(c) AVG)",
            "standard contractual clauses (Art. 46(2)(c) GDPR)",
        ),
        "bcr" => (
            "bindende bedrijfsvoorschriften (art. 47 AVG)",
            "binding corporate rules (Art. 47 GDPR)",
        ),
        "code" => (
            "gedragscode (art. 46(2)(e) AVG)",
            "code of conduct (Art. 46(2)(e) GDPR)",
        ),
        "certification" => (
            "certificering (art. 46(2)(f) AVG)",
            "certification (Art. 46(2)(f) GDPR)",
        ),
        "derogation" => ("uitzondering (art. 49 AVG)", "derogation (Art. 49 GDPR)"),
        _ => (id, id),
    };
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_reads_as_words() {
        assert_eq!(period("P5Y", Lang::Nl).as_deref(), Some("5 jaar"));
        assert_eq!(
            period("P1Y6M", Lang::Nl).as_deref(),
            Some("1 jaar en 6 maanden")
        );
        assert_eq!(period("P4W", Lang::Nl).as_deref(), Some("4 weken"));
        assert_eq!(period("P1W", Lang::Nl).as_deref(), Some("1 week"));
        assert_eq!(period("P1Y", Lang::En).as_deref(), Some("1 year"));
        assert_eq!(period("P30D", Lang::En).as_deref(), Some("30 days"));
        assert_eq!(period("PT12H", Lang::En).as_deref(), Some("PT12H"));
        assert_eq!(period("5 jaar", Lang::Nl), None);
    }
}
