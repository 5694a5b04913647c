//! Owns the fast path of YAML parsing: the node tree built straight from the parser's events
//! (granit-parser, the parser serde-saphyr itself runs), each node with its event's span.
//!
//! It takes only what it can build exactly as the full path would: one document of mappings,
//! lists and scalars, within every limit, with no anchor, alias, tag, merge key, duplicate key
//! or directive. Anything else, and every error, returns `None`, and the caller parses the
//! file the full way (serde-saphyr), which gives the same tree or the diagnostic. A plain
//! scalar that could be a number, a boolean or null is typed by the full path too. A test
//! compares both paths on every YAML file in the repository and on generated registers.

use granit_parser::{Event, Parser, ScalarStyle, Span as EventSpan};

use super::{Limits, Node, Value};
use crate::source::Span;

/// A collection being built.
enum Open {
    List(Vec<Node>, Span),
    Map(Vec<(Node, Node)>, Option<Node>, Span),
}

/// The tree of `text`, or `None` when the full path must parse it.
pub fn parse(text: &str, limits: &Limits) -> Option<Node> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let (mut events, mut nodes, mut scalar_bytes) = (0usize, 0usize, 0usize);
    for result in Parser::new_from_str(text) {
        let (event, span) = result.ok()?;
        events += 1;
        if events >= limits.max_events {
            return None;
        }
        let node = match event {
            // Comments are not data (serde-saphyr has the parser report them).
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Comment(..) => {
                continue
            }
            Event::DocumentStart(_, version) => {
                documents += 1;
                if documents > 1 || version.is_some() {
                    return None;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar_bytes += value.len();
                if scalar_bytes >= limits.max_scalar_bytes {
                    return None;
                }
                let value = scalar(&value, style, limits)?;
                Node {
                    value,
                    span: span_of(&span)?,
                }
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || stack.len() + 1 >= limits.max_depth {
                    return None;
                }
                let at = span_of(&span)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::List(Vec::new(), at)
                } else {
                    Open::Map(Vec::new(), None, at)
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Open::List(items, at) => Node {
                    value: Value::List(items),
                    span: at,
                },
                Open::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Open::Map(entries, None, at) => Node {
                    value: Value::Map(entries),
                    span: at,
                },
                Open::Map(_, Some(_), _) | Open::List(..) => return None,
            },
            // Aliases, anchors and anything else: the full path.
            _ => return None,
        };
        nodes += 1;
        if nodes >= limits.max_nodes {
            return None;
        }
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return None;
                }
                root = Some(node);
            }
            Some(Open::List(items, _)) => items.push(node),
            Some(Open::Map(entries, pending, _)) => match pending.take() {
                None => {
                    // A key: a scalar (a text the full path would not merge or reject).
                    let Value::Text(key) = &node.value else {
                        return None;
                    };
                    if key == "<<"
                        || key.chars().count() > limits.max_key_chars
                        || entries.iter().any(|(k, _)| k.value == node.value)
                    {
                        return None;
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    if !stack.is_empty() || documents != 1 {
        return None;
    }
    root
}

fn span_of(span: &EventSpan) -> Option<Span> {
    let start = span.start.byte_offset()?;
    let end = span.end.byte_offset()?;
    Some(Span::new(start, end.checked_sub(start)?))
}

/// A scalar's value: quoted and block scalars are text; a plain one is null, a boolean or
/// text when its spelling says so without doubt, else (it may be a number) `None`.
fn scalar(value: &str, style: ScalarStyle, limits: &Limits) -> Option<Value> {
    if !matches!(style, ScalarStyle::Plain) {
        return Some(Value::Text(value.to_string()));
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let first = value.chars().next()?;
    let lower = value.get(..3).map(str::to_ascii_lowercase);
    // A letter first is text, but for the spellings a float parser reads (inf, infinity,
    // nan, any case): those, and anything starting with a digit, a sign or a dot, go the
    // full way.
    let text = (first.is_alphabetic() || !first.is_ascii())
        && !matches!(lower.as_deref(), Some("inf" | "nan"));
    if text {
        return Some(Value::Text(value.to_string()));
    }
    typed_by_full_path(value, limits)
}

/// The type the full path gives a plain scalar (a date, a number, `-`), read as a document
/// of its own; `None` when that document is not the same one scalar.
fn typed_by_full_path(value: &str, limits: &Limits) -> Option<Value> {
    let node = super::parse_full(value, limits).ok()?;
    match node.value {
        Value::Text(text) if text == value => Some(Value::Text(text)),
        Value::Null | Value::Bool(_) | Value::Number => Some(node.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.as_deref() == Some("node_modules") {
                continue;
            }
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    /// Where the fast path takes a text, its tree is the full path's.
    fn same_as_full(text: &str) -> bool {
        let limits = Limits::default();
        match parse(text, &limits) {
            Some(fast) => {
                let full = super::super::parse_full(text, &limits);
                assert_eq!(Some(&fast), full.as_ref().ok(), "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn every_yaml_file_of_the_repository_gives_the_full_paths_tree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["register", "policies", "tests", "src"] {
            yaml_files(&root.join(dir), &mut files);
        }
        files.sort();
        assert!(files.len() > 150, "{} files", files.len());
        let mut fast = 0;
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            if same_as_full(&text) {
                fast += 1;
            } else if std::env::var_os("ROPA_SHOW_FULL").is_some() {
                eprintln!("full path: {}", file.display());
            }
        }
        // Most files take the fast path (the rest: anchors, errors, hostile input).
        assert!(fast * 10 > files.len() * 7, "{fast} of {}", files.len());
        for file in ["diensten.yaml", "organisatie.yaml", "subverwerkers.yaml"] {
            let text =
                std::fs::read_to_string(root.join("register").join(file)).unwrap_or_default();
            assert!(same_as_full(&text), "{file} takes the full path");
        }
    }

    #[test]
    fn scalars_are_typed_as_the_full_path_types_them() {
        let scalars = [
            "1",
            "-1",
            "+1",
            "0",
            "007",
            "0x1F",
            "0o17",
            "0b101",
            "0X1F",
            "1.5",
            "-1.5",
            ".5",
            "1e3",
            "1E-3",
            ".inf",
            "-.inf",
            ".Inf",
            ".nan",
            ".NaN",
            "inf",
            "Infinity",
            "nan",
            "NaN",
            "true",
            "True",
            "TRUE",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "2026-01-05",
            "2026-01-05T10:00:00Z",
            "12:30",
            "1_000",
            "-",
            "--",
            "+",
            ".",
            "..",
            "P4W",
            "9(2)(h)",
            "NL",
            "1.2.3",
            "٣",
            "½",
            "∞",
            "Infrastructure",
            "nano",
            "ínf",
            "deg(90)",
            "rad(1)",
            "0.0",
            "-0",
            "+.5",
        ];
        let mut fast = 0;
        for scalar in scalars {
            for text in [
                format!("key: {scalar}\n"),
                format!("- {scalar}\n"),
                format!("{{a: {scalar}}}\n"),
                format!("key: \"{scalar}\"\n"),
            ] {
                if same_as_full(&text) {
                    fast += 1;
                }
            }
        }
        assert!(fast > 150, "{fast}");
    }

    #[test]
    fn what_only_the_full_path_handles_goes_there() {
        let limits = Limits::default();
        for text in [
            "a: &x 1\nb: *x\n",
            "base: &b {x: 1}\nother:\n  <<: *b\n",
            "a: !!str 1\n",
            "a: 1\na: 2\n",
            "--- 1\n--- 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: [1, 2\n",
            "? [complex]\n: key\n",
            "",
        ] {
            assert!(parse(text, &limits).is_none(), "{text:?}");
        }
        let deep = format!("{}1{}", "[".repeat(70), "]".repeat(70));
        assert!(parse(&deep, &limits).is_none());
    }
}
