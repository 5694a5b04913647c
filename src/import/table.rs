//! Owns reading a spreadsheet into plain tables of text cells, within budgets: an XLSX or ODS
//! workbook (its ZIP checked first: entries, total size, compression ratio; merged ranges
//! filled with their first cell's value; a formula read as its cached value, never
//! evaluated) or a CSV file (a UTF-8 BOM dropped). Every cell keeps its place, for
//! provenance (`Template!E12`).

use std::io::Cursor;

use calamine::{Data, Reader};

use crate::problem::{Code, Problem};

/// The most rows a sheet may have.
pub const MAX_ROWS: usize = 20_000;
/// The most columns a sheet may have.
pub const MAX_COLUMNS: usize = 300;
/// The longest text in a cell (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// The most entries a workbook's ZIP may hold.
const MAX_ZIP_ENTRIES: usize = 2_000;
/// The most bytes a workbook's ZIP may unpack to.
const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;
/// The highest ratio of unpacked to packed size of one entry.
const MAX_RATIO: u64 = 200;

/// One sheet: its name and its rows of cells (row-major, from the sheet's first row and
/// column, so a cell's place is its indices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name (a CSV file's stem).
    pub sheet: String,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The cell at `row`, `column` (0-based), or "".
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(column))
            .map_or("", String::as_str)
    }

    /// A cell's place as a spreadsheet names it: `Template!E12`.
    pub fn place(&self, row: usize, column: usize) -> String {
        format!("{}!{}{}", self.sheet, column_letters(column), row + 1)
    }
}

/// `0` is `A`, `25` is `Z`, `26` is `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The sheets of a workbook (XLSX, XLSM or ODS bytes) named `name`.
pub fn workbook(name: &str, bytes: &[u8]) -> Result<Vec<Table>, Problem> {
    check_zip(name, bytes)?;
    let problem = |what: String| Problem::general(Code::InvalidValue, format!("{name}: {what}"));
    let mut tables = Vec::new();
    let mut sheets = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| problem(format!("cannot read the workbook: {e}")))?;
    let names = sheets.sheet_names();
    for sheet in names {
        let range = sheets
            .worksheet_range(&sheet)
            .map_err(|e| problem(format!("cannot read sheet {sheet}: {e}")))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let (height, width) = range.get_size();
        let height = height + usize::try_from(top).unwrap_or(0);
        let width = width + usize::try_from(left).unwrap_or(0);
        if height > MAX_ROWS || width > MAX_COLUMNS {
            return Err(problem(format!(
                "sheet {sheet} has {height} rows and {width} columns; ropa imports at most \
                 {MAX_ROWS} rows and {MAX_COLUMNS} columns a sheet"
            )));
        }
        let mut rows = vec![vec![String::new(); width]; height];
        for (row, column, value) in range.used_cells() {
            let (r, c) = (
                row + usize::try_from(top).unwrap_or(0),
                column + usize::try_from(left).unwrap_or(0),
            );
            let text = cell_text(value);
            if text.chars().count() > MAX_CELL_CHARS {
                return Err(problem(format!(
                    "cell {sheet}!{}{} holds more than {MAX_CELL_CHARS} characters",
                    column_letters(c),
                    r + 1
                )));
            }
            if let Some(slot) = rows.get_mut(r).and_then(|row| row.get_mut(c)) {
                *slot = text;
            }
        }
        // A merged range reads as its first cell's value in each of its cells (a business
        // function written once beside several rows).
        if let calamine::Sheets::Xlsx(xlsx) = &mut sheets {
            if let Ok(merged) = xlsx.merge_cells_by_sheet_name(&sheet) {
                for region in merged {
                    let (r0, c0) = region.start;
                    let (r1, c1) = region.end;
                    let (r0, c0, r1, c1) = (
                        usize::try_from(r0).unwrap_or(0),
                        usize::try_from(c0).unwrap_or(0),
                        usize::try_from(r1)
                            .unwrap_or(0)
                            .min(height.saturating_sub(1)),
                        usize::try_from(c1)
                            .unwrap_or(0)
                            .min(width.saturating_sub(1)),
                    );
                    let value = rows
                        .get(r0)
                        .and_then(|row| row.get(c0))
                        .cloned()
                        .unwrap_or_default();
                    for row in rows.iter_mut().take(r1 + 1).skip(r0) {
                        for slot in row.iter_mut().take(c1 + 1).skip(c0) {
                            if slot.is_empty() {
                                slot.clone_from(&value);
                            }
                        }
                    }
                }
            }
        }
        tables.push(Table { sheet, rows });
    }
    Ok(tables)
}

/// A cell as text: a whole number without `.0`, a formula's cached value, an error as empty.
fn cell_text(value: &Data) -> String {
    match value {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.replace("\r\n", "\n").trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

/// The ZIP of a workbook, within budgets, before anything unpacks it.
fn check_zip(name: &str, bytes: &[u8]) -> Result<(), Problem> {
    let problem = |what: String| Problem::general(Code::FileTooLarge, format!("{name}: {what}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Problem::general(
            Code::InvalidValue,
            format!("{name}: not a readable workbook (ZIP): {e}"),
        )
    })?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(problem(format!(
            "{} entries in the workbook; ropa reads at most {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            Problem::general(
                Code::InvalidValue,
                format!("{name}: a broken ZIP entry: {e}"),
            )
        })?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size / packed > MAX_RATIO && size > 1024 * 1024 {
            return Err(problem(format!(
                "entry {} unpacks {size} bytes from {packed}: a ZIP bomb, not a workbook",
                entry.name().unwrap_or_default()
            )));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(problem(format!(
            "the workbook unpacks to {total} bytes; ropa reads at most {MAX_UNPACKED_BYTES}"
        )));
    }
    Ok(())
}

/// A CSV file as one table named `sheet`.
pub fn csv(sheet: &str, text: &str) -> Result<Table, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Problem::general(Code::InvalidValue, format!("{sheet}: row {}: {e}", i + 1))
        })?;
        if rows.len() >= MAX_ROWS || record.len() > MAX_COLUMNS {
            return Err(Problem::general(
                Code::FileTooLarge,
                format!("{sheet}: ropa imports at most {MAX_ROWS} rows and {MAX_COLUMNS} columns"),
            ));
        }
        let row: Vec<String> = record
            .iter()
            .map(|c| c.replace("\r\n", "\n").trim().to_string())
            .collect();
        // A row keeps its line's number (blank lines are not records), so a cell's place is
        // the line a person finds it on.
        // (The reader's position may be where the blank lines before the record start.)
        let line = record.position().map_or(rows.len(), |p| {
            let start = usize::try_from(p.byte()).unwrap_or(0);
            let blank = text.get(start..).map_or(0, |rest| {
                rest.len() - rest.trim_start_matches(['\n', '\r']).len()
            });
            text.get(..start + blank)
                .map_or(rows.len(), |before| before.matches('\n').count())
        });
        if line > MAX_ROWS {
            return Err(Problem::general(
                Code::FileTooLarge,
                format!("{sheet}: ropa imports at most {MAX_ROWS} rows"),
            ));
        }
        while rows.len() < line {
            rows.push(Vec::new());
        }
        if row.iter().any(|c| c.chars().count() > MAX_CELL_CHARS) {
            return Err(Problem::general(
                Code::FileTooLarge,
                format!(
                    "{sheet}: row {} holds a cell over {MAX_CELL_CHARS} characters",
                    i + 1
                ),
            ));
        }
        rows.push(row);
    }
    Ok(Table {
        sheet: sheet.to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(29), "AD");
    }

    #[test]
    fn a_csv_row_keeps_its_line_number() {
        let table = csv("t", "Titel\n\nID,Naam\n1,a\n").expect("csv");
        assert_eq!(table.cell(2, 1), "Naam", "{:?}", table.rows);
        assert_eq!(table.place(3, 1), "t!B4");
    }

    #[test]
    fn a_csv_keeps_its_cells_and_drops_the_bom() {
        let table = csv("t", "\u{feff}a,\"b\nc\"\n1,2\n").expect("csv");
        assert_eq!(table.cell(0, 1), "b\nc");
        assert_eq!(table.place(1, 1), "t!B2");
    }
}
