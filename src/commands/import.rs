//! `ropa import`: brings a register an organisation already keeps (the ICO documentation
//! templates as people fill them in, or ropa's own ICO export) into ropa's format: a mapping
//! report first, then the register files, written all or nothing into a new folder and
//! loaded by ropa before they are kept.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::import::{ico, normalise::Synonyms, table, write, Context as Reading};
use crate::problem::{Code, Problem};
use crate::source::{display_name, SourceMap};
use crate::yaml::Limits;

use super::{emit_outcome, fail, load_pack_or_fail, Context, Outcome};

/// The exit-code table of `ropa import`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the source was read: the register was written, or (a dry run) the mapping shown
  2  the source cannot be read, its layout is not one ropa knows, or the register it would
     give does not load (nothing is written)";

/// The largest source read.
const MAX_SOURCE_BYTES: u64 = 50 * 1024 * 1024;

/// The layouts `ropa import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// The ICO documentation templates (or ropa's `export --format ico-xlsx`) as a workbook
    /// (XLSX or ODS).
    IcoXlsx,
    /// One sheet of the ICO templates as CSV (or ropa's `export --format ico-csv`).
    IcoCsv,
    /// The Dutch central government's AVG register export: a ZIP of JSON files per
    /// register (a controller's, a processor's, under the Wpg).
    AvgRegisterJson,
    /// W3C DPV JSON-LD: ropa's own `export --format dpv-jsonld`, or DPV in the older
    /// namespaces.
    DpvJsonld,
}

impl ImportFormat {
    fn name(self) -> &'static str {
        match self {
            ImportFormat::IcoXlsx => "ico-xlsx",
            ImportFormat::IcoCsv => "ico-csv",
            ImportFormat::AvgRegisterJson => "avg-register-json",
            ImportFormat::DpvJsonld => "dpv-jsonld",
        }
    }
}

/// Arguments of `ropa import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import: a workbook (.xlsx, .ods) or a CSV file.
    pub source: PathBuf,
    /// The source's layout [default: from the file: a workbook is ico-xlsx, a .csv ico-csv].
    #[arg(long = "from", value_enum)]
    pub from: Option<ImportFormat>,
    /// The register folder to write; it must not exist (an import never writes over files).
    #[arg(short, long, value_name = "DIR", default_value = "register")]
    pub output: PathBuf,
    /// Show the mapping and write nothing (the default when the output folder exists).
    #[arg(long)]
    pub dry_run: bool,
    /// A mapping file (TOML) for a spreadsheet laid out any other way: which column is which
    /// field, which sheet, which header row (docs/import.md).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Into a folder an earlier import wrote: write the new import over its files (the
    /// activities matched by the source's key; without it, the changes are only shown).
    #[arg(long, conflicts_with = "dry_run")]
    pub update: bool,
    /// Print a mapping file for SOURCE's headings, each with a guessed field, and import
    /// nothing.
    #[arg(long, conflicts_with = "map")]
    pub map_template: bool,
    /// Folder with the schema, the taxonomy and the rules [default: from ropa.toml, else
    /// policies]: its taxonomy and `import.yaml` name the categories.
    #[arg(long)]
    pub policies: Option<PathBuf>,
}

/// Runs `ropa import`.
pub fn run(args: &ImportArgs, context: &Context) -> Outcome {
    let style = context.style;
    let policies = context.policies(args.policies.as_deref());
    let mut sources = SourceMap::new();
    let pack = match load_pack_or_fail(&policies, &mut sources, style) {
        Ok(pack) => pack,
        Err(outcome) => return outcome,
    };
    let synonyms = match std::fs::read_to_string(policies.join("import.yaml")) {
        Ok(text) => match Synonyms::parse(&text) {
            Ok(synonyms) => synonyms,
            Err(err) => {
                let problem = Problem::general(
                    Code::InvalidValue,
                    format!("{}/import.yaml: {err}", display_name(&policies)),
                );
                return fail(&[problem], &sources, style);
            }
        },
        Err(_) => Synonyms::default(),
    };
    let reading = Reading::of(&pack, &synonyms);
    let name = display_name(&args.source);
    let bytes = match read_bytes(&args.source) {
        Ok(bytes) => bytes,
        Err(problem) => return fail(&[problem], &sources, style),
    };
    let format = args.from.unwrap_or_else(|| {
        let csv = args
            .source
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let json = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{' || *b == b'[');
        if csv {
            ImportFormat::IcoCsv
        } else if json {
            ImportFormat::DpvJsonld
        } else if crate::import::avg::recognises(&bytes) {
            ImportFormat::AvgRegisterJson
        } else {
            ImportFormat::IcoXlsx
        }
    });
    // A spreadsheet of its own layout: its mapping file, or a template to start one.
    if args.map_template || args.map.is_some() {
        let csv = args
            .source
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let tables = match spreadsheet(&name, &args.source, bytes, csv) {
            Ok(tables) => tables,
            Err(problem) => return fail(&[problem], &sources, style),
        };
        if args.map_template {
            return match crate::import::mapping::template(&tables, &name) {
                Some(text) => emit_outcome(&text),
                None => {
                    let problem = Problem::general(
                        Code::InvalidValue,
                        format!("{name} has no row of headings (two cells or more) in its first 40 rows"),
                    );
                    fail(&[problem], &sources, style)
                }
            };
        }
        let Some(map) = &args.map else {
            return Outcome::Failed;
        };
        let mapping = match std::fs::read_to_string(map) {
            Ok(text) => match crate::import::mapping::Mapping::parse(&display_name(map), &text) {
                Ok(mapping) => mapping,
                Err(problems) => return fail(&problems, &sources, style),
            },
            Err(err) => {
                let problem = Problem::general(
                    Code::Io,
                    format!("cannot read {}: {err}", display_name(map)),
                );
                return fail(&[problem], &sources, style);
            }
        };
        if !tables.iter().any(|t| {
            mapping.sheet.as_ref().is_none_or(|s| *s == t.sheet) && mapping.header_row(t).is_some()
        }) {
            let problem = Problem::general(
                Code::InvalidValue,
                format!("{name}: no sheet holds the headings the mapping names"),
            )
            .help(
                "check `sheet`, `header-row` and the headings in [columns] (compared in any case)",
            );
            return fail(&[problem], &sources, style);
        }
        let imported = ico::read_mapped(&tables, &reading, &mapping);
        return write_out(args, context, imported, &name, &policies, &sources);
    }
    let read = if format == ImportFormat::AvgRegisterJson {
        crate::import::avg::read(&name, &bytes, &reading)
    } else if format == ImportFormat::DpvJsonld {
        read_dpv(&name, &bytes, &reading)
    } else {
        read_ico(&name, &args.source, bytes, format, &reading)
    };
    let imported = match read {
        Ok(imported) => imported,
        Err(problem) => return fail(&[problem], &sources, style),
    };
    write_out(args, context, imported, &name, &policies, &sources)
}

/// Shows the mapping report and writes the register it gives (all or nothing, into a new
/// folder, after loading it), or (a dry run) writes nothing.
fn write_out(
    args: &ImportArgs,
    context: &Context,
    mut imported: crate::import::Imported,
    name: &str,
    policies: &Path,
    sources: &SourceMap,
) -> Outcome {
    let style = context.style;
    let lang = context.lang();
    // An earlier import's folder: its activities keep their ids (by the source's key), and
    // the changes are shown.
    let earlier = std::fs::read_to_string(args.output.join(write::ACTIVITIES_FILE))
        .ok()
        .map(|text| crate::import::update::blocks(&text));
    if let Some(old) = &earlier {
        crate::import::update::keep_ids(&mut imported, old);
    }
    let mut out = write::report(&imported, name, lang);
    let files = write::files(&imported, name, lang);
    // The register it gives must load: checked in a folder of its own before anything is
    // kept.
    let exists = args.output.exists();
    let staging = staging_dir(&args.output);
    if let Err(problem) = write_folder(&staging, &files) {
        let _ = std::fs::remove_dir_all(&staging);
        return fail(&[problem], sources, style);
    }
    let mut scratch = SourceMap::new();
    let loaded = crate::pipeline::load_all(
        &[staging.to_string_lossy().into_owned()],
        policies,
        &Limits::default(),
        &mut scratch,
    );
    if let Err(problems) = loaded {
        let _ = std::fs::remove_dir_all(&staging);
        let mut shown = vec![Problem::general(
            Code::InvalidValue,
            format!("the register imported from {name} does not load; nothing is written"),
        )];
        shown.extend(problems);
        return fail(&shown, &scratch, style);
    }
    if let (Some(old), true) = (&earlier, exists) {
        let _ = std::fs::remove_dir_all(&staging);
        let new_text = files
            .iter()
            .find(|(f, _)| *f == write::ACTIVITIES_FILE)
            .map_or("", |(_, t)| t.as_str());
        let new = crate::import::update::blocks(new_text);
        let (added, changed, removed) = crate::import::update::changes(old, &new);
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join(", ")
            }
        };
        let counts = [
            (added.len(), list(&added)),
            (changed.len(), list(&changed)),
            (removed.len(), list(&removed)),
        ];
        let [(a, al), (c, cl), (r, rl)] = &counts;
        out.push_str(&match lang {
            crate::lang::Lang::En => format!(
                "\nropa import: against {}: {a} added ({al}), {c} changed ({cl}), {r} removed ({rl})\n",
                display_name(&args.output),
            ),
            crate::lang::Lang::Nl => format!(
                "\nropa import: tegen {}: {a} toegevoegd ({al}), {c} gewijzigd ({cl}), {r} verwijderd ({rl})\n",
                display_name(&args.output),
            ),
        });
        for (file, text) in &files {
            let path = args.output.join(file);
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if current != *text {
                let diff = similar::TextDiff::from_lines(current.as_str(), text.as_str());
                out.push_str(
                    &diff
                        .unified_diff()
                        .context_radius(1)
                        .header(&display_name(&path), "the new import")
                        .to_string(),
                );
            }
        }
        if !args.update {
            out.push_str(&match lang {
                crate::lang::Lang::En => format!(
                    "\nropa import: nothing written (`--update` writes these changes into {})\n",
                    display_name(&args.output)
                ),
                crate::lang::Lang::Nl => format!(
                    "\nropa import: niets geschreven (`--update` schrijft deze wijzigingen in {})\n",
                    display_name(&args.output)
                ),
            });
            return emit_outcome(&out);
        }
        for (file, text) in &files {
            let path = args.output.join(file);
            if let Err(err) = crate::files::write_atomically(&path, text) {
                let problem = Problem::general(
                    Code::Io,
                    format!("cannot write {}: {err}", display_name(&path)),
                );
                return fail(&[problem], sources, style);
            }
        }
        out.push_str(&format!(
            "\nropa import: {} {}\n",
            lang.pick("updated", "bijgewerkt:"),
            display_name(&args.output)
        ));
        return emit_outcome(&out);
    }
    if args.dry_run || exists {
        let _ = std::fs::remove_dir_all(&staging);
        let why = if exists && !args.dry_run {
            let folder = display_name(&args.output);
            match lang {
                crate::lang::Lang::En => format!(
                    "{folder} exists: an import never writes over a register (give a new folder \
                     with --output)"
                ),
                crate::lang::Lang::Nl => format!(
                    "{folder} bestaat: een import schrijft nooit over een register heen (geef een \
                     nieuwe map met --output)"
                ),
            }
        } else {
            "--dry-run".to_string()
        };
        out.push_str(&match lang {
            crate::lang::Lang::En => format!("\nropa import: nothing written ({why})\n"),
            crate::lang::Lang::Nl => format!("\nropa import: niets geschreven ({why})\n"),
        });
        return emit_outcome(&out);
    }
    if let Err(err) = std::fs::rename(&staging, &args.output) {
        let _ = std::fs::remove_dir_all(&staging);
        let problem = Problem::general(
            Code::Io,
            format!("cannot write {}: {err}", display_name(&args.output)),
        )
        .help("nothing was written");
        return fail(&[problem], sources, style);
    }
    let written: Vec<String> = files
        .iter()
        .map(|(file, _)| display_name(&args.output.join(file)))
        .collect();
    out.push_str(&match lang {
        crate::lang::Lang::En => format!(
            "\nropa import: wrote {}; `ropa check {}` says what the source lacked\n",
            written.join(", "),
            display_name(&args.output)
        ),
        crate::lang::Lang::Nl => format!(
            "\nropa import: {} geschreven; `ropa check {}` zegt wat de bron miste\n",
            written.join(", "),
            display_name(&args.output)
        ),
    });
    emit_outcome(&out)
}

/// A folder beside `output` to write the register into first.
fn staging_dir(output: &Path) -> PathBuf {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name = output
        .file_name()
        .map_or_else(|| "register".into(), |n| n.to_string_lossy().into_owned());
    parent.join(format!(".{name}.import-{}", std::process::id()))
}

/// Writes the files into a new folder.
fn write_folder(dir: &Path, files: &[(&'static str, String)]) -> Result<(), Problem> {
    let io = |err: std::io::Error| {
        Problem::general(
            Code::Io,
            format!("cannot write {}: {err}", display_name(dir)),
        )
        .help("nothing was written")
    };
    std::fs::create_dir(dir).map_err(io)?;
    for (name, text) in files {
        crate::files::write_atomically(&dir.join(name), text).map_err(io)?;
    }
    Ok(())
}

/// The source's bytes: a regular file within the size limit.
fn read_bytes(path: &Path) -> Result<Vec<u8>, Problem> {
    let name = display_name(path);
    let io = |err: std::io::Error| Problem::general(Code::Io, format!("cannot read {name}: {err}"));
    let kind = std::fs::metadata(path).map_err(io)?;
    if !kind.is_file() {
        return Err(Problem::general(
            Code::NotARegularFile,
            format!("{name} is not a regular file"),
        ));
    }
    if kind.len() > MAX_SOURCE_BYTES {
        return Err(Problem::general(
            Code::FileTooLarge,
            format!(
                "{name} is {} bytes; ropa imports at most {MAX_SOURCE_BYTES}",
                kind.len()
            ),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(Problem::general(
            Code::FileTooLarge,
            format!("{name} grew past {MAX_SOURCE_BYTES} bytes while being read"),
        ));
    }
    Ok(bytes)
}

/// The tables of a workbook or a CSV file.
fn spreadsheet(
    name: &str,
    source: &Path,
    bytes: Vec<u8>,
    csv: bool,
) -> Result<Vec<table::Table>, Problem> {
    if !csv {
        return table::workbook(name, &bytes);
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Problem::general(Code::InvalidUtf8, format!("{name} is not UTF-8 text"))
            .help("save the CSV as UTF-8, or import the workbook itself")
    })?;
    let stem = source
        .file_stem()
        .map_or_else(|| "csv".to_string(), |s| s.to_string_lossy().into_owned());
    Ok(vec![table::csv(&stem, &text)?])
}

/// Reads a workbook or CSV file laid out as the ICO templates.
fn read_ico(
    name: &str,
    source: &Path,
    bytes: Vec<u8>,
    format: ImportFormat,
    reading: &Reading<'_>,
) -> Result<crate::import::Imported, Problem> {
    let tables = spreadsheet(name, source, bytes, format == ImportFormat::IcoCsv)?;
    if !ico::recognises(&tables) {
        return Err(Problem::general(
            Code::InvalidValue,
            format!("{name} is not laid out as the ICO documentation templates"),
        )
        .help(
            "ropa finds the header row by the templates' column headings (`Business function`, \
             `Purpose of processing`, `Categories of individuals`, ...): at least three of them \
             in one row; the AVG register export is a ZIP of JSON files (`--from avg-register-json`)",
        ));
    }
    Ok(ico::read(&tables, reading, format.name()))
}

/// Reads a DPV JSON-LD document.
fn read_dpv(
    name: &str,
    bytes: &[u8],
    reading: &Reading<'_>,
) -> Result<crate::import::Imported, Problem> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Problem::general(Code::InvalidUtf8, format!("{name} is not UTF-8 text")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Problem::general(Code::InvalidValue, format!("{name} is not JSON: {e}")))?;
    if !crate::import::dpv::recognises(&value) {
        return Err(Problem::general(
            Code::InvalidValue,
            format!("{name} holds no dpv:PersonalDataHandling"),
        )
        .help("ropa reads DPV JSON-LD whose activities are `dpv:PersonalDataHandling` nodes (under `dct:hasPart` or `@graph`)"));
    }
    crate::import::dpv::read(name, &value, reading)
}
