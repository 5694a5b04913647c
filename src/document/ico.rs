//! Owns the export in the layout of the ICO's documentation templates: the controller
//! template's 30 columns (verbatim) for controller and joint-controller activities, a
//! processor sheet of Art. 30(2)'s elements for processor activities, each row ending with
//! the activity's id and its open findings. Written as XLSX (one sheet per template, header
//! frozen, filters on, columns sized) or as one CSV per template.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError,
};

use super::{words, Document, Lang, Record};
use crate::register::{Activity, AutomatedDecision, Register};

/// The ICO controller template's columns (sheet `Template`, row 9), verbatim.
pub const CONTROLLER_COLUMNS: [&str; 30] = [
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
    "Has a personal data breach occurred?",
    "Link to record of personal data breach",
    "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing",
    "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document (if applicable)",
];

/// The processor sheet's columns: Art. 30(2)(a)-(d) in order (the processor's own name,
/// representative and DPO are in the contact block above).
pub const PROCESSOR_COLUMNS: [&str; 6] = [
    "Name and contact details of controller",
    "Categories of processing carried out on behalf of the controller",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "General description of technical and organisational security measures (if possible)",
    "Sub-processors engaged",
];

/// The columns ropa adds after a template's own.
pub const ROPA_COLUMNS: [&str; 2] = ["Activity id", "Open findings"];

/// The row (0-based) of the header in the XLSX sheets, as in the ICO template (row 9).
pub const HEADER_ROW: u32 = 8;

/// One template's sheet.
#[derive(Debug)]
pub struct Sheet {
    /// The sheet's name, and the CSV file's suffix.
    pub name: &'static str,
    /// The contact block above the header: label and value.
    pub contact: Vec<(String, String)>,
    /// The header row.
    pub header: Vec<&'static str>,
    /// One row per activity.
    pub rows: Vec<Vec<String>>,
}

/// The two sheets of the export: `controller` and `processor`. `open` is
/// [`super::open_findings`]; `eea` the countries of the EEA.
pub fn sheets(
    register: &Register,
    document: &Document,
    open: &std::collections::BTreeMap<Option<&str>, Vec<String>>,
    eea: &[String],
) -> Vec<Sheet> {
    let organisation = &document.organisation;
    let contact = |role: &str| {
        vec![
            (
                format!("Name and contact details of the {role}"),
                [
                    Some(organisation.name.clone()),
                    organisation.contact.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            ),
            (
                "Name and contact details of the data protection officer (if applicable)"
                    .to_string(),
                organisation.dpo.clone().unwrap_or_default(),
            ),
            (
                "Name and contact details of the representative (if applicable)".to_string(),
                String::new(),
            ),
            (
                "Open findings on the organisation".to_string(),
                open.get(&None)
                    .map(|lines| lines.join("\n"))
                    .unwrap_or_default(),
            ),
        ]
    };
    let mut controller = Sheet {
        name: "controller",
        contact: contact("controller"),
        header: CONTROLLER_COLUMNS
            .iter()
            .chain(&ROPA_COLUMNS)
            .copied()
            .collect(),
        rows: Vec::new(),
    };
    let mut processor = Sheet {
        name: "processor",
        contact: contact("processor"),
        header: PROCESSOR_COLUMNS
            .iter()
            .chain(&ROPA_COLUMNS)
            .copied()
            .collect(),
        rows: Vec::new(),
    };
    for (activity, record) in register.activities.iter().zip(&document.activities) {
        let facts = Facts::of(activity, record, register, eea);
        let findings = open
            .get(&Some(record.id.as_str()))
            .map(|lines| lines.join("\n"))
            .unwrap_or_default();
        let mut row = if record.role_id == "processor" {
            facts.processor_row(record)
        } else {
            facts.controller_row(record)
        };
        row.push(record.id.clone());
        row.push(findings);
        if record.role_id == "processor" {
            processor.rows.push(row);
        } else {
            controller.rows.push(row);
        }
    }
    vec![controller, processor]
}

/// What both templates take from an activity beyond its record.
struct Facts {
    countries: String,
    safeguards: String,
    contracts: String,
    recipients: String,
    automated: String,
    art9: String,
    dpia_required: String,
    dpia_ref: String,
    retention_ref: String,
    lia: String,
    consent_proof: String,
}

impl Facts {
    fn of(activity: &Activity, record: &Record, register: &Register, eea: &[String]) -> Self {
        let mut countries: Vec<String> = Vec::new();
        let mut safeguards: Vec<String> = Vec::new();
        let mut add = |country: Option<&str>, mechanism: Option<&str>| {
            if let Some(c) = country.filter(|c| !eea.iter().any(|e| e == c)) {
                if !countries.iter().any(|k| k == c) {
                    countries.push(c.to_string());
                }
            }
            if let Some(m) = mechanism {
                let word = words::transfer_mechanism(m, Lang::En).to_string();
                if !safeguards.contains(&word) {
                    safeguards.push(word);
                }
            }
        };
        for transfer in &activity.transfers {
            add(
                transfer.country.as_ref().map(|c| c.value.as_str()),
                transfer.mechanism.as_ref().map(|m| m.value.as_str()),
            );
        }
        // A recipient in a third country receives the data there: its country is one the
        // data goes to.
        if let crate::register::Recipients::Listed(listed) = &activity.recipients {
            for recipient in listed {
                add(recipient.country.as_ref().map(|c| c.value.as_str()), None);
            }
        }
        let mut contracts = Vec::new();
        for id in &activity.subprocessors {
            if let Some(sub) = register.subprocessor(&id.value) {
                add(
                    sub.country.as_ref().map(|c| c.value.as_str()),
                    sub.transfer_mechanism.as_ref().map(|m| m.value.as_str()),
                );
                if let Some(dpa) = &sub.dpa_ref {
                    let name = sub.name.as_ref().unwrap_or(&sub.id);
                    contracts.push(format!("{}: {}", name.value, dpa.value));
                }
            }
        }
        let field = |record: &str, field: &str| {
            activity
                .records
                .get(record)
                .and_then(|r| r.get(field))
                .map(|v| v.value.clone())
                .unwrap_or_default()
        };
        let mut automated = match &activity.automated_decision {
            Some(AutomatedDecision::No(_)) => "No automated decisions".to_string(),
            Some(AutomatedDecision::Declared {
                exception,
                safeguards,
                reference,
                ..
            }) => {
                let parts: Vec<String> = [
                    exception
                        .as_ref()
                        .map(|e| format!("exception: {}", e.value)),
                    safeguards
                        .as_ref()
                        .map(|s| format!("safeguards: {}", s.value)),
                    reference.as_ref().map(|r| r.value.clone()),
                ]
                .into_iter()
                .flatten()
                .collect();
                format!("Automated decisions ({})", parts.join("; "))
            }
            None => String::new(),
        };
        if let Some(profiling) = &activity.profiling {
            if !automated.is_empty() {
                automated.push('\n');
            }
            automated.push_str(&format!("Profiling: {}", profiling.value));
        }
        let art9 = [
            field("special_category_condition", "article"),
            field("special_category_condition", "ref"),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
        let dpia_ref = field("dpia", "ref");
        let not_required = field("dpia", "not_required_reason");
        let dpia_required = if !dpia_ref.is_empty() {
            "Yes".to_string()
        } else if !not_required.is_empty() {
            format!("No: {not_required}")
        } else {
            String::new()
        };
        let mut recipients = record.subprocessors.clone();
        // `recipients: none` says no one else receives the data: beside the processors it is
        // left out, alone it reads as such (never a bare "None").
        let stated_none = matches!(
            activity.recipients,
            crate::register::Recipients::NoneDeclared(_)
        );
        if !stated_none {
            recipients.extend(record.recipients.iter().cloned());
        }
        recipients.extend(
            activity
                .transfers
                .iter()
                .filter_map(|t| t.to.as_ref().map(|to| to.value.clone())),
        );
        Facts {
            countries: countries.join("\n"),
            safeguards: safeguards.join("\n"),
            contracts: contracts.join("\n"),
            recipients: if recipients.is_empty() && stated_none {
                "No recipients (stated in the register)".to_string()
            } else {
                recipients.join("\n")
            },
            automated,
            art9,
            dpia_required,
            dpia_ref,
            retention_ref: field("retention", "ref"),
            lia: activity
                .legitimate_interest_assessment
                .as_ref()
                .map(|l| l.value.clone())
                .unwrap_or_default(),
            consent_proof: field("consent", "proof"),
        }
    }

    fn controller_row(&self, record: &Record) -> Vec<String> {
        let retention = field_of(&record.retention);
        let joint = if record.role_id == "joint_controller" {
            record.controllers.join("\n")
        } else {
            String::new()
        };
        let bases = record
            .legal_basis
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        vec![
            record.name.clone(),
            record.purposes.join("\n"),
            joint,
            record.subjects.join("\n"),
            record.data.join("\n"),
            self.recipients.clone(),
            self.contracts.clone(),
            self.countries.clone(),
            self.safeguards.clone(),
            retention,
            field_of(&record.security_measures),
            bases,
            self.art9.clone(),
            String::new(),
            self.lia.clone(),
            String::new(),
            self.automated.clone(),
            String::new(),
            self.consent_proof.clone(),
            record.systems.join("\n"),
            self.dpia_required.clone(),
            String::new(),
            self.dpia_ref.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            self.retention_ref.clone(),
            String::new(),
            String::new(),
        ]
    }

    fn processor_row(&self, record: &Record) -> Vec<String> {
        // The name, then each list under its heading, one value a line (labels hold commas).
        let mut processing = vec![record.name.clone()];
        for (heading, values) in [
            ("Personal data:", &record.data),
            ("Data subjects:", &record.subjects),
            ("Purposes:", &record.purposes),
        ] {
            if !values.is_empty() {
                processing.push(heading.to_string());
                processing.extend(values.iter().map(|v| format!("- {v}")));
            }
        }
        vec![
            record.controllers.join("\n"),
            processing.join("\n"),
            self.countries.clone(),
            self.safeguards.clone(),
            field_of(&record.security_measures),
            record.subprocessors.join("\n"),
        ]
    }
}

fn field_of(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The sheets as one XLSX workbook. The file carries a fixed creation time (1980-01-01, the
/// ZIP epoch), so the same register gives the same bytes.
pub fn render_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Record of processing activities (ICO documentation template layout)")
            .set_creation_datetime(&epoch),
    );
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0x00D9_E1F2));
    let label = Format::new().set_bold().set_align(FormatAlign::Top);
    let cell = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        let title = match sheet.name {
            "controller" => "Controller",
            _ => "Processor",
        };
        worksheet.set_name(title)?;
        for (row, (name, value)) in (0u32..).zip(&sheet.contact) {
            worksheet.write_string_with_format(row, 0, name, &label)?;
            worksheet.write_string_with_format(row, 1, value, &cell)?;
        }
        let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.len().min(30)).collect();
        for (col, name) in (0u16..).zip(&sheet.header) {
            worksheet.write_string_with_format(HEADER_ROW, col, *name, &header)?;
        }
        for (row, values) in (HEADER_ROW + 1..).zip(&sheet.rows) {
            for ((col, value), width) in (0u16..).zip(values).zip(widths.iter_mut()) {
                worksheet.write_string_with_format(row, col, value, &cell)?;
                let longest = value.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                *width = (*width).max(longest);
            }
        }
        for (col, width) in (0u16..).zip(&widths) {
            // Between 12 and 60 characters: long texts wrap.
            let width = u32::try_from((*width).clamp(12, 60)).unwrap_or(60);
            worksheet.set_column_width(col, width)?;
        }
        let last_row = HEADER_ROW + u32::try_from(sheet.rows.len()).unwrap_or(0);
        let last_col = u16::try_from(sheet.header.len().saturating_sub(1)).unwrap_or(0);
        worksheet.autofilter(HEADER_ROW, 0, last_row, last_col)?;
        worksheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    }
    workbook.save_to_buffer()
}

/// One sheet as CSV, the header first (no contact block: a CSV is one table).
pub fn render_sheet_csv(sheet: &Sheet) -> String {
    let mut rows = vec![sheet.header.iter().map(|h| (*h).to_string()).collect()];
    rows.extend(sheet.rows.iter().cloned());
    super::annex::write_csv(&rows)
}
