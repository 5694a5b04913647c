//! Owns YAML parsing: turns a file's text into a tree of nodes that keep their byte spans
//! (straight from the parser's events when the file is plain, else through serde-saphyr), and
//! reads typed values out of that tree while collecting every problem it meets instead of
//! stopping at the first.

mod events;

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::MessageFormatter;

use crate::problem::{suggestion, Code, Problem};
use crate::source::{FileId, Location, SourceFile, Span};

/// Limits that keep a hostile file from exhausting time or memory. Every budget the YAML
/// library enforces is set from these (see [`parse`]), sized so that any file under
/// `max_file_bytes` with ordinary register content loads.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of collections, block or flow.
    pub max_depth: usize,
    /// Most nodes (mappings, lists, scalars) in one file, aliases expanded.
    pub max_nodes: usize,
    /// Most parser events in one file (about two per node).
    pub max_events: usize,
    /// Most bytes of scalar text in one file, aliases expanded.
    pub max_scalar_bytes: usize,
    /// Most anchors (`&name`) defined in one file.
    pub max_anchors: usize,
    /// Most alias uses in one file.
    pub max_aliases: usize,
    /// Most events (nodes) replayed through aliases in one file.
    pub max_alias_replay: usize,
    /// Most merge keys (`<<`) in one file.
    pub max_merge_keys: usize,
    /// Longest implicit key, in characters (the YAML 1.2 limit).
    pub max_key_chars: usize,
    /// Largest policy or schema file read, in bytes.
    pub max_policy_bytes: u64,
    /// Deepest nesting in a policy or schema file (brackets and `if`s).
    pub max_policy_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 2_000_000,
            max_events: 4_000_000,
            max_scalar_bytes: 16 * 1024 * 1024,
            max_anchors: 10_000,
            max_aliases: 10_000,
            max_alias_replay: 100_000,
            max_merge_keys: 10_000,
            max_key_chars: 1024,
            max_policy_bytes: 256 * 1024,
            max_policy_depth: 64,
        }
    }
}

impl Limits {
    /// Every budget of the YAML library, set from these limits.
    fn yaml_budget(&self) -> serde_saphyr::Budget {
        let mut budget = serde_saphyr::Budget::default();
        budget.max_reader_input_bytes = usize::try_from(self.max_file_bytes).ok();
        budget.simple_key_max_lookahead = self.max_key_chars;
        // The scanner's own cap on open flow brackets (`[`, `{`). It scans ahead, so it must
        // sit well above the depth limit for the depth budget's clearer message to come first.
        budget.flow_nesting_limit = 4 * self.max_depth;
        budget.max_events = self.max_events;
        budget.max_aliases = self.max_aliases;
        budget.max_anchors = self.max_anchors;
        budget.max_recorded_anchor_events = self.max_events;
        budget.max_recorded_anchor_bytes = self.max_scalar_bytes;
        // Property interpolation and `!include` are not enabled; these bound them anyway.
        budget.max_property_expansion_depth = 0;
        budget.max_total_property_interpolation_work = 0;
        budget.max_inclusion_depth = 0;
        budget.max_depth = self.max_depth;
        // A register file is one document; a second is reported as such.
        budget.max_documents = 2;
        budget.max_nodes = self.max_nodes;
        budget.max_total_scalar_bytes = self.max_scalar_bytes;
        budget.max_merge_keys = self.max_merge_keys;
        // Many aliases of one anchor (`<<: *defaults` in every activity) are ordinary; the
        // replay limit is what bounds expansion.
        budget.enforce_alias_anchor_ratio = false;
        budget
    }

    /// What a problem at a limit says to do, with every limit named.
    fn help(&self) -> String {
        format!(
            "ropa limits a YAML file to {} bytes, nesting depth {}, {} nodes, {} events, {} \
             bytes of text, {} anchors, {} alias uses, {} nodes expanded from aliases and {} \
             merge keys (the limits table in docs/register.md); split the file or expand fewer aliases",
            self.max_file_bytes,
            self.max_depth,
            self.max_nodes,
            self.max_events,
            self.max_scalar_bytes,
            self.max_anchors,
            self.max_aliases,
            self.max_alias_replay,
            self.max_merge_keys,
        )
    }

    /// The limit a budget breach passed, named for people: what was counted and the limit.
    fn breached(&self, breach: &serde_saphyr::budget::BudgetBreach) -> String {
        use serde_saphyr::budget::BudgetBreach as B;
        match breach {
            B::Events { .. } => format!("more than {} YAML events", self.max_events),
            B::Aliases { .. } => format!("more than {} alias uses", self.max_aliases),
            B::Anchors { .. } => format!("more than {} anchors", self.max_anchors),
            B::Depth { .. } => format!("nesting deeper than {}", self.max_depth),
            B::Documents { .. } => "more than one document".to_string(),
            B::Nodes { .. } => format!("more than {} nodes", self.max_nodes),
            B::ScalarBytes { .. } | B::RecordedAnchorBytes { .. } => {
                format!("more than {} bytes of text", self.max_scalar_bytes)
            }
            B::MergeKeys { .. } => format!("more than {} merge keys", self.max_merge_keys),
            B::RecordedAnchorEvents { .. } => {
                format!("more than {} events kept for anchors", self.max_events)
            }
            B::InputBytes { .. } => format!("more than {} bytes", self.max_file_bytes),
            other => format!("a YAML limit ({other:?})"),
        }
    }
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false` (YAML 1.2: `yes`, `no`, `on` are text).
    Bool(bool),
    /// A number; its text is the node's source slice.
    Number,
    /// Text.
    Text(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<(Node, Node)>),
}

/// A YAML node with the span of its use site (an alias points at the `*alias`).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is.
    pub span: Span,
}

impl Node {
    /// What kind of node this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number => "a number",
            Value::Text(_) => "text",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<Value>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let offset = span.byte_offset().unwrap_or(0);
        let len = span.byte_len().unwrap_or(0);
        Ok(Node {
            value: spanned.value,
            span: Span::new(
                usize::try_from(offset).unwrap_or(usize::MAX),
                usize::try_from(len).unwrap_or(0),
            ),
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Text(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Text(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// Parses text the full way (serde-saphyr, every limit enforced as a budget).
fn parse_full(text: &str, limits: &Limits) -> Result<Node, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        leading_zero_numbers_as_strings: true,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits.max_alias_replay,
            max_replay_stack_depth: limits.max_depth,
        },
        budget: Some(limits.yaml_budget()),
    };
    serde_saphyr::from_str_with_options::<Node>(text, options)
}

/// Parses one file into a node tree, or the problem that stops it. A plain file is built
/// from the parser's events; anything else (anchors, tags, a limit reached, an error) the
/// full way, which gives the same tree or the diagnostic.
pub fn parse(file_id: FileId, file: &SourceFile, limits: &Limits) -> Result<Node, Problem> {
    if let Some(node) = events::parse(&file.text, limits) {
        return Ok(node);
    }
    parse_full(&file.text, limits).map_err(|err| {
        let one_document = || {
            (
                "this file holds more than one YAML document (`---`)".to_string(),
                Some("a register file is one document: put each in its own file".to_string()),
            )
        };
        let (message, help) = match &err {
            serde_saphyr::Error::MultipleDocuments { .. }
            | serde_saphyr::Error::Budget {
                breach: serde_saphyr::budget::BudgetBreach::Documents { .. },
                ..
            } => one_document(),
            serde_saphyr::Error::Budget { breach, .. } => (
                format!("the file passes a limit: {}", limits.breached(breach)),
                Some(limits.help()),
            ),
            _ => {
                let message: String = serde_saphyr::DefaultMessageFormatter
                    .format_message(&err)
                    .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                // Alias replay and the scanner's own caps come as other errors.
                let limited = ["limit", "budget", "alias"]
                    .iter()
                    .any(|w| message.contains(w));
                (message, limited.then(|| limits.help()))
            }
        };
        let offset = err.location().map(|loc| {
            let span = loc.span();
            match span.byte_offset() {
                Some(offset) => usize::try_from(offset).unwrap_or(usize::MAX),
                None => file.offset_of(
                    usize::try_from(loc.line()).unwrap_or(usize::MAX),
                    usize::try_from(loc.column()).unwrap_or(usize::MAX),
                ),
            }
        });
        let offset = offset.unwrap_or(0).min(file.text.len());
        let (offset, hint) = match help {
            Some(help) => (offset, Some(Hint::help(help))),
            None => syntax_hint(&file.text, offset, &message),
        };
        let at = Location {
            file: file_id,
            span: Span::new(offset, 0),
        };
        let mut problem =
            Problem::at(Code::YamlSyntax, at, format!("invalid YAML: {message}")).label("here");
        if let Some(hint) = hint {
            problem = problem.maybe_help(Some(hint.help));
            if let Some(opened) = hint.opened {
                problem = problem.note(
                    Location {
                        file: file_id,
                        span: Span::new(opened, 1),
                    },
                    "opened here",
                );
            }
        }
        problem
    })
}

/// What to tell someone typing YAML about a syntax error: a help, and where a bracket that
/// was never closed opened.
struct Hint {
    help: String,
    opened: Option<usize>,
}

impl Hint {
    fn help(help: String) -> Self {
        Hint { help, opened: None }
    }
}

/// The help for a parser message, and the place to report it: a tab in indentation is
/// reported at the tab, an unclosed `[` or `{` gets a note where it opened.
fn syntax_hint(text: &str, offset: usize, message: &str) -> (usize, Option<Hint>) {
    let line_start = text
        .get(..offset)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)
        .and_then(|r| r.find('\n'))
        .map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end).unwrap_or_default();
    if message.contains("duplicate mapping key") {
        return (
            offset,
            Some(Hint::help(
                "a key appears twice in one mapping: keep one (the first is above)".to_string(),
            )),
        );
    }
    if message.contains("unclosed quote") {
        return (
            offset,
            Some(Hint::help(
                "the quote opened here is not closed: add the closing quote at the end of the text"
                    .to_string(),
            )),
        );
    }
    if message.contains("found a tab") || message.contains("tabs") {
        // The first tab in the indentation of this line or a later one.
        let mut start = line_start;
        for line in text
            .get(line_start..)
            .unwrap_or_default()
            .split_inclusive('\n')
        {
            let indent: &str = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            if let Some(tab) = indent.find('\t') {
                return (
                    start + tab,
                    Some(Hint::help(
                        "YAML indents with spaces only: replace the tab with spaces".to_string(),
                    )),
                );
            }
            start += line.len();
        }
        return (
            offset,
            Some(Hint::help(
                "YAML indents with spaces only: replace the tab with spaces".to_string(),
            )),
        );
    }
    if message.contains("mapping values are not allowed") {
        let quoted = line
            .split_once(": ")
            .map(|(key, value)| {
                format!(
                    ": `{}: \"{}\"`",
                    key.trim().trim_start_matches("- "),
                    value.trim().replace('"', "\\\"")
                )
            })
            .unwrap_or_default();
        return (
            offset,
            Some(Hint::help(format!(
                "a `: ` inside a value starts a new key: put the value in quotes{quoted}"
            ))),
        );
    }
    if message.contains("expected ',' or ']'") || message.contains("expected ',' or '}'") {
        let close = if message.contains("']'") { ']' } else { '}' };
        let open = if close == ']' { '[' } else { '{' };
        let opened = unclosed(text.get(..offset).unwrap_or_default(), open, close);
        return (
            offset,
            Some(Hint {
                help: format!(
                    "a `{open}` was not closed with `{close}` before this: add the `{close}`, or put a value with a comma in quotes"
                ),
                opened,
            }),
        );
    }
    // A bracket still open from an earlier line: the parser gives up further down.
    for (open, close) in [('[', ']'), ('{', '}')] {
        if let Some(opened) = unclosed(text.get(..line_start).unwrap_or_default(), open, close) {
            return (
                offset,
                Some(Hint {
                    help: format!(
                        "a `{open}` opened earlier is not closed with `{close}`: add the `{close}` where the list ends"
                    ),
                    opened: Some(opened),
                }),
            );
        }
    }
    if message.contains("did not find expected key")
        || message.contains("did not find expected '-'")
    {
        return (
            offset,
            Some(Hint::help(
                "check the indentation of this line against the lines above: keys of one mapping line up"
                    .to_string(),
            )),
        );
    }
    if message.contains("cannot start any token") {
        return (
            offset,
            Some(Hint::help(
                "a value starting with `@`, `` ` ``, `%` or a similar sign must be in quotes"
                    .to_string(),
            )),
        );
    }
    (
        offset,
        Some(Hint::help(
            "a value with `: `, ` #`, a comma inside `[ ]` or `{ }`, or a leading `*`, `&`, `!`, `@` or quote must be in quotes"
                .to_string(),
        )),
    )
}

/// The offset of the last `open` in `before` that no `close` after it matches, outside
/// quotes and comments.
fn unclosed(before: &str, open: char, close: char) -> Option<usize> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for (i, c) in before.char_indices() {
        if comment {
            if c == '\n' {
                comment = false;
            }
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '"' || (c == '\'' && !previous.is_alphanumeric()) {
            quote = Some(c);
        } else if c == '#' && previous.is_whitespace() {
            comment = true;
        } else if c == open {
            stack.push(i);
        } else if c == close {
            stack.pop();
        }
        previous = c;
    }
    stack.pop()
}

/// A value with the place it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it is.
    pub at: Location,
}

/// Reads typed values from one file's nodes, collecting problems.
pub struct Reader<'a> {
    /// The file being read.
    pub file: FileId,
    source: &'a SourceFile,
    /// Every problem met so far.
    pub problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    /// Whether the last character before `offset`, white space aside, is a comma.
    pub fn comma_before(&self, offset: usize) -> bool {
        self.source
            .text
            .get(..offset)
            .is_some_and(|before| before.trim_end().ends_with(','))
    }

    /// Whether a flow mapping (`{`) starts at `offset`.
    pub fn starts_flow_mapping(&self, offset: usize) -> bool {
        self.source
            .text
            .get(offset..)
            .is_some_and(|rest| rest.starts_with('{'))
    }

    /// A reader over one file.
    pub fn new(file: FileId, source: &'a SourceFile, problems: &'a mut Vec<Problem>) -> Self {
        Reader {
            file,
            source,
            problems,
        }
    }

    /// The location of a node.
    pub fn at(&self, node: &Node) -> Location {
        Location {
            file: self.file,
            span: node.span,
        }
    }

    /// Records a problem.
    pub fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn wrong_type(&mut self, node: &Node, expected: &str, what: &str) {
        let problem = Problem::at(
            Code::WrongType,
            self.at(node),
            format!("{what} must be {expected}, found {}", node.kind()),
        )
        .label(format!("expected {expected}"));
        self.report(problem);
    }

    /// Text from a scalar node: text as written, numbers and booleans by their source text.
    pub fn text(&mut self, node: &Node, what: &str) -> Option<Located<String>> {
        let value = match &node.value {
            Value::Text(text) => text.clone(),
            Value::Number | Value::Bool(_) => self.source.slice(node.span).trim().to_string(),
            Value::Null | Value::List(_) | Value::Map(_) => {
                self.wrong_type(node, "text", what);
                return None;
            }
        };
        Some(Located {
            value,
            at: self.at(node),
        })
    }

    /// The items of a list node.
    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.value {
            Value::List(items) => items,
            _ => {
                self.wrong_type(node, "a list", what);
                &[]
            }
        }
    }

    /// A list of text values.
    pub fn text_list(&mut self, node: &Node, what: &str) -> Vec<Located<String>> {
        let items = self.list(node, what);
        items
            .iter()
            .filter_map(|item| self.text(item, &format!("each entry of {what}")))
            .collect()
    }

    /// Opens a mapping node for reading its fields.
    pub fn fields<'n>(&mut self, node: &'n Node, what: &'static str) -> Option<Fields<'n>> {
        match &node.value {
            Value::Map(entries) => Some(Fields {
                node,
                entries,
                read: vec![false; entries.len()],
                known: Vec::new(),
                what,
                extensions: false,
            }),
            _ => {
                self.wrong_type(node, "a mapping", what);
                None
            }
        }
    }

    /// Where a node's text ends: a collection ends after its last item and, when written in
    /// flow style, its closing bracket.
    fn node_end(&self, node: &Node) -> usize {
        let last = match &node.value {
            Value::List(items) => items.last(),
            Value::Map(entries) => entries.last().map(|(_, v)| v),
            _ => return node.span.end(),
        };
        let end = last.map_or(node.span.end(), |child| {
            self.node_end(child).max(node.span.end())
        });
        let rest = self.source.text.get(end..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with([']', '}']) {
            end + (rest.len() - trimmed.len()) + 1
        } else {
            end
        }
    }

    /// The span a label on a field should cover: the key and, when it ends on the key's line,
    /// the value.
    pub fn field_span(&self, key: &Node, value: &Node) -> Location {
        let key_line = self.source.line_col(key.span.offset).line;
        let value_end = self.node_end(value);
        let value_line = self.source.line_col(value_end).line;
        let end = if value_line == key_line && value_end > key.span.offset {
            value_end
        } else {
            key.span.end()
        };
        Location {
            file: self.file,
            span: Span::new(key.span.offset, end - key.span.offset),
        }
    }
}

/// The fields of one mapping, read one by one; keys never asked for are unknown keys.
pub struct Fields<'n> {
    node: &'n Node,
    entries: &'n [(Node, Node)],
    read: Vec<bool>,
    known: Vec<&'static str>,
    what: &'static str,
    extensions: bool,
}

impl<'n> Fields<'n> {
    /// Accepts keys starting with `x-` without reading them: a place for YAML anchors.
    pub fn allow_extensions(&mut self) {
        self.extensions = true;
    }

    /// The mapping node itself.
    pub fn node(&self) -> &'n Node {
        self.node
    }

    /// The value of `key` with its key node; `None` when absent or null.
    pub fn entry(&mut self, key: &'static str) -> Option<(&'n Node, &'n Node)> {
        self.known.push(key);
        let entries = self.entries;
        let index = entries
            .iter()
            .position(|(k, _)| matches!(&k.value, Value::Text(t) if t == key))?;
        if let Some(flag) = self.read.get_mut(index) {
            *flag = true;
        }
        let (k, v) = entries.get(index)?;
        (v.value != Value::Null).then_some((k, v))
    }

    /// The value of `key`; `None` when absent or null.
    pub fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The value of a required key; reports it missing otherwise.
    pub fn require(&mut self, reader: &mut Reader<'_>, key: &'static str) -> Option<&'n Node> {
        let value = self.get(key);
        if value.is_none() {
            let problem = Problem::at(
                Code::MissingKey,
                reader.at(self.node),
                format!("{} has no `{key}`", self.what),
            )
            .label(format!("`{key}` is required here"));
            reader.report(problem);
        }
        value
    }

    /// Reports every key that was never asked for, with a suggestion when one is close.
    pub fn finish(self, reader: &mut Reader<'_>) {
        // A key that only a comma made: unread, text, no value, after a comma, in `{ }`.
        let comma_made = |reader: &Reader<'_>, index: usize| {
            let read = self.read.get(index).copied().unwrap_or(true);
            self.entries.get(index).is_some_and(|(key, value)| {
                !read
                    && matches!(&key.value, Value::Text(n) if !(self.extensions && n.starts_with("x-")))
                    && matches!(value.value, Value::Null)
                    && reader.comma_before(key.span.offset)
                    && reader.starts_flow_mapping(self.node.span.offset)
            })
        };
        let mut skip_to = 0;
        for (index, ((key, _), read)) in self.entries.iter().zip(&self.read).enumerate() {
            if *read || index < skip_to {
                continue;
            }
            match &key.value {
                Value::Text(name) if self.extensions && name.starts_with("x-") => {}
                Value::Text(name) if comma_made(reader, index) => {
                    // `{ label: Toetsscores (Boom LVS, methodetoetsen, doorstroomtoets) }`:
                    // each comma ended the text before, and what follows became a key. One
                    // problem for the run, whose fix quotes the whole text.
                    let mut last = index;
                    while comma_made(reader, last + 1) {
                        last += 1;
                    }
                    skip_to = last + 1;
                    let end = self
                        .entries
                        .get(last)
                        .map_or(key.span.end(), |(k, _)| k.span.end());
                    let previous = index
                        .checked_sub(1)
                        .and_then(|i| self.entries.get(i))
                        .and_then(|(k, v)| match (&k.value, &v.value) {
                            (Value::Text(k), Value::Text(_)) => Some((k.clone(), v.span.offset)),
                            _ => None,
                        });
                    let run = Span::new(key.span.offset, end.saturating_sub(key.span.offset));
                    let at = Location {
                        file: reader.file,
                        span: run,
                    };
                    let (message, help) = match previous {
                        Some((prev_key, start)) => {
                            let text = reader.source.text.get(start..end).unwrap_or("").trim();
                            let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
                            (
                                format!(
                                    "`{name}` is read as a key: the comma before it ended the text of `{prev_key}`"
                                ),
                                format!(
                                    "a comma inside `{{ ... }}` ends a value: put the whole text in quotes, `{prev_key}: \"{quoted}\"`, or write the mapping in block style"
                                ),
                            )
                        }
                        None => (
                            format!("unknown key `{name}` in {}", self.what),
                            "a comma inside `{ ... }` ends a value: put a text with a comma in quotes".to_string(),
                        ),
                    };
                    reader.report(
                        Problem::at(Code::UnknownKey, at, message)
                            .label("read as a key")
                            .help(help),
                    );
                }
                Value::Text(name) => {
                    let help = suggestion(name, self.known.iter().copied()).unwrap_or_else(|| {
                        format!("known keys in {}: {}", self.what, self.known.join(", "))
                    });
                    let problem = Problem::at(
                        Code::UnknownKey,
                        reader.at(key),
                        format!("unknown key `{name}` in {}", self.what),
                    )
                    .label("unknown key")
                    .help(help);
                    reader.report(problem);
                }
                _ => reader.wrong_type(key, "text", &format!("a key in {}", self.what)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use std::path::Path;

    fn parse_text(text: &str) -> (SourceMap, FileId, Result<Node, Problem>) {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("t.yaml"), text.to_string());
        let result = parse(id, map.file(id), &Limits::default());
        (map, id, result)
    }

    #[test]
    fn yes_no_on_are_text() {
        let (_, _, node) = parse_text("a: yes\nb: no\nc: on\nd: true\n");
        let Ok(Node {
            value: Value::Map(entries),
            ..
        }) = node
        else {
            unreachable!("the text is a mapping")
        };
        let values: Vec<_> = entries.iter().map(|(_, v)| v.value.clone()).collect();
        assert_eq!(
            values,
            vec![
                Value::Text("yes".into()),
                Value::Text("no".into()),
                Value::Text("on".into()),
                Value::Bool(true)
            ]
        );
    }

    #[test]
    fn syntax_error_points_at_its_line() {
        let (map, _, result) = parse_text("a: 1\nb: \"unclosed\nc: 2\n");
        let problem = result.err();
        let at = problem.as_ref().and_then(|p| p.at);
        assert_eq!(problem.map(|p| p.code), Some(Code::YamlSyntax));
        let line = at.map(|at| map.range(at).0.line);
        assert_eq!(line, Some(2));
    }

    #[test]
    fn unknown_keys_are_all_reported_with_suggestions() {
        let (map, id, node) = parse_text("name: x\nretenton: P1Y\nfoo: 1\n");
        let node = node.ok();
        let mut problems = Vec::new();
        let mut reader = Reader::new(id, map.file(id), &mut problems);
        if let Some(mut fields) = node.as_ref().and_then(|n| reader.fields(n, "activity")) {
            fields.get("name");
            fields.get("retention");
            fields.finish(&mut reader);
        }
        let codes: Vec<_> = problems.iter().map(|p| (p.code, p.help.clone())).collect();
        assert_eq!(codes.len(), 2);
        assert_eq!(
            codes.first().and_then(|c| c.1.clone()).as_deref(),
            Some("did you mean `retention`?")
        );
    }
}
