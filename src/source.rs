//! Owns the text of every file ropa reads and the one conversion between byte offsets and
//! line/column positions that every report format uses.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::problem::{Code, Problem};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(usize);

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (0 for a point).
    pub len: usize,
}

impl Span {
    /// A span of `len` bytes starting at `offset`.
    pub fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }

    /// The byte just past the span.
    pub fn end(&self) -> usize {
        self.offset.saturating_add(self.len)
    }
}

/// A span in a given file: what every diagnostic and finding points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file.
    pub file: FileId,
    /// The byte range in it.
    pub span: Span,
}

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it: relative to the working directory when it lies
    /// below it, with `/` separators.
    pub name: String,
    /// The path used to read the file.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
    /// The file as a terminal may show it (see [`SourceFile::for_display`]), made once.
    display: OnceLock<Option<Box<Displayed>>>,
}

/// A file whose text or name holds characters a terminal must not receive raw, with those
/// characters written visibly, and where each original offset moved to.
#[derive(Debug, Clone)]
struct Displayed {
    file: SourceFile,
    /// For each escaped character, its original offset and the bytes added up to and
    /// including it, in order.
    shifts: Vec<(usize, usize)>,
}

impl SourceFile {
    fn new(name: String, path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            path,
            text,
            line_starts,
            display: OnceLock::new(),
        }
    }

    /// The file as a terminal may show it: itself, or a copy whose control characters and
    /// bidirectional overrides (in the text and the name) are written as `\u{1b}`.
    /// Offsets into the original move with [`SourceFile::display_span`].
    pub fn for_display(&self) -> &SourceFile {
        match self.displayed() {
            Some(displayed) => &displayed.file,
            None => self,
        }
    }

    /// A span of this file, moved to where it lies in [`SourceFile::for_display`].
    pub fn display_span(&self, span: Span) -> Span {
        let Some(displayed) = self.displayed() else {
            return span;
        };
        let moved = |offset: usize| {
            let before = displayed.shifts.partition_point(|(at, _)| *at < offset);
            let added = before
                .checked_sub(1)
                .and_then(|i| displayed.shifts.get(i))
                .map_or(0, |(_, added)| *added);
            offset + added
        };
        let start = moved(span.offset);
        Span::new(start, moved(span.end()) - start)
    }

    fn displayed(&self) -> Option<&Displayed> {
        self.display
            .get_or_init(|| {
                let hidden = |t: &str| t.chars().any(is_hidden);
                if !hidden(&self.text) && !hidden(&self.name) {
                    return None;
                }
                let mut text = String::with_capacity(self.text.len() + 64);
                let mut shifts = Vec::new();
                write_visibly(&self.text, &mut text, |at, added| shifts.push((at, added)));
                let name = visible(&self.name).into_owned();
                Some(Box::new(Displayed {
                    file: SourceFile::new(name, self.path.clone(), text),
                    shifts,
                }))
            })
            .as_deref()
    }

    /// Line and column of a byte offset (clamped to the text, moved back to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count());
        LineCol {
            line: line_index + 1,
            column: column + 1,
        }
    }

    /// Byte offset where a 0-based line starts (the text's length past the last line).
    pub fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset of a 1-based line and character column (clamped to the text).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        let in_line = rest
            .char_indices()
            .take_while(|(_, c)| *c != '\n')
            .nth(column.saturating_sub(1))
            .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
        start + in_line
    }

    /// The text of a span, or "" when it lies outside the file.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.offset..span.end()).unwrap_or("")
    }
}

/// Every file read in one run, in the order read.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every file's id, in the order the files were added.
    pub fn ids(&self) -> impl Iterator<Item = FileId> {
        (0..self.files.len()).map(FileId)
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.add_named(path, display_name(path), text)
    }

    /// Adds a file whose display name (see [`display_name`]) is already known.
    fn add_named(&mut self, path: &Path, name: String, text: String) -> FileId {
        let id = FileId(self.files.len());
        self.files
            .push(SourceFile::new(name, path.to_path_buf(), text));
        id
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        // Ids are only made by `add`, so the index is always in range.
        #[expect(
            clippy::indexing_slicing,
            reason = "FileId is only created by SourceMap::add"
        )]
        &self.files[id.0]
    }

    /// Start and end (exclusive) line/column of a location.
    pub fn range(&self, at: Location) -> (LineCol, LineCol) {
        let file = self.file(at.file);
        (file.line_col(at.span.offset), file.line_col(at.span.end()))
    }
}

/// Reads a text file into the map, refusing files over `max_bytes` and text that is not
/// UTF-8 (the invalid text is still added, lossily, so the problem can point into it).
pub fn read_source(
    sources: &mut SourceMap,
    path: &Path,
    max_bytes: u64,
) -> Result<FileId, Problem> {
    use std::io::Read;
    let name = display_name(path);
    let io_problem =
        |err: std::io::Error| Problem::general(Code::Io, format!("cannot read {name}: {err}"));
    // Check the kind before opening: opening a FIFO blocks until a writer comes.
    let kind = std::fs::metadata(path).map_err(io_problem)?.file_type();
    if !kind.is_file() {
        return Err(not_a_regular_file(path, kind));
    }
    let file = std::fs::File::open(path).map_err(io_problem)?;
    let meta = file.metadata().map_err(io_problem)?;
    if !meta.is_file() {
        return Err(not_a_regular_file(path, meta.file_type()));
    }
    if meta.len() > max_bytes {
        return Err(Problem::general(
            Code::FileTooLarge,
            format!(
                "{name} is {} bytes, over the {max_bytes}-byte limit",
                meta.len()
            ),
        )
        .help("split the register into several files"));
    }
    // Room for the whole file (within the limit, checked above) and one byte more: read in
    // one call and a second that finds the end (through `take`, reading would otherwise
    // start small and double).
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).map_or(0, |n| n + 1));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_problem)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Problem::general(
            Code::FileTooLarge,
            format!("{name} grew past the {max_bytes}-byte limit while being read"),
        ));
    }
    if let Some(kind) = binary_kind(&bytes) {
        return Err(Problem::general(
            Code::NotText,
            format!("{name} is {kind}, not a YAML text file"),
        )
        .help(
            "ropa reads the register as YAML text files (docs/register.md); a spreadsheet is brought in with `ropa import FILE --output DIR` (the ICO templates; docs/import.md), a document by writing its activities in YAML",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add_named(path, name, text)),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = sources.add(path, text);
            Err(Problem::at(
                Code::InvalidUtf8,
                Location {
                    file,
                    span: Span::new(offset, 0),
                },
                format!("{name} is not valid UTF-8 text"),
            )
            .label("invalid byte here")
            .help("save the file as UTF-8"))
        }
    }
}

/// What kind of binary file the bytes start like, for a file given where text is read: a
/// ZIP archive (an `.xlsx`, `.docx` or `.ods`), an old Office file, a PDF.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (a spreadsheet such as .xlsx or .ods, or a document such as .docx)")
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some("an Office file (such as .xls or .doc)")
    } else if bytes.starts_with(b"%PDF-") {
        Some("a PDF document")
    } else {
        None
    }
}

/// Whether a character must not reach a terminal or a log raw: a control character other
/// than newline and tab (C0, DEL, C1: colours, titles, cursor moves, NUL, a lone carriage
/// return) or a bidirectional control (text that reads differently from how it is stored).
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

fn escape(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// Input text as it may be printed to a terminal or a log: every character of
/// [`is_hidden`] written visibly as `\u{1b}`; a CR before a LF is kept.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    write_visibly(text, &mut out, |_, _| {});
    Cow::Owned(out)
}

/// A name, id, key or one-line value as it may be printed: every character of
/// [`is_hidden`] and also every newline, carriage return and tab written visibly as
/// `\u{a}`, so that no value of a file starts a line of a log of its own.
pub fn visible_name(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| is_hidden(c) || c.is_control();
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `text` to `out` with every character of [`is_hidden`] escaped (a CR before a LF
/// kept), telling `escaped` each escaped character's offset in `text` and the bytes added so
/// far, that one included.
fn write_visibly(text: &str, out: &mut String, mut escaped: impl FnMut(usize, usize)) {
    let mut added = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
        if is_hidden(c) && !crlf {
            let visible = escape(c);
            added += visible.len() - c.len_utf8();
            escaped(at, added);
            out.push_str(&visible);
        } else {
            out.push(c);
        }
    }
}

/// The problem of a path that is neither a regular file nor a folder: a FIFO, a socket or a
/// device, which ropa never opens (reading one could block forever or never end).
pub fn not_a_regular_file(path: &Path, kind: std::fs::FileType) -> Problem {
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        }
    };
    #[cfg(not(unix))]
    let what = if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    Problem::general(
        Code::NotARegularFile,
        format!("{} is {what}, not a regular file", display_name(path)),
    )
    .help("ropa reads only regular files; move it out of the register and policy folders")
}

/// The name a user sees for a path: relative to the working directory when below it, with
/// `/`, control characters written visibly (see [`visible_name`]).
pub fn display_name(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    visible_name(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f".into(), PathBuf::from("f"), text.into())
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = file("ab\né x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'x' is at byte 6 (é is two bytes) but character column 3.
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 3 });
        // Inside a multi-byte character: moved back to its start.
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(999), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn hidden_characters_are_made_visible_and_spans_follow() {
        assert_eq!(visible("plain é ✓\tand\r\n"), "plain é ✓\tand\r\n");
        assert_eq!(visible("a\u{1b}[31mb\u{7}\0"), "a\\u{1b}[31mb\\u{7}\\u{0}");
        assert_eq!(visible("x\u{202e}y\rz"), "x\\u{202e}y\\u{d}z");
        let f = file("key\u{1b}]0;t\u{7}: v\nnext: w\n");
        let shown = f.for_display();
        assert_eq!(shown.text, "key\\u{1b}]0;t\\u{7}: v\nnext: w\n");
        // `v` was at byte 11; the two escapes added 5 and 4 bytes.
        assert_eq!(f.display_span(Span::new(11, 1)), Span::new(20, 1));
        assert_eq!(shown.slice(f.display_span(Span::new(11, 1))), "v");
        // A span over an escaped character covers its whole escape.
        assert_eq!(shown.slice(f.display_span(Span::new(3, 1))), "\\u{1b}");
        assert_eq!(f.display_span(Span::new(0, 3)), Span::new(0, 3));
        let clean = file("a: b\n");
        assert!(std::ptr::eq(clean.for_display(), &clean));
    }

    #[test]
    fn offset_of_inverts_line_col() {
        let f = file("ab\né x\nlast");
        for offset in [0, 1, 3, 5, 6, 8, 11] {
            let lc = f.line_col(offset);
            assert_eq!(f.offset_of(lc.line, lc.column), offset, "offset {offset}");
        }
        assert_eq!(
            f.offset_of(2, 99),
            7,
            "past the end of a line stops at its newline"
        );
        assert_eq!(f.offset_of(99, 1), f.text.len());
    }
}
