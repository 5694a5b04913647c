//! Owns the register's JSON Schema (draft 2020-12) for editors: every key the loader reads,
//! the closed vocabularies it enforces, and the taxonomy's categories with their labels, so
//! yaml-language-server completes `category: gps_` and explains it. The keys come from the
//! loader's own vocabularies and tables where it has them; a test holds the schema and the
//! loader to each other (every register the loader accepts validates; a register it refuses
//! for an unknown key does not).

use serde_json::{json, Map, Value};

use crate::register::vocab;
use crate::register::TEXT_RECORDS;
use crate::taxonomy::Taxonomy;

/// Text as the loader reads it: a string, or a number or boolean taken as written.
fn text(description: &str) -> Value {
    json!({ "type": ["string", "number", "boolean"], "description": description })
}

fn choice(values: &[&str], description: &str) -> Value {
    json!({ "enum": values, "description": description })
}

fn list_of(items: Value, description: &str) -> Value {
    json!({ "type": "array", "items": items, "description": description })
}

/// A mapping with exactly these keys (`required` among them).
fn record(description: &str, properties: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let properties: Map<String, Value> = properties
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// A record that also takes keys of the register's own (`x-...`: kept, never judged).
fn extensible(mut record: Value) -> Value {
    if let Some(map) = record.as_object_mut() {
        map.insert(
            "patternProperties".to_string(),
            json!({ "^x-": { "description": "the register's own notes: kept, never judged" } }),
        );
    }
    record
}

/// A category id: one of the taxonomy's, each with its labels, or one the register defines.
fn category(taxonomy: &Taxonomy, what: &str) -> Value {
    let options: Vec<Value> = taxonomy
        .categories()
        .iter()
        .map(|c| {
            let label = c.label.as_ref().map(|l| l.value.as_str()).unwrap_or("");
            let english = c.label_en.as_ref().map(|l| l.value.as_str()).unwrap_or("");
            let description = match (label.is_empty(), english.is_empty()) {
                (false, false) => format!("{label} ({english})"),
                (false, true) => label.to_string(),
                (true, false) => english.to_string(),
                (true, true) => c.id.value.clone(),
            };
            json!({ "const": c.id.value, "description": description })
        })
        .collect();
    json!({
        "description": format!(
            "a {what} category of the taxonomy (`ropa schema --register register` adds the register's own)"
        ),
        "anyOf": options,
    })
}

/// Each ISO 3166-1 alpha-2 code the loader takes (the `celes` list).
fn country_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for a in 'A'..='Z' {
        for b in 'A'..='Z' {
            let code = format!("{a}{b}");
            if vocab::is_country_code(&code) {
                codes.push(code);
            }
        }
    }
    codes
}

/// A pattern that matches any of `words` as the loader reads a legal basis: in any case,
/// with spaces or underscores between the words, space around it.
fn any_case_pattern(words: &[&str]) -> String {
    let alternatives: Vec<String> = words
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| match c {
                    ' ' | '_' => "[ _]+".to_string(),
                    c if c.is_alphabetic() => {
                        format!("[{}{}]", c.to_lowercase(), c.to_uppercase())
                    }
                    c => regex_escape(c),
                })
                .collect()
        })
        .collect();
    format!("^\\s*(?:{})\\s*$", alternatives.join("|"))
}

fn regex_escape(c: char) -> String {
    if "\\^$.|?*+()[]{}/".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// An ISO 8601 period as the loader takes it: `P` and units in order (`P1Y6M`, `P4W`,
/// `PT12H`), at least one, and a `T` only before a time unit.
fn period() -> Value {
    json!({
        "type": "string",
        "description": "how long, in ISO 8601: P4W (4 weeks), P7Y (7 years), P1Y6M; words go in `criterion`",
        "examples": ["P7Y", "P4W", "P1Y6M"],
        "pattern": "^P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?)?$",
        "not": { "pattern": "(^P$)|(T$)" },
    })
}

/// What each record of [`TEXT_RECORDS`] records, for the editor's hover.
const RECORD_TEXTS: [(&str, &str); 13] = [
    (
        "special_category_condition",
        "the Art. 9(2) condition for the special-category data",
    ),
    (
        "criminal_data_basis",
        "the Art. 10 basis for criminal-offence data",
    ),
    (
        "national_id_basis",
        "the statute that allows the BSN (citizen service number)",
    ),
    (
        "consent",
        "how consent is proven and withdrawn, and for children who gives it",
    ),
    (
        "retention",
        "how long the data is kept (Art. 30(1)(f)): a period, the event it runs from",
    ),
    (
        "dpia",
        "the data protection impact assessment (Art. 35), or the screening that found none needed",
    ),
    (
        "works_council",
        "the participation body's consent (WOR 27, WMS), or why it is not needed",
    ),
    (
        "minimisation",
        "why copies of documents or device content are needed",
    ),
    (
        "communications",
        "why the content of communications or recordings is needed, and how people are told",
    ),
    (
        "offence_use",
        "whether offence-revealing data (speeds) is used to establish offences",
    ),
    (
        "inference",
        "why data that can reveal special categories does not (an objective reason, not intent)",
    ),
    (
        "bias_assessment",
        "the test for discrimination of a model that uses possible proxies",
    ),
    (
        "terminal_access",
        "the ePrivacy basis for cookies, SDKs and pixels (Tw 11.7a)",
    ),
];

/// An example value of a text record's field, when the field reference gives one.
pub fn field_example(record: &str, field: &str) -> Option<&'static str> {
    let (_, example) = field_text(record, field);
    (!example.is_empty()).then_some(example)
}

/// What each field of a text record holds, with an example.
fn record_field(record: &str, field: &str) -> Value {
    let (description, example) = field_text(record, field);
    if field == "period" {
        return period();
    }
    if description.is_empty() {
        return text(field);
    }
    json!({ "type": "string", "description": description, "examples": [example] })
}

/// A text record field's description and example (empty when the reference has none).
fn field_text(record: &str, field: &str) -> (&'static str, &'static str) {
    match (record, field) {
        (_, "article") => ("the Art. 9(2) point: 9(2)(a) to 9(2)(j)", "9(2)(h)"),
        ("special_category_condition" | "condition", "ref") => (
            "the law that provides the condition, with its article (points b, g-j)",
            "UAVG art. 30",
        ),
        ("criminal_data_basis", "ref") => (
            "the law that authorises it, with its article",
            "UAVG art. 33",
        ),
        ("national_id_basis", "ref") => (
            "the law that allows the BSN, with its article",
            "Wet LB 1964 art. 28",
        ),
        ("consent", "withdrawal") => (
            "how consent is withdrawn, as easily as given",
            "knop in de app",
        ),
        ("consent", "proof") => ("how consent is proven", "toestemmingslog"),
        ("consent", "parental") => (
            "under 16: how a parent authorises",
            "bevestiging door ouder per e-mail",
        ),
        ("consent", "from") => (
            "who consents: subject (default) or parent_guardian",
            "parent_guardian",
        ),
        ("consent", "verification") => (
            "how age and parental authority are checked",
            "ouderportaal met DigiD",
        ),
        ("retention", "criterion") => (
            "the event the period runs from, in words",
            "5 jaar na uitschrijving",
        ),
        ("retention", "ref") => (
            "the statute that requires a period over 10 years",
            "BW 7:454",
        ),
        ("dpia", "ref") => ("the DPIA's reference", "DPIA-2026-01"),
        ("dpia", "screening") => ("the screening's reference", "DS-2026-04"),
        ("dpia", "not_required_reason") => (
            "why no DPIA is needed",
            "alleen namen en e-mailadressen, 40 medewerkers",
        ),
        ("dpia", "statutory_assessment") => (
            "the assessment made with the law (Art. 35(10)), naming it",
            "Participatiewet art. 53a, MvT par. 7",
        ),
        ("works_council", "consent_ref") => ("the consent's reference", "OR-2026-3"),
        ("works_council", "not_applicable_reason") => {
            ("why no consent is needed", "cao regelt het (WOR 27(3))")
        }
        ("works_council", "body") => ("the body for this activity: or, pvt, mr, gmr, none", "gmr"),
        ("minimisation", "justification") => (
            "why the copy or content is needed",
            "vereist door de provider",
        ),
        ("minimisation", "bsn_masked") => ("an ID copy keeps the BSN masked: yes or no", "yes"),
        ("communications", "justification") => ("why the content is needed", "klachtafhandeling"),
        ("communications", "notice") => (
            "how the people involved are told",
            "melding bij het begin van elk gesprek",
        ),
        ("offence_use" | "inference", "statement") => (
            "the statement",
            "snelheden worden niet gebruikt om overtredingen vast te stellen",
        ),
        ("bias_assessment", "ref") => ("the bias test's reference", "Bias-toets 2026-02"),
        ("bias_assessment", "necessity") => {
            ("why each proxy is necessary", "postcode niet gebruikt")
        }
        ("terminal_access", "basis") => (
            "consent, strictly_necessary or low_impact_analytics",
            "consent",
        ),
        ("terminal_access", "third_party") => ("a third party's pixel or SDK: yes or no", "yes"),
        ("terminal_access", "ref") => ("the cookie policy or consent record", "Cookiebeleid v3"),
        _ => ("", ""),
    }
}

fn text_record(name: &str) -> Value {
    let keys = TEXT_RECORDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, keys)| *keys);
    let description = RECORD_TEXTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, d)| *d);
    record(
        description,
        keys.iter().map(|k| (*k, record_field(name, k))).collect(),
        &[],
    )
}

/// The JSON Schema of one register file, with `data` and `subjects` as the category
/// taxonomies.
pub fn register_schema(data: &Taxonomy, subjects: &Taxonomy) -> Value {
    let controller = record(
        "a controller on whose behalf the activity is done",
        vec![
            ("name", text("its name")),
            ("contact", text("how to reach it")),
        ],
        &["name"],
    );
    let country = json!({
        "description": "ISO 3166-1 alpha-2 country code, e.g. NL, US (GB, not UK)",
        "enum": country_codes(),
    });
    let legal_bases: Vec<&str> = vocab::legal_basis_words().collect();
    let basis_pattern = any_case_pattern(&legal_bases);
    let mut activity_properties: Vec<(&str, Value)> = vec![
        (
            "id",
            text("a stable kebab-case id: findings, waivers and diffs use it"),
        ),
        (
            "name",
            text("the service or activity as the organisation names it"),
        ),
        ("systems", list_of(text("a system"), "the systems used")),
        (
            "role",
            choice(&vocab::ROLES, "for whom the activity is done"),
        ),
        (
            "controllers",
            list_of(
                controller.clone(),
                "when processor: on whose behalf (Art. 30(2)(a))",
            ),
        ),
        (
            "operations",
            list_of(
                choice(&vocab::OPERATIONS, "an operation (Art. 4(2))"),
                "what is done with the data",
            ),
        ),
        (
            "data_subjects",
            list_of(category(subjects, "subject"), "categories of data subjects"),
        ),
        (
            "data",
            list_of(
                extensible(record(
                    "one kind of personal data",
                    vec![
                        ("category", category(data, "data")),
                        ("label", text("the register's own words for it")),
                        (
                            "purposes",
                            list_of(
                                text("a purpose id of this activity"),
                                "the purposes that explicitly cover this item",
                            ),
                        ),
                        (
                            "condition",
                            record(
                                "the item's own Art. 9(2) condition (none: the activity's `special_category_condition` applies)",
                                vec![
                                    ("article", text("the Art. 9(2) point, e.g. 9(2)(h)")),
                                    ("ref", text("the law that provides it, e.g. WGBO art. 7:454 BW")),
                                    ("necessity", text("why the item is necessary (biometrics)")),
                                ],
                                &[],
                            ),
                        ),
                    ],
                    &["category"],
                )),
                "the personal data processed",
            ),
        ),
        (
            "purposes",
            list_of(
                extensible(record(
                    "a purpose",
                    vec![
                        ("id", text("a kebab-case id data items refer to")),
                        ("text", text("the purpose in the register's own words")),
                    ],
                    &["id"],
                )),
                "the purposes (Art. 30(1)(b))",
            ),
        ),
        (
            "legal_basis",
            list_of(
                json!({
                    "description": "an Art. 6(1) basis (Dutch words too, in any case), or { basis, ref, purposes }",
                    "anyOf": [
                        { "enum": legal_bases.clone() },
                        { "type": "string", "pattern": basis_pattern.clone() },
                        record(
                            "an Art. 6(1) basis with its statute and the purposes it serves",
                            vec![
                                (
                                    "basis",
                                    json!({
                                        "description": "an Art. 6(1) basis; Dutch words too",
                                        "anyOf": [{ "enum": legal_bases }, { "type": "string", "pattern": basis_pattern }],
                                    }),
                                ),
                                ("ref", text("the Art. 6(3) statute with its article (`WPO art. 8`), or a document")),
                                (
                                    "purposes",
                                    list_of(text("a purpose id of this activity"), "the purposes this basis serves (default: all)"),
                                ),
                            ],
                            &["basis"],
                        ),
                    ],
                }),
                "the legal bases",
            ),
        ),
        (
            "legitimate_interest_assessment",
            text("a reference to the balancing test (LIA)"),
        ),
        ("owner", text("who answers for the activity")),
        (
            "reviewed_on",
            text("when the record was last reviewed (YYYY-MM-DD)"),
        ),
        (
            "security_measures",
            text("Art. 32 measures: a summary or a reference"),
        ),
        (
            "subprocessors",
            list_of(
                text("a processor id"),
                "the processors this activity uses (one id space with `processors`; under a processor activity they are sub-processors)",
            ),
        ),
        (
            "processors",
            list_of(
                text("a processor id"),
                "the processors this activity uses (as `subprocessors`)",
            ),
        ),
        (
            "transfers",
            list_of(
                record(
                    "a transfer outside the EEA",
                    vec![
                        ("to", text("the recipient")),
                        ("country", country.clone()),
                        (
                            "mechanism",
                            choice(&vocab::TRANSFER_MECHANISMS, "the Chapter V transfer tool"),
                        ),
                        ("tia_ref", text("the transfer impact assessment")),
                        (
                            "dpf_certified",
                            choice(
                                &vocab::YES_NO,
                                "certified under the EU-US Data Privacy Framework",
                            ),
                        ),
                        (
                            "dpf_hr",
                            choice(&vocab::YES_NO, "the DPF certification covers HR data"),
                        ),
                        (
                            "approval_ref",
                            text("the approval of the Art. 40(9) code or Art. 42 certification"),
                        ),
                        (
                            "derogation_point",
                            choice(&vocab::DEROGATION_POINTS, "the Art. 49(1) point"),
                        ),
                        (
                            "occasional_reason",
                            text("why the transfer is occasional (Art. 49)"),
                        ),
                    ],
                    &[],
                ),
                "transfers outside the EEA",
            ),
        ),
        (
            "recipients",
            json!({
                "description": "categories of recipients (Art. 30(1)(d)), or `none`",
                "anyOf": [
                    { "const": vocab::NO_RECIPIENTS },
                    list_of(
                        record(
                            "a category of recipients",
                            vec![("category", text("e.g. Belastingdienst")), ("name", text("a named recipient")), ("country", country.clone())],
                            &["category"],
                        ),
                        "the recipients",
                    ),
                ],
            }),
        ),
        (
            "expected_special_categories",
            choice(
                &vocab::EXPECTED_SPECIAL_CATEGORIES,
                "for unspecified customer data: may special categories be in it",
            ),
        ),
        (
            "large_scale",
            choice(&vocab::YES_NO, "processing on a large scale"),
        ),
        ("profiling", choice(&vocab::YES_NO, "profiling (Art. 4(4))")),
        (
            "automated_decision",
            json!({
                "description": "a decision based solely on automated processing (Art. 22), or `no`",
                "anyOf": [
                    { "const": "no" },
                    record(
                        "the Art. 22(2) exception and its safeguards",
                        vec![
                            ("exception", choice(&vocab::AUTOMATED_DECISION_EXCEPTIONS, "the Art. 22(2) exception")),
                            ("safeguards", text("the safeguards (Art. 22(3))")),
                            ("ref", text("the authorising statute, or a document")),
                            ("explanation_ref", text("how the logic, procedure and principles are explained (Art. 15(1)(h))")),
                        ],
                        &[],
                    ),
                ],
            }),
        ),
        (
            "human_involvement",
            text("who reviews an automated outcome, on what, able to change it"),
        ),
        (
            "previous_ids",
            list_of(
                text("an id the activity had before"),
                "ids the activity had before: a check against a base counts its findings there as the same",
            ),
        ),
        (
            "ai_system",
            json!({
                "description": "the AI system the activity uses (AI Act), or `no`",
                "anyOf": [
                    { "const": "no" },
                    record(
                        "the AI system",
                        vec![
                            ("name", text("the system's name")),
                            ("role", choice(&vocab::AI_ROLES, "the organisation's AI Act role")),
                            ("annex_iii", text("`none`, or the Annex III point: 1(a)-8(b), e.g. 4(a), 5(b)")),
                            ("interacts_with_people", choice(&vocab::YES_NO, "interacts directly with people (art. 50(1))")),
                            ("disclosure", text("how people are told (art. 50)")),
                            ("fria_ref", text("the fundamental-rights impact assessment (art. 27)")),
                            ("registration_ref", text("the registration of the use (art. 49(3))")),
                            ("workers_informed", text("how and when staff and their representatives were told (art. 26(7))")),
                            ("art5_exception", choice(&vocab::AI_ART5_EXCEPTIONS, "the art. 5(1)(f) exception")),
                            ("exception_reason", text("why the exception applies")),
                        ],
                        &[],
                    ),
                ],
            }),
        ),
        (
            "joint_arrangement",
            record(
                "the joint controllers' arrangement (Art. 26)",
                vec![
                    ("ref", text("a reference")),
                    (
                        "controllers",
                        list_of(controller.clone(), "the joint controllers"),
                    ),
                ],
                &[],
            ),
        ),
    ];
    for (name, _) in TEXT_RECORDS {
        activity_properties.push((name, text_record(name)));
    }
    let activity = extensible(record(
        "a processing activity",
        activity_properties,
        &["id"],
    ));
    let organisation = record(
        "the organisation whose register this is",
        vec![
            ("id", text("a stable kebab-case id")),
            ("name", text("its name")),
            ("contact", text("how to reach it about privacy")),
            (
                "dpo",
                json!({
                    "description": "the data protection officer, or `none-designated`",
                    "anyOf": [
                        { "const": vocab::NO_DPO },
                        record("the DPO", vec![("name", text("name")), ("contact", text("how to reach the DPO"))], &[]),
                    ],
                }),
            ),
            (
                "public_authority",
                choice(&vocab::YES_NO, "a public authority or body"),
            ),
            (
                "participation_body",
                choice(
                    &vocab::PARTICIPATION_BODIES,
                    "the employee participation body: or (works council), pvt, mr, gmr (school), none",
                ),
            ),
            (
                "public_service",
                choice(&vocab::YES_NO, "a private entity providing public services (AI Act art. 27)"),
            ),
        ],
        &["id", "name"],
    );
    let defaults = record(
        "what every activity inherits unless it sets its own",
        vec![
            (
                "role",
                choice(&vocab::ROLES, "for whom activities are done"),
            ),
            ("controllers", list_of(controller, "on whose behalf")),
            ("security_measures", text("Art. 32 measures")),
            (
                "operations",
                list_of(choice(&vocab::OPERATIONS, "an operation"), "operations"),
            ),
            ("retention", text_record("retention")),
        ],
        &[],
    );
    let subprocessor = extensible(record(
        "a sub-processor",
        vec![
            ("id", text("a stable kebab-case id")),
            ("name", text("its name")),
            (
                "kind",
                choice(
                    &vocab::SUBPROCESSOR_KINDS,
                    "a named company, or only a kind of provider",
                ),
            ),
            ("country", country),
            ("dpa_ref", text("the processing agreement")),
            (
                "authorisation",
                choice(
                    &vocab::AUTHORISATIONS,
                    "the controller's authorisation (Art. 28(2))",
                ),
            ),
            (
                "notified_on",
                text("when the controllers were told (YYYY-MM-DD)"),
            ),
            (
                "transfer_mechanism",
                choice(&vocab::TRANSFER_MECHANISMS, "the Chapter V transfer tool"),
            ),
            ("tia_ref", text("the transfer impact assessment")),
            (
                "dpf_certified",
                choice(
                    &vocab::YES_NO,
                    "certified under the EU-US Data Privacy Framework",
                ),
            ),
            (
                "dpf_hr",
                choice(&vocab::YES_NO, "the DPF certification covers HR data"),
            ),
            (
                "approval_ref",
                text("the approval of the Art. 40(9) code or Art. 42 certification"),
            ),
            (
                "engaged_by",
                text("the processor (an entry's id) that engaged this one: a sub-processor"),
            ),
        ],
        &["id", "kind"],
    ));
    let category_definition = |what: &str| {
        list_of(
            record(
                &format!("a {what} category of the register's own"),
                vec![
                    ("id", text("its id")),
                    ("label", text("its Dutch label")),
                    ("label_en", text("its English label")),
                    (
                        "dpv",
                        text("its W3C DPV term, e.g. pd:Name (else its parent's)"),
                    ),
                    ("parents", list_of(text("a parent category"), "its parents")),
                ],
                &["id"],
            ),
            &format!("{what} categories the register adds to the taxonomy"),
        )
    };
    let waiver = record(
        "a finding accepted on purpose, for a time",
        vec![
            ("rule", text("the rule id")),
            ("activity", text("the activity id")),
            (
                "target",
                text("the data item's category or the sub-processor's id"),
            ),
            ("reason", text("why")),
            ("approved_by", text("who approved it")),
            ("expires", text("its last day, YYYY-MM-DD")),
            ("ref", text("a reference to the decision")),
        ],
        &["rule", "activity", "reason", "approved_by", "expires"],
    );
    let position = record(
        "a reasoned position: the organisation's standing answer to a rule that accepts one (`ropa rules` marks them POS)",
        vec![
            ("rule", text("the rule id")),
            (
                "activity",
                text("the activity id; none: the position answers an organisation finding"),
            ),
            (
                "target",
                text("the data item's category, the subject category or the entry id"),
            ),
            ("reasoning", text("the legal reasoning, first line first")),
            ("approved_by", text("who approved it")),
            ("decided_on", text("when it was decided, YYYY-MM-DD")),
            ("reviewed_on", text("when it was last reviewed, YYYY-MM-DD")),
            ("ref", text("a reference to the decision")),
        ],
        &["rule", "reasoning", "approved_by", "decided_on", "reviewed_on"],
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ropa register file",
        "description": "One file of a register of processing activities (GDPR Art. 30), as ropa reads it.",
        "type": "object",
        "properties": {
            "organisation": organisation,
            "defaults": defaults,
            "activities": list_of(activity, "the processing activities"),
            "subprocessors": list_of(subprocessor.clone(), "processors and sub-processors (one list with `processors`)"),
            "processors": list_of(subprocessor, "the organisation's own processors and their sub-processors"),
            "data_categories": category_definition("data"),
            "subject_categories": category_definition("subject"),
            "waivers": list_of(waiver, "accepted findings"),
            "positions": list_of(position, "reasoned positions"),
        },
        "patternProperties": { "^x-": { "description": "free for YAML anchors" } },
        "additionalProperties": false,
    })
}
