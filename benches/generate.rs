//! A synthetic register of N activities for benchmarks: the seed annex's mix of data
//! categories, subjects and sub-processors, spread over files, with the same kinds of gaps
//! (no retention, no controllers, location without a purpose) in varying proportions.
//! Deterministic: the same N gives the same files.

use std::fmt::Write as _;
use std::path::Path;

/// One activity shape, after a row of the seed annex.
struct Shape {
    role: &'static str,
    subjects: &'static [&'static str],
    data: &'static [&'static str],
    bases: &'static [&'static str],
    subprocessors: usize,
}

const SHAPES: [Shape; 14] = [
    Shape {
        role: "controller",
        subjects: &["customer_contact"],
        data: &[
            "name",
            "initials",
            "gender",
            "employer",
            "job_role",
            "phone_number",
            "mobile_phone_number",
            "email_address",
            "postal_address",
        ],
        bases: &["Overeenkomst", "Gerechtigd belang"],
        subprocessors: 0,
    },
    Shape {
        role: "processor",
        subjects: &["telephony_user", "phonebook_contact", "caller"],
        data: &[
            "name",
            "employer",
            "email_address",
            "phone_number",
            "mobile_phone_number",
            "profile_photo",
            "online_identifier",
            "phone_book",
            "voicemail_recording",
            "text_message",
            "call_detail_record",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["telephony_user", "customer_employee"],
        data: &[
            "name",
            "employer",
            "email_address",
            "phone_number",
            "mobile_phone_number",
            "process_role",
            "support_ticket",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["telephony_user", "caller"],
        data: &[
            "system_log",
            "online_identifier",
            "call_detail_record",
            "call_recording",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["device_user"],
        data: &[
            "imei",
            "serial_number",
            "name",
            "initials",
            "employer",
            "mobile_phone_number",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 0,
    },
    Shape {
        role: "processor",
        subjects: &["customer_contact", "device_user"],
        data: &[
            "name",
            "initials",
            "employer",
            "authorised_signatory",
            "phone_number",
            "mobile_phone_number",
            "email_address",
            "business_registration_extract",
            "iban",
            "bank_card_copy",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["device_user", "phonebook_contact"],
        data: &["name", "gps_position", "device_data", "device_content"],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["key_holder", "alarm_contact"],
        data: &["name", "activity_log", "alarm_contact_details"],
        bases: &["Overeenkomst"],
        subprocessors: 0,
    },
    Shape {
        role: "processor",
        subjects: &["resident", "customer_employee"],
        data: &["name", "access_authorisation"],
        bases: &["Overeenkomst"],
        subprocessors: 0,
    },
    Shape {
        role: "processor",
        subjects: &["system_administrator", "filmed_person"],
        data: &[
            "name",
            "activity_log",
            "camera_video",
            "camera_audio",
            "online_identifier",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 0,
    },
    Shape {
        role: "processor",
        subjects: &["care_recipient", "customer_contact"],
        data: &[
            "name",
            "postal_address",
            "room_number",
            "phone_number",
            "email_address",
            "gps_position",
            "care_alarm_activation",
            "contact",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["unspecified_subjects"],
        data: &["unspecified_customer_data"],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
    Shape {
        role: "processor",
        subjects: &["customer_employee"],
        data: &["user_account", "support_ticket"],
        bases: &["Overeenkomst"],
        subprocessors: 3,
    },
    Shape {
        role: "processor",
        subjects: &["driver"],
        data: &[
            "name",
            "contact",
            "employer",
            "vehicle_characteristics",
            "trip_record",
            "driving_behaviour",
            "vehicle_speed",
            "idling",
            "fuel_consumption",
        ],
        bases: &["Overeenkomst"],
        subprocessors: 1,
    },
];

const LOCATION: [&str; 3] = ["gps_position", "trip_record", "live_location"];

/// A small, fixed pseudo-random sequence (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SUBPROCESSORS: usize = 40;

/// How many gaps the generated activities have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gaps {
    /// The seed's mix: about four findings an activity.
    Seed,
    /// About twice as many: the optional fields that close findings are left out, and each
    /// activity gets data items that rules judge on their own (a GPS position with no purpose
    /// covering it, a call recording with no justification).
    Double,
}

/// Writes a register of `activities` activities into `dir`, 200 activities per file, with the
/// seed's mix of gaps.
#[allow(
    dead_code,
    reason = "the tests call it; the example and the benchmark call generate_with"
)]
pub fn generate(activities: usize, dir: &Path) -> std::io::Result<()> {
    generate_with(activities, dir, Gaps::Seed)
}

/// Data items that rules judge on their own, added with [`Gaps::Double`].
const EXTRA_ITEMS: [&str; 2] = ["gps_position", "call_recording"];

/// [`generate`] with a density of gaps.
pub fn generate_with(activities: usize, dir: &Path, gaps: Gaps) -> std::io::Result<()> {
    let double = gaps == Gaps::Double;
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut org = String::from(
        "organisation:\n  id: synthetic-org\n  name: Synthetic Org B.V.\n  contact: privacy@synthetic.example\n\
         defaults:\n  operations: [collect, record, store, use, erase]\n\nsubprocessors:\n",
    );
    for s in 0..SUBPROCESSORS {
        match s % 4 {
            0 => writeln!(org, "  - {{ id: sub-{s}, name: Aanbieders van diensten {s}, kind: category }}"),
            1 => writeln!(org, "  - {{ id: sub-{s}, name: Leverancier {s} B.V., kind: named, country: NL, dpa_ref: SUB-{s} }}"),
            2 => writeln!(org, "  - {{ id: sub-{s}, name: Vendor {s} Inc., kind: named, country: US, dpa_ref: SUB-{s} }}"),
            _ => writeln!(org, "  - {{ id: sub-{s}, name: Vendor {s} Ltd., kind: named, country: GB, dpa_ref: SUB-{s}, transfer_mechanism: adequacy }}"),
        }
        .map_err(std::io::Error::other)?;
    }
    std::fs::write(dir.join("organisatie.yaml"), org)?;

    let per_file = 200;
    for (file_index, start) in (0..activities).step_by(per_file).enumerate() {
        let mut text = String::from("activities:\n");
        for i in start..(start + per_file).min(activities) {
            let Some(shape) = SHAPES.get(i % SHAPES.len()) else {
                continue;
            };
            let id = format!("activiteit-{i}");
            let _ = writeln!(text, "  - id: {id}");
            let _ = writeln!(text, "    name: Dienst {i}");
            let _ = writeln!(text, "    systems: [Systeem {}]", i % 97);
            let _ = writeln!(text, "    role: {}", shape.role);
            if shape.role == "processor" && rng.chance(50) && !double {
                let _ = writeln!(
                    text,
                    "    controllers: [{{ name: Klant {} B.V. }}]",
                    i % 501
                );
            }
            let _ = writeln!(text, "    data_subjects: [{}]", shape.subjects.join(", "));
            let _ = writeln!(
                text,
                "    purposes:\n      - {{ id: doel-{i}, text: Het leveren van dienst {i} }}"
            );
            let _ = writeln!(text, "    legal_basis: [{}]", shape.bases.join(", "));
            if shape.bases.contains(&"Gerechtigd belang") && rng.chance(50) && !double {
                let _ = writeln!(text, "    legitimate_interest_assessment: LIA-{i}");
            }
            if rng.chance(40) && !double {
                let _ = writeln!(text, "    retention: {{ period: P{}Y }}", 1 + i % 7);
            }
            if rng.chance(50) && !double {
                let _ = writeln!(text, "    security_measures: ISMS-{}", i % 13);
            }
            if rng.chance(30) && !double {
                let _ = writeln!(text, "    dpia: {{ ref: DPIA-{i} }}");
            }
            let _ = writeln!(text, "    data:");
            let extra: &[&str] = if double { &EXTRA_ITEMS } else { &[] };
            for category in shape
                .data
                .iter()
                .chain(extra)
                .filter(|c| double || !extra.contains(c))
            {
                let linked = LOCATION.contains(category) && rng.chance(50) && !double;
                if linked {
                    let _ = writeln!(text, "      - {{ category: {category}, label: Gegeven {category}, purposes: [doel-{i}] }}");
                } else {
                    let _ = writeln!(
                        text,
                        "      - {{ category: {category}, label: Gegeven {category} }}"
                    );
                }
            }
            if shape.subprocessors > 0 {
                let subs: Vec<String> = (0..shape.subprocessors)
                    .map(|k| format!("sub-{}", (i + k * 7) % SUBPROCESSORS))
                    .collect();
                let _ = writeln!(text, "    subprocessors: [{}]", subs.join(", "));
            }
            if rng.chance(5) {
                let _ = writeln!(text, "    transfers: [{{ to: Offshore {i}, country: IN }}]");
            }
        }
        std::fs::write(dir.join(format!("diensten-{file_index:04}.yaml")), text)?;
    }
    Ok(())
}
