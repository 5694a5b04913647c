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
