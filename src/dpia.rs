//! Owns the one definition of when a DPIA is needed (Art. 35(1), (3), (4); the Dutch DPA's
//! list, Stcrt. 2019, 64418; WP248 rev.01): which criteria an activity meets, which of them
//! are primary, and which combinations make the DPIA mandatory. `dpia-required`,
//! `dpia-screening-recorded` and `controller-duties-unrecorded` read the result as the
//! activity's `dpia_assessment`; a rule whose `@label` holds `{dpia}` gets it replaced by
//! the criteria met, and whether the DPIA is mandatory or likely.

use crate::register::{Activity, AiSystem, AutomatedDecision, Register};
use crate::source::Location;

/// One criterion of the DPIA definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Criterion {
    /// C1: `profiling: yes`.
    Profiling,
    /// C2: a declared automated decision.
    AutomatedDecision,
    /// C3: systematic monitoring.
    Monitoring,
    /// C4: special-category, criminal, financial-situation or communications data.
    SensitiveData,
    /// C5: `large_scale: yes`.
    LargeScale,
    /// C6: vulnerable data subjects.
    VulnerableSubjects,
    /// C7: new technology: an AI system, biometric identification, emotion inference.
    NewTechnology,
}

impl Criterion {
    /// The id the entities carry (`dpia_assessment.criteria`).
    pub fn id(self) -> &'static str {
        match self {
            Criterion::Profiling => "profiling",
            Criterion::AutomatedDecision => "automated_decision",
            Criterion::Monitoring => "monitoring",
            Criterion::SensitiveData => "sensitive_data",
            Criterion::LargeScale => "large_scale",
            Criterion::VulnerableSubjects => "vulnerable_subjects",
            Criterion::NewTechnology => "new_technology",
        }
    }

    /// For people, with its number.
    pub fn describe(self) -> &'static str {
        match self {
            Criterion::Profiling => "profiling (C1)",
            Criterion::AutomatedDecision => "automated decisions (C2)",
            Criterion::Monitoring => "systematic monitoring (C3)",
            Criterion::SensitiveData => "sensitive data (C4)",
            Criterion::LargeScale => "large scale (C5)",
            Criterion::VulnerableSubjects => "vulnerable people (C6)",
            Criterion::NewTechnology => "new technology (C7)",
        }
    }

    /// Whether one such criterion, at a scale not ruled out, makes a DPIA likely.
    pub fn is_primary(self) -> bool {
        !matches!(self, Criterion::LargeScale | Criterion::VulnerableSubjects)
    }
}

/// The data of the works-council monitoring trigger on staff (AP list item 11), without
/// `performance_review`.
const STAFF_MONITORING: [&str; 10] = [
    "location",
    "driving_behaviour",
    "camera_footage",
    "access_log",
    "activity_log",
    "system_log",
    "communications",
    "audio_recording",
    "biometric_identification",
    "behavioural",
];

/// Data that monitors on its own.
const MONITORING: [&str; 2] = ["camera_footage", "location"];

/// Data that monitors at a large scale or of vulnerable people.
const TRACKING: [&str; 5] = [
    "behavioural",
    "cookie_identifier",
    "advertising_id",
    "purchase_history",
    "page_views",
];

/// Sensitive data (C4).
const SENSITIVE: [&str; 4] = [
    "special_category",
    "criminal_data",
    "financial_situation",
    "communications",
];

/// New technology among the data (C7).
const NEW_TECHNOLOGY: [&str; 2] = ["biometric_identification", "emotion_inference"];

/// What the definition says of one activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    /// The criteria met, in order.
    pub criteria: Vec<Criterion>,
    /// Why a DPIA is mandatory, for people; empty when it is not.
    pub mandatory: Vec<&'static str>,
    /// Whether the activity states `large_scale` (yes or no).
    pub scale_stated: bool,
    /// The data items and subject categories that meet a criterion: where each is written
    /// and which criterion, for a finding's labels.
    pub triggers: Vec<(Location, String)>,
}

impl Assessment {
    /// How many criteria are primary.
    pub fn primary(&self) -> usize {
        self.criteria.iter().filter(|c| c.is_primary()).count()
    }

    /// Whether a DPIA is likely (not mandatory): two criteria, or one primary criterion
    /// when the scale is not stated.
    pub fn likely(&self) -> bool {
        self.criteria.len() >= 2 || (self.primary() >= 1 && !self.scale_stated)
    }

    /// What a finding's label says of the DPIA (`{dpia}` in a rule's `@label`): mandatory,
    /// likely, or the criteria met, each named.
    pub fn label(&self) -> String {
        let criteria: Vec<&str> = self.criteria.iter().map(|c| c.describe()).collect();
        if !self.mandatory.is_empty() {
            format!(
                "DPIA mandatory ({}): {}",
                self.mandatory.join("; "),
                criteria.join(", ")
            )
        } else if self.likely() {
            format!("DPIA likely: {}", criteria.join(", "))
        } else {
            format!("DPIA criteria: {}", criteria.join(", "))
        }
    }
}

/// The English phrases of [`Assessment::label`] and of the triggers' labels, and their
/// Dutch: a closed list, so a label is said in either language by replacing them.
const DUTCH: [(&str, &str); 15] = [
    ("DPIA mandatory", "DPIA verplicht"),
    ("DPIA likely", "DPIA waarschijnlijk nodig"),
    ("DPIA criteria", "DPIA-criteria"),
    (
        "automated decisions, Art. 35(3)(a)",
        "geautomatiseerde besluiten, art. 35 lid 3 sub a",
    ),
    ("large scale, Art. 35(3)", "grote schaal, art. 35 lid 3"),
    (
        "monitoring staff, AP list item 11",
        "monitoring van medewerkers, AP-lijst punt 11",
    ),
    (
        "an AI Act Annex III use",
        "een toepassing uit bijlage III van de AI-verordening",
    ),
    ("staff monitored", "medewerkers gemonitord"),
    ("profiling (C1)", "profilering (C1)"),
    (
        "automated decisions (C2)",
        "geautomatiseerde besluiten (C2)",
    ),
    (
        "systematic monitoring (C3)",
        "stelselmatige monitoring (C3)",
    ),
    ("sensitive data (C4)", "gevoelige gegevens (C4)"),
    ("large scale (C5)", "grote schaal (C5)"),
    ("vulnerable people (C6)", "kwetsbare personen (C6)"),
    ("new technology (C7)", "nieuwe technologie (C7)"),
];

/// A DPIA label or trigger label in `lang` (they are made in English).
pub fn in_lang(text: &str, lang: crate::lang::Lang) -> String {
    match lang {
        crate::lang::Lang::En => text.to_string(),
        crate::lang::Lang::Nl => DUTCH
            .iter()
            .fold(text.to_string(), |text, (en, nl)| text.replace(en, nl)),
    }
}

/// The DPIA criteria of an activity.
pub fn assess(activity: &Activity, register: &Register) -> Assessment {
    let data = &register.data_categories;
    let subjects = &register.subject_categories;
    let has_data = |named: &[&str]| {
        activity
            .data
            .iter()
            .any(|d| named.iter().any(|n| data.is_in(&d.category.value, n)))
    };
    let has_subject = |named: &str| {
        activity
            .data_subjects
            .iter()
            .any(|s| subjects.is_in(&s.value, named))
    };
    let yes =
        |v: &Option<crate::yaml::Located<String>>| v.as_ref().is_some_and(|v| v.value == "yes");
    let large_scale = yes(&activity.large_scale);
    let vulnerable = has_subject("vulnerable");
    let staff_monitoring = has_subject("employee") && has_data(&STAFF_MONITORING);
    let annex_iii = match &activity.ai_system {
        Some(AiSystem::Declared(record)) => {
            record.get("annex_iii").is_some_and(|p| p.value != "none")
        }
        _ => false,
    };
    let mut criteria = Vec::new();
    if yes(&activity.profiling) {
        criteria.push(Criterion::Profiling);
    }
    let decides = matches!(
        activity.automated_decision,
        Some(AutomatedDecision::Declared { .. })
    );
    if decides {
        criteria.push(Criterion::AutomatedDecision);
    }
    if has_data(&MONITORING)
        || ((large_scale || vulnerable) && has_data(&TRACKING))
        || staff_monitoring
    {
        criteria.push(Criterion::Monitoring);
    }
    if has_data(&SENSITIVE) {
        criteria.push(Criterion::SensitiveData);
    }
    if large_scale {
        criteria.push(Criterion::LargeScale);
    }
    if vulnerable {
        criteria.push(Criterion::VulnerableSubjects);
    }
    if matches!(activity.ai_system, Some(AiSystem::Declared(_))) || has_data(&NEW_TECHNOLOGY) {
        criteria.push(Criterion::NewTechnology);
    }
    // Where each criterion is met among the data and the subjects.
    let mut triggers = Vec::new();
    for item in &activity.data {
        let category = item.category.value.as_str();
        let is = |named: &[&str]| named.iter().any(|n| data.is_in(category, n));
        let mut met = Vec::new();
        if is(&MONITORING)
            || ((large_scale || vulnerable) && is(&TRACKING))
            || (staff_monitoring && is(&STAFF_MONITORING))
        {
            met.push(Criterion::Monitoring);
        }
        if is(&SENSITIVE) {
            met.push(Criterion::SensitiveData);
        }
        if is(&NEW_TECHNOLOGY) {
            met.push(Criterion::NewTechnology);
        }
        if !met.is_empty() {
            let named: Vec<&str> = met.iter().map(|c| c.describe()).collect();
            triggers.push((
                item.category.at,
                format!("`{category}`: {}", named.join(", ")),
            ));
        }
    }
    for subject in &activity.data_subjects {
        let category = subject.value.as_str();
        if subjects.is_in(category, "vulnerable") {
            triggers.push((
                subject.at,
                format!("`{category}`: {}", Criterion::VulnerableSubjects.describe()),
            ));
        } else if staff_monitoring && subjects.is_in(category, "employee") {
            triggers.push((subject.at, format!("`{category}`: staff monitored")));
        }
    }
    let mut mandatory = Vec::new();
    if decides {
        mandatory.push("automated decisions, Art. 35(3)(a)");
    }
    if large_scale
        && criteria.iter().any(|c| {
            matches!(
                c,
                Criterion::Profiling | Criterion::Monitoring | Criterion::SensitiveData
            )
        })
    {
        mandatory.push("large scale, Art. 35(3)");
    }
    if staff_monitoring {
        mandatory.push("monitoring staff, AP list item 11");
    }
    if annex_iii {
        mandatory.push("an AI Act Annex III use");
    }
    Assessment {
        criteria,
        mandatory,
        scale_stated: activity.large_scale.is_some(),
        triggers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_mandatory_or_likely_and_name_each_criterion() {
        let likely = Assessment {
            criteria: vec![Criterion::SensitiveData, Criterion::VulnerableSubjects],
            mandatory: vec![],
            scale_stated: true,
            triggers: Vec::new(),
        };
        assert_eq!(
            likely.label(),
            "DPIA likely: sensitive data (C4), vulnerable people (C6)"
        );
        assert_eq!(likely.primary(), 1);
        let mandatory = Assessment {
            criteria: vec![Criterion::AutomatedDecision],
            mandatory: vec!["automated decisions, Art. 35(3)(a)"],
            scale_stated: false,
            triggers: Vec::new(),
        };
        assert_eq!(
            mandatory.label(),
            "DPIA mandatory (automated decisions, Art. 35(3)(a)): automated decisions (C2)"
        );
        let small = Assessment {
            criteria: vec![Criterion::Monitoring],
            mandatory: vec![],
            scale_stated: true,
            triggers: Vec::new(),
        };
        assert_eq!(small.label(), "DPIA criteria: systematic monitoring (C3)");
        let unstated = Assessment {
            scale_stated: false,
            ..small
        };
        assert_eq!(unstated.label(), "DPIA likely: systematic monitoring (C3)");
    }
}
