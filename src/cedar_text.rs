//! Owns the bounds on Cedar text before Cedar parses it. Cedar's parser recurses once per
//! level of nesting, so a small file of nested brackets would overflow the stack and abort
//! the process; this scan refuses such a file at the place the limit is passed. It also
//! finds a policy file that holds no code at all.

use crate::problem::{Code, Problem};
use crate::source::{FileId, Location, Span};

/// What a scan of Cedar text found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Within the limit, with code in it.
    Fine,
    /// Only white space and comments.
    Empty,
    /// Nested deeper than the limit; the byte offset where the limit is passed.
    TooDeep(usize),
    /// One policy chains more operators than [`MAX_OPERATORS`]; the byte offset of the one
    /// past the limit.
    TooLong(usize),
}

/// The most operators (`&&`, `||`, `.`, comparisons, arithmetic, `!`) one policy may chain.
/// Cedar's parser reads a chain in a loop, but the formatter and the validator recurse along
/// it: 45,000 `&&`s overflow the formatter's stack, and a 5,000-long member chain passes
/// the validator unchecked. A real rule holds a few dozen.
pub const MAX_OPERATORS: usize = 1_000;

/// Scans Cedar policy text (or schema text, where `<` and `>` also nest: `Set<...>`).
///
/// Depth counts `(`, `[`, `{` (and `<` in a schema) outside comments and string literals,
/// plus every `if`, which nests its `then` and `else` branches until the bracket around it
/// closes (an over-count, never an under-count, of the parser's recursion).
pub fn scan(text: &str, schema: bool, max_depth: usize) -> Scan {
    let bytes = text.as_bytes();
    // The number of `if`s opened at each bracket level; its length is the bracket depth.
    let mut levels: Vec<usize> = vec![0];
    let mut ifs = 0usize;
    let mut code = false;
    let mut operators = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if !schema {
            match b {
                b';' => operators = 0,
                b'&' | b'|' | b'=' if bytes.get(i + 1) == Some(&b) => {
                    operators += 1;
                    i += 1;
                }
                b'.' | b'+' | b'-' | b'*' | b'<' | b'>' | b'!' => operators += 1,
                _ => {}
            }
            if operators > MAX_OPERATORS {
                return Scan::TooLong(i);
            }
        }
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                code = true;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => levels.push(0),
            b'<' if schema => levels.push(0),
            // A stray closer is Cedar's to report; it never closes the outermost level.
            b')' | b']' | b'}' if levels.len() > 1 => ifs -= levels.pop().unwrap_or(0),
            b'>' if schema && levels.len() > 1 => ifs -= levels.pop().unwrap_or(0),
            b'i' if !schema && is_keyword(bytes, i, b"if") => {
                if let Some(last) = levels.last_mut() {
                    *last += 1;
                }
                ifs += 1;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            code = true;
        }
        if levels.len() - 1 + ifs > max_depth {
            return Scan::TooDeep(i);
        }
        i += 1;
    }
    if code {
        Scan::Fine
    } else {
        Scan::Empty
    }
}

/// Whether `word` stands at `i` as a whole word.
fn is_keyword(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    let ident = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    bytes.get(i..i + word.len()) == Some(word)
        && !ident(i.checked_sub(1).and_then(|j| bytes.get(j)))
        && !ident(bytes.get(i + word.len()))
}

/// The problem for text that must not reach Cedar's parser, if any. `what` names the file's
/// kind for the message (`policy file`, `schema`).
pub fn check(
    file: FileId,
    name: &str,
    text: &str,
    schema: bool,
    max_depth: usize,
) -> Option<Problem> {
    match scan(text, schema, max_depth) {
        Scan::Fine => None,
        Scan::Empty if schema => None,
        Scan::Empty => Some(
            Problem::at(
                Code::EmptyPolicyFile,
                Location {
                    file,
                    span: Span::new(0, 0),
                },
                format!("{name} holds no policy"),
            )
            .label("only white space and comments")
            .help("write a `forbid` policy in it, or delete the file"),
        ),
        Scan::TooDeep(offset) => Some(
            Problem::at(
                Code::PolicyTooDeep,
                Location {
                    file,
                    span: Span::new(offset, 1),
                },
                format!("{name} nests deeper than {max_depth} levels"),
            )
            .label(format!("level {} starts here", max_depth + 1))
            .help(format!(
                "ropa reads Cedar text nested at most {max_depth} levels deep (brackets, \
                 braces, parentheses and `if`s); flatten the expression"
            )),
        ),
        Scan::TooLong(offset) => Some(
            Problem::at(
                Code::PolicyTooDeep,
                Location {
                    file,
                    span: Span::new(offset, 1),
                },
                format!("a policy in {name} chains more than {MAX_OPERATORS} operators"),
            )
            .label(format!("operator {} is here", MAX_OPERATORS + 1))
            .help("split the rule: one policy per rule keeps each condition short"),
        ),
    }
}

/// An annotation whose value [`blank_annotation_values`] blanked: where its `@` is, its key,
/// and its value as Cedar would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The offset of its `@` in the text.
    pub at: usize,
    /// Its key.
    pub key: String,
    /// Its value.
    pub value: String,
}

/// The text with each annotation's string value blanked (spaces between its quotes, byte for
/// byte: every offset still points at the same place), and those annotations. Only a value
/// with no backslash is blanked: with no escape in it, Cedar reads exactly the text between
/// the quotes; any other is left for Cedar. An `@` inside a comment or a string is not an
/// annotation, and an annotation not shaped `@key("...")` is left as it is.
pub fn blank_annotation_values(text: &str) -> (String, Vec<Annotation>) {
    let code = crate::rule::blank_comments_and_strings(text);
    let bytes = text.as_bytes();
    let code_bytes = code.as_bytes();
    let mut out = bytes.to_vec();
    let mut found = Vec::new();
    let skip_spaces = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    for (at, _) in code.match_indices('@') {
        let key_start = at + 1;
        let mut key_end = key_start;
        while code_bytes
            .get(key_end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            key_end += 1;
        }
        if key_end == key_start || code_bytes.get(key_end).is_none() {
            continue;
        }
        let open = skip_spaces(key_end);
        if bytes.get(open) != Some(&b'(') {
            continue;
        }
        let quote = skip_spaces(open + 1);
        if bytes.get(quote) != Some(&b'"') {
            continue;
        }
        // The string's end: the next quote, with no backslash before it.
        let Some(length) = bytes
            .get(quote + 1..)
            .and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\'))
        else {
            continue;
        };
        let close = quote + 1 + length;
        if bytes.get(close) != Some(&b'"') {
            continue;
        }
        if bytes.get(skip_spaces(close + 1)) != Some(&b')') {
            continue;
        }
        let (Some(key), Some(value)) = (text.get(key_start..key_end), text.get(quote + 1..close))
        else {
            continue;
        };
        found.push(Annotation {
            at,
            key: key.to_string(),
            value: value.to_string(),
        });
        if let Some(inside) = out.get_mut(quote + 1..close) {
            inside.fill(b' ');
        }
    }
    // Whole characters were replaced by spaces between two ASCII quotes.
    (
        String::from_utf8(out).unwrap_or_else(|_| text.to_string()),
        found,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_ifs_outside_strings_and_comments() {
        assert_eq!(scan("((a))", false, 2), Scan::Fine);
        assert_eq!(scan("(((a)))", false, 2), Scan::TooDeep(2));
        // Brackets in strings and comments do not count.
        assert_eq!(scan("\"(((\" // (((\n(a)", false, 1), Scan::Fine);
        assert_eq!(scan("\"\\\"(((\"", false, 1), Scan::Fine);
        // `if` nests until its bracket closes; `ifx` is not `if`.
        assert_eq!(
            scan("if a then if b then c else d else e", false, 1),
            Scan::TooDeep(10)
        );
        assert_eq!(
            scan("(if a then b else c) && (if d then e else f)", false, 2),
            Scan::Fine
        );
        assert_eq!(scan("ifx && diff", false, 0), Scan::Fine);
        // `<` nests only in a schema.
        assert_eq!(scan("a < b", false, 0), Scan::Fine);
        assert_eq!(scan("Set<Set<String>>", true, 1), Scan::TooDeep(7));
        // A stray closing bracket is Cedar's to report, not an underflow.
        assert_eq!(scan(")))(a", false, 1), Scan::Fine);
    }

    #[test]
    fn counts_operators_per_policy() {
        let chain = |n: usize| vec!["true"; n + 1].join(" && ");
        assert_eq!(scan(&chain(MAX_OPERATORS), false, 8), Scan::Fine);
        assert!(matches!(
            scan(&chain(MAX_OPERATORS + 1), false, 8),
            Scan::TooLong(_)
        ));
        let members = format!("resource{}", ".name".repeat(MAX_OPERATORS + 1));
        assert!(matches!(scan(&members, false, 8), Scan::TooLong(_)));
        // Counted per policy: many short policies are fine.
        let many = format!("{};", chain(10)).repeat(500);
        assert_eq!(scan(&many, false, 8), Scan::Fine);
        // Not in strings, comments or a schema.
        let quoted = format!("\"{}\" // {}\n", ".".repeat(5000), ".".repeat(5000));
        assert_eq!(scan(&quoted, false, 8), Scan::Fine);
        assert_eq!(scan(&".".repeat(5000), true, 8), Scan::Fine);
    }

    #[test]
    fn finds_files_without_code() {
        assert_eq!(scan("", false, 8), Scan::Empty);
        assert_eq!(
            scan("  // only a comment\n\n// another\n", false, 8),
            Scan::Empty
        );
        assert_eq!(scan("// c\nforbid", false, 8), Scan::Fine);
    }

    #[test]
    fn annotations_read_from_the_text_are_cedars_and_blanking_keeps_every_offset() {
        use std::str::FromStr;
        let tricky = "// @fake(\"x\")\n@id(\"a\") @message ( \"caf\u{e9} \\\"q\\\"\" )\n@help(\"line\nbreak, @not(\\\"this\\\")\")\n@flag\nforbid (principal, action, resource) when { \"@x(\\\"y\\\")\" == \"@x(\\\"y\\\")\" };\n";
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        let mut texts = vec![tricky.to_string()];
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            texts.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
        let mut read = 0;
        for text in &texts {
            let (blanked, found) = blank_annotation_values(text);
            assert_eq!(blanked.len(), text.len());
            let cedar = cedar_policy::PolicySet::from_str(text).expect("parses");
            let blanked_set = cedar_policy::PolicySet::from_str(&blanked).expect("parses blanked");
            assert_eq!(cedar.policies().count(), blanked_set.policies().count());
            for annotation in &found {
                let values: Vec<&str> = cedar
                    .policies()
                    .filter_map(|p| p.annotation(&annotation.key))
                    .collect();
                assert!(
                    values.contains(&annotation.value.as_str()),
                    "{}: {:?} not in {values:?}",
                    annotation.key,
                    annotation.value
                );
                read += 1;
            }
        }
        assert!(read > 700, "most values are read from the text: {read}");
        // The tricky text: the escaped value is Cedar's, the comment's `@` is not read.
        let (_, found) = blank_annotation_values(tricky);
        let keys: Vec<&str> = found.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["id"], "{found:?}");
    }
}
