//! `ropa import`: an ICO template filled in by a person (contact block, group headings, a
//! merged business function, several values a cell, English and Dutch wording, a stale
//! safeguard, a column no field takes) imports, loads and checks, with a mapping report that
//! lists every column; and registers exported as `ico-xlsx` or `ico-csv` come back with the
//! same activities, legal bases, data categories, subjects, retention and third countries.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a failed expectation is a failed test"
)]

mod common;
use common::{root, temp};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use ropa::pipeline::load_all;
use ropa::register::Register;
use ropa::source::SourceMap;
use ropa::yaml::Limits;

fn ropa(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .arg("--no-config")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ROPA_CACHE", "off")
        .env_remove("CI")
        .output()
        .expect("ropa runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn policies() -> String {
    root().join("policies").display().to_string()
}

fn load(path: &Path) -> Register {
    let mut sources = SourceMap::new();
    match load_all(
        &[path.display().to_string()],
        &root().join("policies"),
        &Limits::default(),
        &mut sources,
    ) {
        Ok(loaded) => loaded.register,
        Err(problems) => panic!("{}: {problems:#?}", path.display()),
    }
}

/// What a round trip must keep of each activity: legal bases, data categories, subjects,
/// retention period, the third countries its data goes to.
type Kept = (
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
    Option<String>,
    BTreeSet<String>,
);

/// A category as a round trip can keep it: a taxonomy category by its id, one of the
/// register's own by its label (the ICO layout carries no id or parent for those).
fn category_name(
    taxonomy: &ropa::taxonomy::Taxonomy,
    pack: &ropa::taxonomy::Taxonomy,
    id: &str,
    ico: bool,
) -> String {
    if pack.contains(id) || !ico {
        id.to_string()
    } else {
        format!("own: {}", taxonomy.label(id, false).to_lowercase())
    }
}

/// What a round trip keeps; `ico`: through the ICO layout (a processor's record without a
/// basis or retention, the register's own categories by label), else through DPV.
fn kept(register: &Register, eea: &BTreeSet<String>, ico: bool) -> BTreeMap<String, Kept> {
    register
        .activities
        .iter()
        .map(|a| {
            let mut countries: BTreeSet<String> = a
                .transfers
                .iter()
                .filter_map(|t| t.country.as_ref().map(|c| c.value.clone()))
                .collect();
            for id in &a.subprocessors {
                if let Some(country) = register
                    .subprocessor(&id.value)
                    .and_then(|s| s.country.as_ref())
                {
                    countries.insert(country.value.clone());
                }
            }
            if let ropa::register::Recipients::Listed(listed) = &a.recipients {
                countries.extend(
                    listed
                        .iter()
                        .filter_map(|r| r.country.as_ref().map(|c| c.value.clone())),
                );
            }
            countries.retain(|c| !eea.contains(c));
            (
                a.id.value.clone(),
                (
                    // A processor's record (Art. 30(2)) has no legal basis: its sheet carries
                    // none.
                    if ico && a.effective_role() == "processor" {
                        BTreeSet::new()
                    } else {
                        a.legal_basis.iter().map(|b| b.value.clone()).collect()
                    },
                    a.data
                        .iter()
                        .map(|d| {
                            category_name(
                                &register.data_categories,
                                &PACK.0,
                                &d.category.value,
                                ico,
                            )
                        })
                        .collect(),
                    a.data_subjects
                        .iter()
                        .map(|s| {
                            category_name(&register.subject_categories, &PACK.1, &s.value, ico)
                        })
                        .collect(),
                    // Nor does a processor's record carry a retention period.
                    a.records
                        .get("retention")
                        .and_then(|r| r.get("period"))
                        .map(|p| p.value.clone())
                        .filter(|_| !ico || a.effective_role() != "processor"),
                    countries,
                ),
            )
        })
        .collect()
}

/// The pack's taxonomies (data, subjects).
static PACK: std::sync::LazyLock<(ropa::taxonomy::Taxonomy, ropa::taxonomy::Taxonomy)> =
    std::sync::LazyLock::new(|| {
        let mut sources = SourceMap::new();
        let pack =
            ropa::policy::load_policies(&root().join("policies"), &mut sources, &Limits::default())
                .expect("pack");
        (pack.data_categories, pack.subject_categories)
    });

fn eea() -> BTreeSet<String> {
    let mut sources = SourceMap::new();
    let pack =
        ropa::policy::load_policies(&root().join("policies"), &mut sources, &Limits::default())
            .expect("pack");
    pack.vocabulary
        .regions
        .iter()
        .find(|r| r.id == "EEA")
        .map(|r| r.countries.iter().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn registers_exported_to_the_ico_layout_come_back_the_same() {
    let eea = eea();
    for (name, register) in [
        ("shipped", root().join("register")),
        (
            "school",
            root().join("tests/fixtures/school-board/register"),
        ),
        ("hr", root().join("tests/fixtures/sectors/hr-logistiek")),
        ("hospital", root().join("tests/fixtures/sectors/ziekenhuis")),
        ("fitness", root().join("tests/fixtures/sectors/fitness-app")),
        (
            "municipality",
            root().join("tests/fixtures/sectors/gemeente-sociaal-domein"),
        ),
        ("full", root().join("tests/fixtures/full")),
    ] {
        let dir = temp(&format!("round-trip-{name}"));
        let loaded = load(&register);
        let original = kept(&loaded, &eea, true);
        let original_dpv = kept(&loaded, &eea, false);
        let register = register.display().to_string();
        let policies = policies();
        // The workbook.
        let out = ropa(
            &dir,
            &[
                "export",
                &register,
                "--policies",
                &policies,
                "--format",
                "ico-xlsx",
                "-o",
                "r.xlsx",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        let out = ropa(
            &dir,
            &["import", "r.xlsx", "--policies", &policies, "-o", "xlsx"],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        assert_eq!(
            kept(&load(&dir.join("xlsx")), &eea, true),
            original,
            "{name}: xlsx"
        );
        // DPV JSON-LD.
        let out = ropa(
            &dir,
            &[
                "export",
                &register,
                "--policies",
                &policies,
                "--format",
                "dpv-jsonld",
                "-o",
                "r.jsonld",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        let out = ropa(
            &dir,
            &["import", "r.jsonld", "--policies", &policies, "-o", "dpv"],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        assert_eq!(
            kept(&load(&dir.join("dpv")), &eea, false),
            original_dpv,
            "{name}: dpv"
        );
        // The two CSV files, each imported on its own.
        let out = ropa(
            &dir,
            &[
                "export",
                &register,
                "--policies",
                &policies,
                "--format",
                "ico-csv",
                "-o",
                "r.csv",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        let mut back = BTreeMap::new();
        for sheet in ["controller", "processor"] {
            let file = format!("r-{sheet}.csv");
            if !dir.join(&file).exists() {
                continue;
            }
            let rows = std::fs::read_to_string(dir.join(&file)).expect("csv");
            if rows.lines().count() < 2 {
                continue;
            }
            let out = ropa(
                &dir,
                &["import", &file, "--policies", &policies, "-o", sheet],
            );
            assert_eq!(out.status.code(), Some(0), "{name} {sheet}: {}", text(&out));
            back.extend(kept(&load(&dir.join(sheet)), &eea, true));
        }
        assert_eq!(back, original, "{name}: csv");
    }
}

/// An ICO controller template as a person fills it in: the contact block, a group heading
/// row with merged cells, headings as the ICO writes them (some shortened), a business
/// function merged over two rows, several values a cell, Dutch and English words.
fn filled_template(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Template").expect("name");
    let rows: [(&str, &str); 3] = [
        (
            "Name and contact details of the controller",
            "Bakkerij De Korenschoof B.V., privacy@korenschoof.example",
        ),
        (
            "Name and contact details of the data protection officer (if applicable)",
            "Jan Jansen, fg@korenschoof.example",
        ),
        (
            "Name and contact details of the representative (if applicable)",
            "n/a",
        ),
    ];
    for (r, (label, value)) in (0u32..).zip(rows) {
        sheet.write_string(r, 0, label).expect("write");
        sheet.write_string(r, 1, value).expect("write");
    }
    let group = Format::new().set_bold();
    sheet
        .merge_range(
            7,
            0,
            7,
            10,
            "Article 30 Record of Processing Activities",
            &group,
        )
        .expect("merge");
    sheet
        .merge_range(7, 11, 7, 17, "Privacy Notices", &group)
        .expect("merge");
    let headings = [
        "Business function",
        "Purpose of processing",
        "Name and contact details of joint controller (if applicable)",
        "Categories of individuals",
        "Categories of personal data",
        "Categories of recipients",
        "Link to contract with processor",
        "Names of third countries or international organisations that personal data are transferred to (if applicable)",
        "Safeguards for exceptional transfers of personal data to third countries or international organisations",
        "Retention schedule",
        "General description of technical and organisational security measures",
        "Article 6 lawful basis for processing personal data",
        "Article 9 condition for processing special category data",
        "Legitimate interests for the processing (if applicable)",
        "Link to record of legitimate interests assessment",
        "Owner",
    ];
    for (c, heading) in (0u16..).zip(headings) {
        sheet.write_string(8, c, heading).expect("write");
    }
    let data: [[&str; 16]; 3] = [
        [
            "HR",
            "Salarisbetaling",
            "",
            "Medewerkers",
            "Naam\nBSN\nSalaris\nIBAN",
            "Belastingdienst; pensioenfonds",
            "",
            "",
            "",
            "7 jaar",
            "Toegang op rollen, versleuteling",
            "legal obligation: Wet op de loonbelasting 1964 art. 28",
            "",
            "",
            "",
            "P. de Vries",
        ],
        [
            "",
            "Werving en selectie",
            "",
            "Sollicitanten",
            "CV\nName\nKleding maat",
            "",
            "",
            "Verenigde Staten",
            "EU-US Privacy Shield",
            "4 weken na de procedure, of 1 jaar met toestemming",
            "",
            "Art. 6(1)(b)\nToestemming betrokkene",
            "",
            "",
            "",
            "P. de Vries",
        ],
        [
            "Klantenservice",
            "Klachten afhandelen • Bestellingen leveren",
            "",
            "Customers",
            "Email address\nTelefoonnummer\nGezondheidsgegevens",
            "Bezorgdienst",
            "",
            "India",
            "Standard contractual clauses",
            "2 years",
            "ISMS",
            "Gerechtvaardigd belang verantwoordelijke",
            "Art. 9(2)(a) - explicit consent",
            "Snelle afhandeling",
            "LIA-2026-03",
            "",
        ],
    ];
    for (r, row) in (9u32..).zip(data) {
        for (c, value) in (0u16..).zip(row) {
            if !value.is_empty() {
                sheet.write_string(r, c, value).expect("write");
            }
        }
    }
    // The business function written once beside both HR rows.
    sheet
        .merge_range(9, 0, 10, 0, "HR", &Format::new())
        .expect("merge");
    workbook.save(path).expect("save");
}

#[test]
fn an_ico_template_filled_in_by_a_person_imports_loads_and_checks() {
    let dir = temp("filled");
    filled_template(&dir.join("register.xlsx"));
    let policies = policies();
    // The mapping first: every column, where it went; the values not read.
    let dry = ropa(
        &dir,
        &[
            "import",
            "register.xlsx",
            "--policies",
            &policies,
            "-o",
            "reg",
            "--dry-run",
        ],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    let report = text(&dry);
    assert!(report.contains("3 activities"), "{report}");
    for column in [
        "Template: Business function (A)",
        "Template: Categories of personal data (E)",
        "Template: Owner (P)",
    ] {
        assert!(report.contains(column), "{column} in\n{report}");
    }
    assert!(
        report.contains("columns no field takes") && report.contains("Owner (P)"),
        "{report}"
    );
    assert!(report.contains("Privacy Shield"), "{report}");
    assert!(report.contains("nothing written (--dry-run)"), "{report}");
    // In Dutch: the report's words and the notes.
    let dutch = ropa(
        &dir,
        &[
            "import",
            "register.xlsx",
            "--policies",
            &policies,
            "-o",
            "reg",
            "--dry-run",
            "--lang",
            "nl",
        ],
    );
    let dutch = text(&dutch);
    assert!(
        dutch.contains("na te kijken") && dutch.contains("niets geschreven"),
        "{dutch}"
    );
    assert!(
        dutch.contains("geldt niet meer als doorgifte-instrument"),
        "{dutch}"
    );
    assert!(
        !dutch.contains("to review") && !dutch.contains("no longer holds"),
        "{dutch}"
    );
    assert!(!dir.join("reg").exists());

    let out = ropa(
        &dir,
        &[
            "import",
            "register.xlsx",
            "--policies",
            &policies,
            "-o",
            "reg",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let activities = std::fs::read_to_string(dir.join("reg/activiteiten.yaml")).expect("written");
    let organisation = std::fs::read_to_string(dir.join("reg/organisatie.yaml")).expect("written");
    // Provenance beside each value.
    assert!(
        activities.contains("  - id: hr  # from Template!A10"),
        "{activities}"
    );
    assert!(organisation.contains("name: \"Bakkerij De Korenschoof B.V.\"  # from Template!B1"));
    assert!(
        organisation.contains("contact: \"fg@korenschoof.example\""),
        "{organisation}"
    );
    let register = load(&dir.join("reg"));
    let by_id: BTreeMap<&str, &ropa::register::Activity> = register
        .activities
        .iter()
        .map(|a| (a.id.value.as_str(), a))
        .collect();
    assert_eq!(by_id.len(), 3, "{:?}", by_id.keys());
    // The merged business function names both HR rows; the second gets its own id.
    let payroll = by_id["hr"];
    let hiring = by_id["hr-2"];
    assert_eq!(payroll.name.as_ref().map(|n| n.value.as_str()), Some("HR"));
    assert_eq!(hiring.name.as_ref().map(|n| n.value.as_str()), Some("HR"));
    // A statute beside the basis; bases in words and article notation.
    assert_eq!(payroll.legal_basis[0].value, "legal_obligation");
    assert_eq!(
        payroll.legal_basis_terms[0]
            .reference
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("Wet op de loonbelasting 1964 art. 28")
    );
    let bases: Vec<&str> = hiring
        .legal_basis
        .iter()
        .map(|b| b.value.as_str())
        .collect();
    assert_eq!(bases, ["contract", "consent"]);
    let categories: Vec<&str> = payroll
        .data
        .iter()
        .map(|d| d.category.value.as_str())
        .collect();
    assert_eq!(categories, ["name", "bsn", "salary", "iban"]);
    // A word in no list: a category of the register's own, under personal_data, to review.
    assert!(hiring
        .data
        .iter()
        .any(|d| d.category.value == "kleding_maat"));
    assert!(organisation.contains("id: kleding_maat"), "{organisation}");
    assert!(organisation.contains("parents: [personal_data]"));
    // Retention: a period only for one unconditional duration, the text always kept.
    let retention = |a: &ropa::register::Activity, field: &str| {
        a.records
            .get("retention")
            .and_then(|r| r.get(field))
            .map(|v| v.value.clone())
    };
    assert_eq!(retention(payroll, "period").as_deref(), Some("P7Y"));
    assert_eq!(retention(hiring, "period"), None);
    assert!(retention(hiring, "criterion").is_some_and(|c| c.starts_with("4 weken")));
    // Countries by name; the Privacy Shield kept as text and flagged, never a mechanism.
    assert_eq!(
        hiring.transfers[0]
            .country
            .as_ref()
            .map(|c| c.value.as_str()),
        Some("US")
    );
    assert!(hiring.transfers[0].mechanism.is_none());
    assert!(activities.contains("x-ico-safeguards: \"EU-US Privacy Shield\""));
    assert!(activities.contains("# review: `EU-US Privacy Shield`"));
    let service = by_id["klantenservice"];
    assert_eq!(
        service.transfers[0]
            .mechanism
            .as_ref()
            .map(|m| m.value.as_str()),
        Some("scc")
    );
    assert_eq!(service.purposes.len(), 2);
    assert_eq!(
        service
            .records
            .get("special_category_condition")
            .and_then(|r| r.get("article"))
            .map(|a| a.value.as_str()),
        Some("9(2)(a)")
    );
    // `ropa check` then says what the source lacked.
    let check = ropa(
        &dir,
        &["check", "reg", "--policies", &policies, "--format", "json"],
    );
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let findings: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    let rules: BTreeSet<&str> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules.contains("third-country-transfer-safeguard"),
        "{rules:?}"
    );
    assert!(rules.contains("bsn-statutory-basis"), "{rules:?}");
    // An existing folder is never written over: a dry run, said so.
    let again = ropa(
        &dir,
        &[
            "import",
            "register.xlsx",
            "--policies",
            &policies,
            "-o",
            "reg",
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    // The same source into the folder it wrote: nothing changed, nothing written.
    assert!(
        text(&again).contains("against reg: 0 added (-), 0 changed (-), 0 removed (-)"),
        "{}",
        text(&again)
    );
    assert!(text(&again).contains("nothing written (`--update`"));
    // A folder of another register is never written over.
    std::fs::create_dir_all(dir.join("other")).expect("mkdir");
    let other = ropa(
        &dir,
        &[
            "import",
            "register.xlsx",
            "--policies",
            &policies,
            "-o",
            "other",
        ],
    );
    assert_eq!(other.status.code(), Some(0));
    assert!(text(&other).contains("other exists"), "{}", text(&other));
    assert!(std::fs::read_dir(dir.join("other"))
        .expect("dir")
        .next()
        .is_none());
}

#[test]
fn a_file_that_is_not_an_ico_template_is_refused_with_what_ropa_looks_for() {
    let dir = temp("not-ico");
    std::fs::write(dir.join("list.csv"), "Naam,Doel\nCRM,Klanten\n").expect("write");
    let out = ropa(&dir, &["import", "list.csv", "--policies", &policies()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not laid out as the ICO documentation templates"));
    assert!(!dir.join("register").exists());
    // A ZIP that unpacks past its budget is refused before it is unpacked.
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("entry");
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..8 {
            zip.write_all(&zeros).expect("write");
        }
        zip.finish().expect("finish");
    }
    std::fs::write(dir.join("bomb.xlsx"), &bomb).expect("write");
    let out = ropa(&dir, &["import", "bomb.xlsx", "--policies", &policies()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("ZIP bomb"), "{}", text(&out));
}

#[test]
fn damaged_workbooks_and_csv_files_give_problems_never_a_panic() {
    use ropa::import::{ico, normalise::Synonyms, table, write};
    let dir = temp("damaged");
    filled_template(&dir.join("good.xlsx"));
    let good = std::fs::read(dir.join("good.xlsx")).expect("read");
    let mut sources = SourceMap::new();
    let pack =
        ropa::policy::load_policies(&root().join("policies"), &mut sources, &Limits::default())
            .expect("pack");
    let synonyms = Synonyms::default();
    let context = ropa::import::Context::of(&pack, &synonyms);
    // A fixed sequence of byte changes (a linear congruential generator): the same run every
    // time.
    let mut state: u64 = 0x5eed;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        usize::try_from(state >> 33).unwrap_or(0)
    };
    let mut read = 0;
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..(1 + next() % 8) {
            let at = next() % bytes.len();
            bytes[at] = u8::try_from(next() % 256).unwrap_or(0);
        }
        if let Ok(tables) = table::workbook("damaged.xlsx", &bytes) {
            let imported = ico::read(&tables, &context, "ico-xlsx");
            let _ = write::report(&imported, "damaged.xlsx", ropa::lang::Lang::Nl);
            let _ = write::files(&imported, "damaged.xlsx", ropa::lang::Lang::En);
            read += 1;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(table) = table::csv("damaged", &text) {
            let _ = ico::read(&[table], &context, "ico-csv");
        }
    }
    // The AVG register export and DPV JSON-LD, damaged the same way.
    avg_export(&dir.join("export.zip"));
    let export = std::fs::read(dir.join("export.zip")).expect("read");
    let out = ropa(
        &dir,
        &[
            "export",
            &root().join("register").display().to_string(),
            "--policies",
            &policies(),
            "--format",
            "dpv-jsonld",
            "-o",
            "r.jsonld",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let jsonld = std::fs::read(dir.join("r.jsonld")).expect("read");
    for _ in 0..200 {
        let mut zip = export.clone();
        let mut json = jsonld.clone();
        for _ in 0..(1 + next() % 8) {
            let at = next() % zip.len();
            zip[at] = u8::try_from(next() % 256).unwrap_or(0);
            let at = next() % json.len();
            json[at] = u8::try_from(next() % 256).unwrap_or(0);
        }
        if let Ok(imported) = ropa::import::avg::read("damaged.zip", &zip, &context) {
            let _ = write::files(&imported, "damaged.zip", ropa::lang::Lang::En);
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&json) {
            if let Ok(imported) = ropa::import::dpv::read("damaged.jsonld", &value, &context) {
                let _ = write::files(&imported, "damaged.jsonld", ropa::lang::Lang::En);
            }
        }
    }
    // Some damage leaves the workbook readable, most not: both paths were taken.
    assert!(
        read > 0 && read < 300,
        "{read} of 300 damaged workbooks read"
    );
}

/// An export of the central government's AVG register, as its application writes it: a ZIP of
/// JSON files (each with a UTF-8 BOM) in a folder per register.
fn avg_export(path: &Path) {
    use std::io::Write;
    let controller = serde_json::json!([
        {
            "Status": "Vastgesteld", "Id": "8c1d-01", "Naam": "Subsidieverlening",
            "Nummer": "VWS-0012", "Versie": 3, "Dienst": "Directie Subsidies",
            "Verantwoordelijken": [{ "Naam": "Minister van VWS" }],
            "Doelen": [
                { "Id": "d1", "Doel": "Subsidieaanvragen beoordelen", "Rechtsgrond": "Taak van algemeen belang:Kaderwet VWS-subsidies art. 3" },
                { "Id": "d2", "Doel": "Uitbetalen", "Rechtsgrond": "Wettelijke verplichting: Awb art. 4:21" },
                { "Id": "d3", "Doel": "Nieuwsbrief sturen", "Rechtsgrond": "Toestemming betrokkene" }
            ],
            "Betrokkenen": [
                {
                    "Id": "b1", "Omschrijving": "Aanvragers",
                    "Gezondheid": "ja", "RasOfEtniciteit": null, "Strafrechtelijk": "nee",
                    "Gegevens": [
                        { "Id": "g1", "Omschrijving": "Naam", "Bewaartermijn": "7 jaar" },
                        { "Id": "g2", "Omschrijving": "IBAN", "Bewaartermijn": "7 jaar" }
                    ]
                }
            ],
            "Verwerkers": [{ "Id": "v1", "Naam": "Cloud Partner Inc.", "Land": "Verenigde Staten" }],
            "Ontvangers": [{ "Id": "o1", "Omschrijving": "Belastingdienst" }],
            "Systemen": [{ "Id": "s1", "Omschrijving": "Subsidiesysteem" }],
            "Beveiliging": { "HasBeveiliging": "ja", "Maatregelen": ["Vastgesteld beveiligingsbeleid dat ook is geïmplementeerd", "Versleuteling"] },
            "Besluitvorming": { "HasBesluitvorming": "nee" },
            "Doorgifte": { "BuitenEu": "ja", "BuitenEuOmschrijving": "Verenigde Staten", "BuitenEuPassendBeschermingsniveauOmschrijving": "Privacy Shield" }
        },
        { "Status": "Vervallen", "Id": "8c1d-02", "Naam": "Oude regeling", "Doelen": [] }
    ]);
    let processor = serde_json::json!([
        {
            "Status": "Vastgesteld", "Id": "p-01", "Naam": "Salarisverwerking voor agentschappen",
            "Verantwoordelijken": [{ "Naam": "Agentschap X" }],
            "Doelen": [{ "Id": "d1", "Doel": "Salarissen berekenen", "Rechtsgrond": "Uitvoering overeenkomst" }],
            "Beveiliging": { "Maatregelen": ["BIO"] }
        }
    ]);
    let wpg = serde_json::json!([
        {
            "Status": "Vastgesteld", "Id": "w-01", "Naam": "Opsporing fraude",
            "Betrokkenen": { "Verdachten": "ja", "Slachtoffers": "nee", "Veroordeelden": "ja", "Derden": null },
            "Doelen": [{ "Id": "d1", "Omschrijving": "Fraude opsporen", "Artikel8": "ja", "Artikel13Lid1": "ja" }]
        }
    ]);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, value) in [
        ("AVG Verantwoordelijke Verwerkingen/VWS.json", controller),
        ("AVG Verwerker Verwerkingen/VWS.json", processor),
        ("WPG Verantwoordelijke Verwerkingen/VWS.json", wpg),
    ] {
        zip.start_file(name, options).expect("entry");
        zip.write_all("\u{feff}".as_bytes()).expect("bom");
        zip.write_all(value.to_string().as_bytes()).expect("write");
    }
    zip.finish().expect("finish");
}

#[test]
fn the_central_governments_avg_register_export_imports_loads_and_checks() {
    let dir = temp("avg");
    avg_export(&dir.join("export.zip"));
    let policies = policies();
    let out = ropa(
        &dir,
        &["import", "export.zip", "--policies", &policies, "-o", "reg"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("(avg-register-json): 3 activities"),
        "{report}"
    );
    assert!(
        report.contains("records left out") && report.contains("Status: Vervallen"),
        "{report}"
    );
    assert!(report.contains("Doelen[].Rechtsgrond"), "{report}");
    let activities = std::fs::read_to_string(dir.join("reg/activiteiten.yaml")).expect("written");
    assert!(
        activities.contains(
            "# from AVG Verantwoordelijke Verwerkingen/VWS.json#[0].Doelen[0].Rechtsgrond"
        ),
        "{activities}"
    );
    let register = load(&dir.join("reg"));
    assert!(register.organisation.public_authority.is_some());
    assert_eq!(register.organisation.name.value, "Minister van VWS");
    let by_id: BTreeMap<&str, &ropa::register::Activity> = register
        .activities
        .iter()
        .map(|a| (a.id.value.as_str(), a))
        .collect();
    assert_eq!(by_id.len(), 3, "{:?}", by_id.keys());
    let grants = by_id["subsidieverlening"];
    // The basis on each purpose: three bases, each serving its own purpose, with its statute.
    let bases: Vec<&str> = grants
        .legal_basis
        .iter()
        .map(|b| b.value.as_str())
        .collect();
    assert_eq!(bases, ["public_task", "legal_obligation", "consent"]);
    assert_eq!(
        grants.legal_basis_terms[0]
            .reference
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("Kaderwet VWS-subsidies art. 3")
    );
    assert_eq!(grants.legal_basis_terms[2].purposes.len(), 1);
    // The flags: health yes, criminal no, ethnicity unknown (not no, not yes).
    let categories: Vec<&str> = grants
        .data
        .iter()
        .map(|d| d.category.value.as_str())
        .collect();
    assert!(
        categories.contains(&"health") && categories.contains(&"iban"),
        "{categories:?}"
    );
    assert!(
        !categories.contains(&"criminal_data") && !categories.contains(&"racial_ethnic_origin")
    );
    // One retention for all items: the activity's period and the text.
    assert_eq!(
        grants
            .records
            .get("retention")
            .and_then(|r| r.get("period"))
            .map(|p| p.value.as_str()),
        Some("P7Y")
    );
    // The processor by name and country; the US transfer kept without the Privacy Shield.
    assert!(grants
        .subprocessors
        .iter()
        .any(|s| s.value == "cloud-partner-inc"));
    assert_eq!(
        grants.transfers[0]
            .country
            .as_ref()
            .map(|c| c.value.as_str()),
        Some("US")
    );
    assert!(grants.transfers[0].mechanism.is_none());
    assert!(activities.contains("no longer holds as a transfer tool"));
    assert_eq!(
        by_id["salarisverwerking-voor-agentschappen"].effective_role(),
        "processor"
    );
    let fraud = by_id["opsporing-fraude"];
    assert!(fraud.legal_basis_terms.iter().any(|t| t
        .reference
        .as_ref()
        .is_some_and(|r| r.value == "Wpg art. 8")));
    assert!(activities.contains("x-wpg: \"ja\""));
    let check = ropa(
        &dir,
        &["check", "reg", "--policies", &policies, "--format", "json"],
    );
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
}

#[test]
fn a_spreadsheet_of_its_own_layout_imports_with_a_mapping_file() {
    let dir = temp("mapped");
    // A municipality's register in the IBD model's columns, a title above, a remarks column.
    std::fs::write(
        dir.join("var.csv"),
        "Register van verwerkingen Gemeente Voorbeeld\n\
         \n\
         ID,Hoofdproces,Naam verwerking,Doeleinde,Grondslag,Betrokkenen,Persoonsgegevens,Bewaartermijn,Ontvangers,Opmerking\n\
         1,Burgerzaken,Huwelijk voltrekken,Huwelijk registreren,Wettelijke verplichting: BW 1:16,Inwoners,Naam; Geboortedatum; BSN,permanent bewaren,\"Rijksdienst voor Identiteitsgegevens\",zie dossier\n\
         2,Belastingen,WOZ-beschikking,\"WOZ-waarde vaststellen; bezwaar behandelen\",Publieke taak (Wet WOZ art. 22),Eigenaren,Naam; Adres,7 jaar,Belastingdienst,\n",
    )
    .expect("write");
    let policies = policies();
    // The template: every heading, a guessed field or an x- key of its own.
    let template = ropa(
        &dir,
        &[
            "import",
            "var.csv",
            "--policies",
            &policies,
            "--map-template",
        ],
    );
    assert_eq!(template.status.code(), Some(0), "{}", text(&template));
    let template = String::from_utf8_lossy(&template.stdout).into_owned();
    for line in [
        "header-row = 3",
        "\"Naam verwerking\" = \"name\"",
        "\"Doeleinde\" = \"purposes\"",
        "\"Grondslag\" = \"legal_basis\"",
        "\"Hoofdproces\" = \"x-hoofdproces\"",
    ] {
        assert!(template.contains(line), "{line} in\n{template}");
    }
    // The person checks it and leaves the remarks out.
    let mapping = template.replace("\"Opmerking\" = \"x-opmerking\"", "\"Opmerking\" = \"\"");
    std::fs::write(dir.join("map.toml"), mapping).expect("write");
    let out = ropa(
        &dir,
        &[
            "import",
            "var.csv",
            "--policies",
            &policies,
            "--map",
            "map.toml",
            "-o",
            "reg",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("var: Opmerking (J)") && report.contains("(not imported)"),
        "{report}"
    );
    let register = load(&dir.join("reg"));
    let wedding = &register.activities[0];
    assert_eq!(
        wedding.name.as_ref().map(|n| n.value.as_str()),
        Some("Huwelijk voltrekken")
    );
    assert_eq!(wedding.legal_basis[0].value, "legal_obligation");
    assert_eq!(
        wedding.legal_basis_terms[0]
            .reference
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("BW 1:16")
    );
    let data: Vec<&str> = wedding
        .data
        .iter()
        .map(|d| d.category.value.as_str())
        .collect();
    assert_eq!(data, ["name", "date_of_birth", "bsn"]);
    let activities = std::fs::read_to_string(dir.join("reg/activiteiten.yaml")).expect("read");
    assert!(
        activities.contains("x-hoofdproces: \"Burgerzaken\"  # from var!B4"),
        "{activities}"
    );
    assert!(!activities.contains("zie dossier"));
    let tax = &register.activities[1];
    assert_eq!(tax.purposes.len(), 2);
    assert_eq!(tax.legal_basis[0].value, "public_task");
    let check = ropa(
        &dir,
        &["check", "reg", "--policies", &policies, "--format", "json"],
    );
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    // A field the mapping misspells is refused at once, with the right one.
    std::fs::write(
        dir.join("bad.toml"),
        "[columns]\n\"Doeleinde\" = \"purpose\"\n",
    )
    .expect("write");
    let out = ropa(
        &dir,
        &[
            "import",
            "var.csv",
            "--policies",
            &policies,
            "--map",
            "bad.toml",
            "-o",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("unknown field `purpose`") && text(&out).contains("purposes"));
    assert!(!dir.join("x").exists());
}

#[test]
fn importing_the_same_source_again_shows_and_writes_the_changes_by_the_sources_key() {
    let dir = temp("again");
    avg_export(&dir.join("export.zip"));
    let policies = policies();
    let out = ropa(
        &dir,
        &["import", "export.zip", "--policies", &policies, "-o", "reg"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The next export: the grants record renamed (same Id), the Wpg record gone.
    let again = dir.join("again");
    std::fs::create_dir_all(&again).expect("mkdir");
    avg_export(&again.join("export.zip"));
    let bytes = std::fs::read(again.join("export.zip")).expect("read");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut changed =
        zip::ZipWriter::new(std::fs::File::create(dir.join("next.zip")).expect("create"));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..archive.len() {
        use std::io::{Read, Write};
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("read");
        if name.starts_with("WPG") {
            continue;
        }
        changed.start_file(name, options).expect("start");
        changed
            .write_all(
                text.replace(
                    "\"Naam\":\"Subsidieverlening\"",
                    "\"Naam\":\"Subsidies verlenen\"",
                )
                .as_bytes(),
            )
            .expect("write");
    }
    changed.finish().expect("finish");
    let dry = ropa(
        &dir,
        &["import", "next.zip", "--policies", &policies, "-o", "reg"],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    let shown = text(&dry);
    assert!(
        shown.contains("0 added (-), 1 changed (subsidieverlening), 1 removed (opsporing-fraude)"),
        "{shown}"
    );
    assert!(
        shown.contains("+    name: \"Subsidies verlenen\""),
        "{shown}"
    );
    assert!(shown.contains("nothing written (`--update`"), "{shown}");
    let before = std::fs::read_to_string(dir.join("reg/activiteiten.yaml")).expect("read");
    assert!(before.contains("Opsporing fraude"));
    let update = ropa(
        &dir,
        &[
            "import",
            "next.zip",
            "--policies",
            &policies,
            "-o",
            "reg",
            "--update",
        ],
    );
    assert_eq!(update.status.code(), Some(0), "{}", text(&update));
    let register = load(&dir.join("reg"));
    let ids: Vec<&str> = register
        .activities
        .iter()
        .map(|a| a.id.value.as_str())
        .collect();
    // The renamed record keeps its id: the source's key matched it.
    assert_eq!(
        ids,
        ["subsidieverlening", "salarisverwerking-voor-agentschappen"]
    );
    assert_eq!(
        register.activities[0]
            .name
            .as_ref()
            .map(|n| n.value.as_str()),
        Some("Subsidies verlenen")
    );
}
