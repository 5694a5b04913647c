//! The documents ropa writes from the register, checked against what they must carry: the
//! annex against the seed document the shipped register encodes, the drift gate, the
//! exports read back by real readers.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failed expectation is a failed test"
)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{root, temp};

fn ropa(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ropa"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run ropa")
}

/// Runs `ropa export --format FORMAT --output FILE` on the shipped register; it must succeed.
fn export(format: &str, file: &Path) {
    let output = ropa(
        &[
            "export",
            "--format",
            format,
            "--output",
            file.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The texts of the elements named `tag` in an HTML fragment, markup removed, white space
/// collapsed.
fn elements(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let Some(body_start) = after.find('>') else {
            break;
        };
        let Some(end) = after.find(&close) else { break };
        found.push(plain(&after[body_start + 1..end]));
        rest = &after[end + close.len()..];
    }
    found
}

/// Text with tags removed, entities read, bullets dropped and white space collapsed.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    collapse(&out.replace("&amp;", "&").replace('•', " "))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A Markdown table row's text as a reader sees it: escapes removed, line breaks as spaces.
fn unescaped(row: &str) -> String {
    let mut out = String::new();
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    collapse(
        &out.replace("<br>", " ")
            .replace('•', " ")
            .replace("**", " "),
    )
}

/// The seed's rows: the tab-separated lines whose first cell names a service in bold.
fn seed_rows() -> Vec<Vec<String>> {
    let seed = std::fs::read_to_string(root().join("tests/seed/annex.txt")).expect("seed");
    seed.lines()
        .filter(|line| line.starts_with("<p><b>") && line.contains('\t'))
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_dutch_annex_carries_every_service_data_item_purpose_basis_and_subprocessor_of_the_seed() {
    let output = ropa(&["annex", "--lang", "nl"], root());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let annex = stdout(&output);
    let rows: Vec<String> = annex
        .lines()
        .filter(|l| l.starts_with("| **"))
        .map(unescaped)
        .collect();
    let seed = seed_rows();
    assert_eq!(seed.len(), 14, "the seed has 14 services");
    assert_eq!(rows.len(), seed.len(), "one annex row per seed row");
    let mut checked = 0;
    for (cells, row) in seed.iter().zip(&rows) {
        assert_eq!(cells.len(), 5, "{cells:?}");
        let mut expect = |what: &str, text: String| {
            assert!(
                row.contains(&text),
                "{what} `{text}` missing from the annex row:\n{row}"
            );
            checked += 1;
        };
        for service in elements(&cells[0], "b") {
            expect("service", service);
        }
        // Data items the seed lists one by one (its paragraphs of prose are split into
        // several items by the register, each checked by its own words in the register).
        for item in elements(&cells[1], "li") {
            // "zie boven [...]" points back at the items above for a second group of data
            // subjects: not a data item (the register keeps it as a comment).
            if item.starts_with("zie boven") {
                continue;
            }
            expect("data item", item);
        }
        for purpose in elements(&cells[2], "p") {
            expect("purpose", purpose);
        }
        for basis in elements(&cells[3], "p") {
            expect("legal basis", basis);
        }
        for subprocessor in elements(&cells[4], "p") {
            expect("sub-processor", subprocessor);
        }
    }
    assert!(checked > 100, "only {checked} texts checked");

    // The processing operations above the table, word for word.
    let seed = std::fs::read_to_string(root().join("tests/seed/annex.txt")).expect("seed");
    let listed = seed
        .lines()
        .find(|l| l.contains("<b>Verwerkingsactiviteiten</b>"))
        .and_then(|l| elements(l, "p").into_iter().nth(1))
        .expect("the seed lists its operations");
    let operations = annex
        .lines()
        .find(|l| l.starts_with("**Verwerkingsactiviteiten**"))
        .expect("the annex lists the operations");
    for word in listed.split(", ").flat_map(|w| w.split(" en ")) {
        let word = word
            .trim_end_matches(" van persoonsgegevens")
            .trim_end_matches(" van gegevens");
        assert!(
            operations.contains(word),
            "operation `{word}` missing: {operations}"
        );
    }
}

#[test]
fn the_drift_gate_passes_the_generated_annex_and_fails_an_edited_one() {
    let dir = temp("drift");
    let annex = dir.join("bijlage.md");
    let written = ropa(
        &["annex", "--output", annex.to_str().expect("utf-8")],
        root(),
    );
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let check = ropa(
        &["annex", "--check", annex.to_str().expect("utf-8")],
        root(),
    );
    assert_eq!(check.status.code(), Some(0), "{check:?}");

    let text = std::fs::read_to_string(&annex).expect("annex");
    let edited = text.replacen("Voorletters", "Initialen", 1);
    assert_ne!(edited, text);
    std::fs::write(&annex, &edited).expect("write");
    let check = ropa(
        &["annex", "--check", annex.to_str().expect("utf-8")],
        root(),
    );
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    let shown = stdout(&check);
    assert!(
        shown.contains("differs from what the register generates"),
        "{shown}"
    );
    assert!(shown.contains("-| **Algemeen**"), "{shown}");
    assert!(shown.contains("• Initialen"), "{shown}");
    assert!(shown.contains("• Voorletters"), "{shown}");
    // The gate writes nothing.
    assert_eq!(std::fs::read_to_string(&annex).expect("annex"), edited);
}

#[test]
fn the_annex_is_the_same_bytes_every_run_in_every_format() {
    for format in ["md", "html", "csv"] {
        for lang in ["nl", "en"] {
            let args = ["annex", "--format", format, "--lang", lang];
            let first = ropa(&args, root());
            let second = ropa(&args, root());
            assert_eq!(first.status.code(), Some(0), "{format} {lang}: {first:?}");
            assert!(!first.stdout.is_empty());
            assert_eq!(first.stdout, second.stdout, "{format} {lang}");
        }
    }
}

#[test]
fn the_csv_annex_reads_back_as_one_row_per_activity() {
    let output = ropa(&["annex", "--format", "csv"], root());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "Dienst",
            "Systemen",
            "Type persoonsgegevens",
            "Doeleinden",
            "Grondslag voor verwerking",
            "Betrokken (sub)verwerkers"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 14);
    assert_eq!(&rows[0][0], "algemeen");
    assert_eq!(&rows[0][5], "Overeenkomst\nGerechtigd belang");
    assert_eq!(&rows[0][6], "Geen");
}

/// The open findings per activity the JSON report gives (`None`: on no activity).
fn findings_per_activity() -> std::collections::BTreeMap<Option<String>, usize> {
    let output = ropa(&["check", "--format", "json"], root());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let mut counts = std::collections::BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        let activity = finding["activity"].as_str().map(str::to_string);
        *counts.entry(activity).or_insert(0) += 1;
    }
    counts
}

/// The ICO controller template's columns, verbatim (sheet `Template`, row 9), then ropa's.
const ICO_CONTROLLER_HEADER: [&str; 32] = [
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
    "Activity id",
    "Open findings",
];

/// The processor sheet: Art. 30(2)(a)-(d), then ropa's columns.
const PROCESSOR_HEADER: [&str; 8] = [
    "Name and contact details of controller",
    "Categories of processing carried out on behalf of the controller",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "General description of technical and organisational security measures (if possible)",
    "Sub-processors engaged",
    "Activity id",
    "Open findings",
];

/// A sheet's rows as text, read by calamine.
fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let range = workbook.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect()
}

#[test]
fn the_ico_workbook_opens_with_the_exact_header_rows_and_every_open_finding() {
    let dir = temp("ico-xlsx");
    let file = dir.join("register.xlsx");
    export("ico-xlsx", &file);
    let controller = sheet_rows(&file, "Controller");
    let processor = sheet_rows(&file, "Processor");
    // The header is on row 9, as in the ICO template; the contact block above it.
    assert_eq!(controller[8], ICO_CONTROLLER_HEADER);
    assert_eq!(processor[8], PROCESSOR_HEADER);
    assert_eq!(controller[0][1], "Telecom Service Leek B.V.");
    let activities: Vec<&str> = controller[9..]
        .iter()
        .map(|r| r[30].as_str())
        .chain(processor[9..].iter().map(|r| r[6].as_str()))
        .collect();
    assert_eq!(activities.len(), 14, "{activities:?}");
    assert_eq!(controller[9][30], "algemeen");
    assert_eq!(controller[9][11], "Contract\nLegitimate interests");

    // Every finding the JSON report gives is in the export, on its activity's row.
    let expected = findings_per_activity();
    let lines = |cell: &str| cell.lines().filter(|l| !l.is_empty()).count();
    for (activity, count) in &expected {
        let got = match activity {
            Some(id) => controller[9..]
                .iter()
                .map(|r| (&r[30], &r[31]))
                .chain(processor[9..].iter().map(|r| (&r[6], &r[7])))
                .find(|(a, _)| a.as_str() == id)
                .map(|(_, cell)| lines(cell))
                .expect("a row for the activity"),
            None => lines(&controller[3][1]),
        };
        assert_eq!(got, *count, "open findings of {activity:?}");
    }
    assert!(expected.values().sum::<usize>() > 50);
}

#[test]
fn the_ico_csv_files_round_trip_to_the_workbook_cells() {
    let dir = temp("ico-csv");
    let csv_file = dir.join("ropa.csv");
    let xlsx_file = dir.join("ropa.xlsx");
    for (format, file) in [("ico-csv", &csv_file), ("ico-xlsx", &xlsx_file)] {
        export(format, file);
    }
    assert!(
        !csv_file.exists(),
        "ico-csv writes one file per template, named after FILE"
    );
    for (suffix, sheet) in [("controller", "Controller"), ("processor", "Processor")] {
        let path = dir.join(format!("ropa-{suffix}.csv"));
        let mut reader = csv::Reader::from_path(&path).expect("csv");
        let mut rows: Vec<Vec<String>> = vec![reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect()];
        rows.extend(
            reader
                .records()
                .map(|r| r.expect("row").iter().map(str::to_string).collect()),
        );
        let workbook = sheet_rows(&xlsx_file, sheet);
        assert_eq!(rows, workbook[8..].to_vec(), "{suffix}");
    }
}

#[test]
fn the_dpv_export_expands_with_a_json_ld_processor_one_handling_per_activity() {
    let dir = temp("dpv");
    let file = dir.join("ropa.jsonld");
    export("dpv-jsonld", &file);
    let node = Command::new("node")
        .arg(root().join("tests/node/jsonld.cjs"))
        .arg(&file)
        .env("NODE_PATH", root().join("tests/node/node_modules"))
        .output()
        .expect("node: install Node.js and run `npm ci --prefix tests/node`");
    assert!(
        node.status.success(),
        "jsonld.js failed (run `npm ci --prefix tests/node`): {}",
        String::from_utf8_lossy(&node.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&node.stdout).expect("json");
    assert!(result["quads"].as_u64().expect("quads") > 500);
    let expanded = result["expanded"].as_array().expect("expanded");
    let root_node = &expanded[0];
    assert_eq!(
        root_node["@type"][0], "https://w3id.org/dpv#ROPA",
        "{root_node}"
    );
    assert_eq!(
        root_node["http://purl.org/dc/terms/conformsTo"][0]["@id"],
        "https://w3id.org/dpv/2.3"
    );
    let parts = root_node["http://purl.org/dc/terms/hasPart"]
        .as_array()
        .expect("parts");
    let handlings: Vec<&serde_json::Value> = parts
        .iter()
        .filter(|p| p["@type"][0] == "https://w3id.org/dpv#PersonalDataHandling")
        .collect();
    assert_eq!(handlings.len(), 14);
    let expected = findings_per_activity();
    for handling in handlings {
        let id = handling["http://purl.org/dc/terms/identifier"][0]["@value"]
            .as_str()
            .expect("identifier");
        let open = handling
            .get("urn:ropa:term:openFinding")
            .and_then(|v| v.as_array())
            .map_or(0, Vec::len);
        assert_eq!(
            open,
            expected.get(&Some(id.to_string())).copied().unwrap_or(0),
            "{id}"
        );
        let bases = handling["https://w3id.org/dpv#hasLegalBasis"]
            .as_array()
            .expect("bases");
        assert!(bases.iter().all(|b| b["@id"]
            .as_str()
            .is_some_and(|iri| iri.starts_with("https://w3id.org/dpv/legal/eu/gdpr#A"))));
        // Each item typed by its category's concept, with the register's own words.
        let data = &handling["https://w3id.org/dpv#hasPersonalData"][0];
        assert!(data["@type"][0]
            .as_str()
            .is_some_and(|iri| iri.starts_with("https://w3id.org/dpv")));
        assert!(
            data["http://www.w3.org/2000/01/rdf-schema#label"][0]["@value"]
                .as_str()
                .is_some_and(|l| !l.is_empty())
        );
    }
}

/// A controller's register (the employer of the sector registers) as DPV: its own processor is
/// a `DataProcessor`, not a sub-processor; the Art. 30(1)(d) recipients are there; the US
/// transfer is a third country; profiling is a processing.
#[test]
fn the_dpv_export_of_a_controller_keeps_its_recipients_processors_and_third_countries() {
    let dir = temp("dpv-controller");
    let file = dir.join("hr.jsonld");
    let output = ropa(
        &[
            "export",
            "tests/fixtures/sectors/hr-logistiek",
            "--format",
            "dpv-jsonld",
            "--output",
            file.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    let parts = json["dct:hasPart"].as_array().expect("parts");
    let payroll = parts
        .iter()
        .find(|p| p["dct:identifier"] == "salarisadministratie")
        .expect("payroll");
    let recipients = payroll["dpv:hasRecipient"].as_array().expect("recipients");
    let typed = |t: &str| recipients.iter().filter(|r| r["@type"] == t).count();
    assert_eq!(typed("dpv:DataSubProcessor"), 0, "{recipients:?}");
    assert_eq!(typed("dpv:DataProcessor"), 1, "{recipients:?}");
    assert!(
        recipients
            .iter()
            .any(|r| r["rdfs:label"] == "Belastingdienst"),
        "{recipients:?}"
    );
    assert!(payroll["dpv:hasThirdCountry"]
        .as_array()
        .expect("third countries")
        .iter()
        .any(|c| c["@id"] == "loc:US"));
    let profiled = parts
        .iter()
        .filter(|p| {
            p["dpv:hasProcessing"]
                .as_array()
                .is_some_and(|ops| ops.iter().any(|o| o["@id"] == "dpv:Profiling"))
        })
        .count();
    assert!(profiled >= 1);
}

#[test]
fn every_export_is_the_same_bytes_twice_and_nothing_when_the_register_does_not_load() {
    let dir = temp("export-same");
    for (format, name) in [
        ("ico-xlsx", "a.xlsx"),
        ("dpv-jsonld", "a.jsonld"),
        ("ico-csv", "a.csv"),
    ] {
        let mut runs = Vec::new();
        for round in ["1", "2"] {
            let sub = dir.join(round);
            let file = sub.join(name);
            export(format, &file);
            let mut bytes = Vec::new();
            let mut entries: Vec<_> = std::fs::read_dir(&sub)
                .expect("dir")
                .map(|e| e.expect("entry").path())
                .collect();
            entries.sort();
            for entry in entries {
                bytes.extend(std::fs::read(entry).expect("read"));
            }
            runs.push(bytes);
            std::fs::remove_dir_all(&sub).expect("clean");
        }
        assert_eq!(runs[0], runs[1], "{format}");
    }
    let broken = root().join("tests/fixtures/broken/register");
    let file = dir.join("broken.xlsx");
    let output = ropa(
        &[
            "export",
            broken.to_str().expect("utf-8"),
            "--format",
            "ico-xlsx",
            "--output",
            file.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!file.exists());
    assert!(!String::from_utf8_lossy(&output.stderr).is_empty());

    // The annex too: a diagnostic, exit 2, nothing written.
    let annex = dir.join("broken.md");
    let output = ropa(
        &[
            "annex",
            broken.to_str().expect("utf-8"),
            "--output",
            annex.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!annex.exists());
}

#[test]
fn register_text_cannot_inject_markup_into_any_document() {
    let dir = temp("hostile");
    let register = dir.join("register");
    std::fs::create_dir_all(&register).expect("mkdir");
    std::fs::write(
        register.join("r.yaml"),
        "organisation: { id: acme, name: \"<script>alert(1)</script>\", contact: privacy@acme.example, dpo: none-designated }\n\
         activities:\n\
         \x20 - id: onboarding\n\
         \x20   name: \"Onboarding <img src=x onerror=alert(2)> | ** \\u001b[31m\"\n\
         \x20   role: controller\n\
         \x20   data_subjects: [customer_contact]\n\
         \x20   purposes: [{ id: p, text: \"\\\"><svg onload=alert(3)>\" }]\n\
         \x20   legal_basis: [legal_obligation]\n\
         \x20   retention: { period: P7Y }\n\
         \x20   security_measures: ISMS\n\
         \x20   data: [{ category: name, label: \"=HYPERLINK(\\\"http://x\\\")\" }]\n",
    )
    .expect("write");
    let path = register.to_str().expect("utf-8");
    let html = dir.join("report.html");
    let output = ropa(
        &[
            "check",
            path,
            "--format",
            "html",
            "--output",
            html.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let annex_html = stdout(&ropa(&["annex", path, "--format", "html"], root()));
    let annex_md = stdout(&ropa(&["annex", path], root()));
    let annex_csv = stdout(&ropa(&["annex", path, "--format", "csv"], root()));
    for (name, text) in [
        ("report", std::fs::read_to_string(&html).expect("report")),
        ("annex html", annex_html),
    ] {
        assert!(!text.contains("<script>alert"), "{name}");
        assert!(!text.contains("<img src=x"), "{name}");
        assert!(!text.contains("<svg onload"), "{name}");
        assert!(!text.contains('\u{1b}'), "{name}: a raw escape character");
        assert!(text.contains("&lt;script&gt;alert(1)"), "{name}");
    }
    // Every `<` is escaped: Markdown shows it as text, never as a tag.
    assert!(!annex_md.replace("\\<", "").contains('<'), "{annex_md}");
    assert!(
        annex_md.contains("\\<img src=x onerror=alert(2)\\> \\| \\*\\*"),
        "{annex_md}"
    );
    assert!(!annex_md.contains('\u{1b}'));
    // A spreadsheet does not run the cell as a formula.
    assert!(annex_csv.contains("'=HYPERLINK"), "{annex_csv}");
}

/// The workbook of a controller's register says what the register says: never a bare "None"
/// (a register's `recipients: none` beside its processors), categories by their labels, and
/// the register's own words beside the taxonomy's English ones.
#[test]
fn the_ico_workbook_of_a_controller_prints_no_none_and_keeps_the_registers_words() {
    let dir = temp("ico-controller");
    let file = dir.join("hr.xlsx");
    let output = ropa(
        &[
            "export",
            "tests/fixtures/sectors/hr-logistiek",
            "--format",
            "ico-xlsx",
            "--output",
            file.to_str().expect("utf-8"),
        ],
        root(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let rows = sheet_rows(&file, "Controller");
    let cells: Vec<&str> = rows.iter().flatten().map(String::as_str).collect();
    assert!(cells.len() > 100);
    for cell in &cells {
        assert!(
            !cell.lines().any(|l| l.trim() == "None"),
            "a bare None in {cell:?}"
        );
        assert!(
            !cell.contains("Own_employee"),
            "an id for a label in {cell:?}"
        );
    }
    // The taxonomy's English with the register's words beside it.
    assert!(
        cells
            .iter()
            .any(|c| c.contains("(Ziekmelding, verwachte duur en diagnose)")),
        "{cells:?}"
    );
}

/// Every DPV term the export writes is one DPV 2.3 defines: the taxonomy's `dpv:` classes and
/// the terms in the exporter's code, against the list of the release's classes and properties
/// (tests/fixtures/dpv-2.3-terms.txt, taken from its Turtle files).
#[test]
fn every_dpv_term_the_export_writes_is_defined_by_dpv_2_3() {
    let defined: std::collections::BTreeSet<String> =
        std::fs::read_to_string(root().join("tests/fixtures/dpv-2.3-terms.txt"))
            .expect("terms")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect();
    assert!(defined.len() > 1_000);
    let mut used = Vec::new();
    for file in ["policies/taxonomy.yaml", "src/document/dpv.rs"] {
        let text = std::fs::read_to_string(root().join(file)).expect("read");
        for piece in text.split('"') {
            let term = piece.trim();
            let namespaced = ["dpv:", "pd:", "eu-gdpr:"]
                .iter()
                .any(|ns| term.starts_with(ns));
            let plain = term
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-' || c == '_');
            if namespaced && plain && !term.ends_with('-') && !term.ends_with(':') {
                used.push((file, term.to_string()));
            }
        }
    }
    // The terms the code composes: the Art. 6(1) bases, the Art. 9(2) conditions and the
    // Art. 49(1) derogations.
    for (prefix, points) in [
        ("eu-gdpr:A6-1-", "abcdef"),
        ("eu-gdpr:A9-2-", "abcdefghij"),
        ("eu-gdpr:A49-1-", "abcdefg"),
    ] {
        for point in points.chars() {
            used.push(("composed", format!("{prefix}{point}")));
        }
    }
    assert!(used.len() > 100, "{}", used.len());
    let missing: Vec<_> = used.iter().filter(|(_, t)| !defined.contains(t)).collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn the_annex_names_the_commit_its_register_was_last_changed_in() {
    let dir = temp("annex-version");
    std::fs::create_dir_all(dir.join("register")).expect("mkdir");
    for file in ["organisatie.yaml", "activiteiten.yaml", "verwerkers.yaml"] {
        std::fs::copy(
            root()
                .join("tests/fixtures/school-board/register")
                .join(file),
            dir.join("register").join(file),
        )
        .expect("copy");
    }
    let policies = root().join("policies");
    let policies = policies.to_str().expect("utf-8");
    // Outside git: no version.
    let outside = ropa(&["annex", "--no-config", "--policies", policies], &dir);
    assert!(!stdout(&outside).contains("Versie:"), "{outside:?}");
    common::git(&dir, &["init", "-q"]);
    common::git(&dir, &["add", "register"]);
    common::git(&dir, &["commit", "-q", "-m", "register"]);
    let head = Command::new("git")
        .args(["log", "-1", "--format=%h %cs"])
        .current_dir(&dir)
        .output()
        .expect("git log");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let (commit, day) = head.split_once(' ').expect("hash and date");
    let annex = dir.join("bijlage.md");
    let written = ropa(
        &[
            "annex",
            "--no-config",
            "--policies",
            policies,
            "--output",
            annex.to_str().expect("utf-8"),
        ],
        &dir,
    );
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let text = std::fs::read_to_string(&annex).expect("annex");
    assert!(
        text.contains(&format!("Versie: {commit} ({day})\n")),
        "{text}"
    );
    // An edit not yet committed is said; the drift gate compares what the annex says of the
    // register, not which commit it names (the annex is committed with the register).
    let file = dir.join("register/activiteiten.yaml");
    let edited = std::fs::read_to_string(&file).expect("read").replacen(
        "Leerlingadministratie",
        "Leerlingenadministratie",
        1,
    );
    std::fs::write(&file, edited).expect("write");
    let now = ropa(&["annex", "--no-config", "--policies", policies], &dir);
    assert!(
        stdout(&now).contains(&format!(
            "Versie: {commit} ({day}), met wijzigingen die nog niet zijn vastgelegd"
        )),
        "{now:?}"
    );
    let check = ropa(
        &[
            "annex",
            "--no-config",
            "--policies",
            policies,
            "--check",
            annex.to_str().expect("utf-8"),
        ],
        &dir,
    );
    assert_eq!(
        check.status.code(),
        Some(1),
        "the register changed: {check:?}"
    );
    std::fs::write(&annex, stdout(&now)).expect("write");
    common::git(&dir, &["add", "register"]);
    common::git(&dir, &["commit", "-q", "-m", "rename"]);
    let check = ropa(
        &[
            "annex",
            "--no-config",
            "--policies",
            policies,
            "--check",
            annex.to_str().expect("utf-8"),
        ],
        &dir,
    );
    assert_eq!(check.status.code(), Some(0), "{check:?}");
}
