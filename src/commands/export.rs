//! `ropa export`: the register as the files DPOs exchange: the ICO documentation templates'
//! layout (XLSX, or one CSV per template) and W3C DPV JSON-LD; each activity with the
//! findings still open on it, so the exported record looks no cleaner than it is.

use std::path::{Path, PathBuf};

use crate::document::dpv::render_dpv;
use crate::document::ico::{render_sheet_csv, render_xlsx, sheets};
use crate::document::{open_findings, Document};
use crate::problem::{Code, Problem};
use crate::report::human::plural;
use crate::source::display_name;
use crate::waiver::today;
use crate::yaml::Limits;

use super::{eea, emit_outcome, fail, one_unit, parse_date, Context, Outcome};
use crate::files::write_atomically;

/// The exit-code table of `ropa export`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the export was written (open findings are in it, they do not fail the export)
  2  the register or the policies cannot be read, or a file cannot be written (nothing is
     written when the register does not load)";

/// The formats of `ropa export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The ICO documentation templates as one workbook: a `Controller` and a `Processor`
    /// sheet, header frozen, filters on.
    IcoXlsx,
    /// The ICO templates as CSV: FILE's name with `-controller` and `-processor` added.
    IcoCsv,
    /// W3C Data Privacy Vocabulary (DPV 2.2) JSON-LD.
    DpvJsonld,
}

/// Arguments of `ropa export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Register files, folders or glob patterns [default: from ropa.toml, else register].
    pub paths: Vec<String>,
    /// Folder with the schema, the taxonomy and the *.cedar rules [default: from ropa.toml,
    /// else policies].
    #[arg(long)]
    pub policies: Option<PathBuf>,
    /// The format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write (atomically); `ico-csv` writes two, named after it.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Judge waivers as of this day (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<String>,
}

/// Runs `ropa export`.
pub fn run(args: &ExportArgs, context: &Context) -> Outcome {
    let style = context.style;
    let mut sources = context.sources.clone();
    let unit = match one_unit(&args.paths, args.policies.as_deref(), context) {
        Ok(unit) => unit,
        Err(outcome) => return outcome,
    };
    let today = args.today.clone().unwrap_or_else(today);
    let settings = crate::pipeline::CheckSettings {
        lang: context.lang(),
        ..Default::default()
    };
    let checked = match crate::pipeline::run_check_with(
        &unit.inputs,
        &unit.policies,
        &today,
        &Limits::default(),
        &mut sources,
        None,
        settings,
    ) {
        Ok(checked) => checked,
        Err(problems) => return fail(&problems, &sources, style),
    };
    let register = &checked.register;
    // The register's values in the language asked for (the ICO template's columns are its
    // own, in English).
    let document = Document::of(register, context.lang(), &sources);
    let open = open_findings(&checked.findings);
    let files: Vec<(PathBuf, Vec<u8>)> = match args.format {
        ExportFormat::DpvJsonld => vec![(
            args.output.clone(),
            render_dpv(register, &document, &open, eea(&checked.pack)).into_bytes(),
        )],
        ExportFormat::IcoXlsx | ExportFormat::IcoCsv => {
            let sheets = sheets(register, &document, &open, eea(&checked.pack));
            if args.format == ExportFormat::IcoXlsx {
                match render_xlsx(&sheets) {
                    Ok(bytes) => vec![(args.output.clone(), bytes)],
                    Err(err) => {
                        let problem =
                            Problem::general(Code::Io, format!("cannot make the workbook: {err}"));
                        return fail(&[problem], &sources, style);
                    }
                }
            } else {
                sheets
                    .iter()
                    .map(|sheet| {
                        (
                            named_after(&args.output, sheet.name),
                            render_sheet_csv(sheet).into_bytes(),
                        )
                    })
                    .collect()
            }
        }
    };
    let mut written = Vec::new();
    for (path, bytes) in &files {
        if let Err(err) = write_atomically(path, bytes) {
            let problem = Problem::general(
                Code::Io,
                format!("cannot write {}: {err}", display_name(path)),
            )
            .help(if written.is_empty() {
                "nothing was written".to_string()
            } else {
                format!("written before the failure: {}", written.join(", "))
            });
            return fail(&[problem], &sources, style);
        }
        written.push(display_name(path));
    }
    let open_count: usize = open.values().map(Vec::len).sum();
    emit_outcome(&format!(
        "ropa export: wrote {} ({}, {})\n",
        written.join(", "),
        plural(register.activities.len(), "activity", "activities"),
        plural(open_count, "open finding", "open findings")
    ))
}

/// `dir/ropa.csv` named for a sheet: `dir/ropa-controller.csv`.
fn named_after(path: &Path, sheet: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "ropa".to_string(), |s| s.to_string_lossy().into_owned());
    let extension = path
        .extension()
        .map_or_else(|| "csv".to_string(), |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}-{sheet}.{extension}"))
}
