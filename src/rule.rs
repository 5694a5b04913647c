//! Owns the rule model: what a rule is (its metadata from the annotations, the request
//! kinds it judges, the attributes it reads, its role guard, the categories it names), read
//! from a policy's source without parsing it again.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::finding::Severity;
use crate::lang::Lang;
use crate::source::Location;

/// The kinds of request ropa makes, one Cedar action each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestKind {
    /// The organisation itself.
    Organisation,
    /// One activity.
    Activity,
    /// One data item of an activity.
    DataItem,
    /// One data-subject category of an activity.
    DataSubject,
    /// One sub-processor engaged by an activity.
    Subprocessor,
    /// One transfer listed by an activity.
    Transfer,
    /// One waiver or position, once the register's findings are known.
    Waiver,
    /// One category the register defines whose name reads as a category of the pack.
    Category,
}

impl RequestKind {
    /// Every kind.
    pub const ALL: [RequestKind; 8] = [
        RequestKind::Organisation,
        RequestKind::Activity,
        RequestKind::DataItem,
        RequestKind::DataSubject,
        RequestKind::Subprocessor,
        RequestKind::Transfer,
        RequestKind::Waiver,
        RequestKind::Category,
    ];

    /// The Cedar action id.
    pub fn action(self) -> &'static str {
        match self {
            RequestKind::Organisation => "check_organisation",
            RequestKind::Activity => "check_activity",
            RequestKind::DataItem => "check_data_item",
            RequestKind::DataSubject => "check_data_subject",
            RequestKind::Subprocessor => "check_subprocessor",
            RequestKind::Transfer => "check_transfer",
            RequestKind::Waiver => "check_waiver",
            RequestKind::Category => "check_category",
        }
    }

    /// What a rule of this kind applies to, for people.
    pub fn noun(self) -> &'static str {
        match self {
            RequestKind::Organisation => "organisation",
            RequestKind::Activity => "activity",
            RequestKind::DataItem => "data item",
            RequestKind::DataSubject => "data subject",
            RequestKind::Subprocessor => "sub-processor",
            RequestKind::Transfer => "transfer",
            RequestKind::Waiver => "waiver",
            RequestKind::Category => "register category",
        }
    }

    pub(crate) fn from_action(id: &str) -> Option<Self> {
        RequestKind::ALL.into_iter().find(|k| k.action() == id)
    }
}

/// The scope variable a rule reads an attribute of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    /// `principal`.
    Principal,
    /// `resource`.
    Resource,
    /// `context`.
    Context,
}

/// The top-level attributes a rule reads, by scope variable.
pub type Reads = BTreeSet<(Var, String)>;

/// One rule: a `forbid` policy and its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `@id`.
    pub id: String,
    /// `@severity`.
    pub severity: Severity,
    /// `@message`.
    pub message: Arc<str>,
    /// `@help`.
    pub help: Option<Arc<str>>,
    /// `@fix`: what to do, in one line (the human report shows it with each finding, and
    /// the help once per rule).
    pub fix: Option<Arc<str>>,
    /// `@article`.
    pub article: Option<Arc<str>>,
    /// `@label`: the text on the offending node.
    pub label: Option<Arc<str>>,
    /// `@area`: the part of the record the rule judges (a column of the HTML report's
    /// compliance matrix: `purposes`, `retention`, ...).
    pub area: Option<Arc<str>>,
    /// `@house_rule`: the rule asks more than the law does (its message starts with
    /// `[house rule]`, reports mark it).
    pub house_rule: bool,
    /// `@accepts_position`: a reasoned position (`positions:` in the register) may answer
    /// the rule's findings; other rules take only a waiver.
    pub accepts_position: bool,
    /// `@waivable("false")`: no waiver and no position may answer the rule (a prohibition).
    pub waivable: bool,
    /// The request kinds the policy's action scope admits.
    pub kinds: Vec<RequestKind>,
    /// Top-level attributes the policy reads, by variable.
    pub reads: Reads,
    /// The data and subject categories the policy names (empty when a mention is not a
    /// plain literal): an activity's items and subjects under them are what triggered it.
    pub names: NamedCategories,
    /// The role test the policy's condition starts with, if any (see [`RoleGuard`]).
    pub role_guard: Option<RoleGuard>,
    /// The other cheap tests it starts with (see [`Guard`]).
    pub guards: Vec<Guard>,
    /// The policy's source.
    pub at: Location,
    /// The policy's text (the file's, at `at`).
    pub source: String,
    /// Its texts in Dutch (`@message_nl`, `@help_nl`, `@fix_nl`, `@label_nl`,
    /// `@article_nl`), for [`Rule::localize`].
    pub dutch: Box<RuleTexts>,
}

/// A rule's texts in another language than English: what it says to a person reading ropa
/// in that language. A text the policy does not translate stays English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleTexts {
    /// The message.
    pub message: Option<Arc<str>>,
    /// The help.
    pub help: Option<Arc<str>>,
    /// What to do, in one line.
    pub fix: Option<Arc<str>>,
    /// The label on the offending node.
    pub label: Option<Arc<str>>,
    /// The article.
    pub article: Option<Arc<str>>,
}

/// What a house rule's message starts with, by language.
pub fn house_rule_prefix(lang: Lang) -> &'static str {
    lang.pick("[house rule] ", "[huisregel] ")
}

impl Rule {
    /// Makes the rule speak `lang`: its message, help, fix, label and article become the
    /// policy's texts in that language where it has them (a house rule's message keeps its
    /// mark, in that language).
    pub fn localize(&mut self, lang: Lang) {
        let texts = match lang {
            Lang::En => return,
            Lang::Nl => std::mem::take(&mut self.dutch),
        };
        if let Some(message) = &texts.message {
            self.message = if self.house_rule {
                format!("{}{message}", house_rule_prefix(lang)).into()
            } else {
                message.clone()
            };
        }
        for (field, text) in [
            (&mut self.help, &texts.help),
            (&mut self.fix, &texts.fix),
            (&mut self.label, &texts.label),
            (&mut self.article, &texts.article),
        ] {
            if text.is_some() {
                field.clone_from(text);
            }
        }
        self.dutch = texts;
    }
}

/// A role test a policy's condition evaluates first: `VAR.role == "x"` or `VAR.role != "x"`
/// as the leftmost operand of its first `when` clause's chain of `&&`. When it is false Cedar
/// stops there, so the policy can be skipped for an activity whose role makes it false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGuard {
    /// `principal` or `resource`.
    pub var: String,
    /// `==` (else `!=`).
    pub equal: bool,
    /// The role compared with.
    pub role: String,
}

impl RoleGuard {
    /// The guard of a policy, read from its source: the first clause is a `when` whose body
    /// has no `||` outside brackets and starts with `VAR.role == "x" &&` or `!=`. (Its JSON
    /// form says the same, and a test checks they agree, but costs a parse per policy.)
    pub fn of(source: &str) -> Option<RoleGuard> {
        if !source.contains("role") {
            return None;
        }
        RoleGuard::of_code(source, &blank_comments_and_strings(source))
    }

    /// [`RoleGuard::of`], with the source's `code` (its comments and strings blanked) already
    /// at hand.
    pub fn of_code(source: &str, code: &str) -> Option<RoleGuard> {
        if !code.contains("role") {
            return None;
        }
        let (body_start, close) = first_when_body(code)?;
        let body = code.get(body_start..close)?;
        let lead = body.len() - body.trim_start().len();
        let start = body_start + lead;
        let text = code.get(start..)?;
        let (var, after_var) = ["principal", "resource"]
            .iter()
            .find_map(|v| text.strip_prefix(v).map(|rest| (*v, rest)))?;
        let after_attr = after_var
            .trim_start()
            .strip_prefix('.')?
            .trim_start()
            .strip_prefix("role")?;
        let after_attr = after_attr.trim_start();
        let (equal, after_op) = match (after_attr.strip_prefix("=="), after_attr.strip_prefix("!="))
        {
            (Some(rest), _) => (true, rest),
            (_, Some(rest)) => (false, rest),
            _ => return None,
        };
        // The string literal, blanked in `code`: read it from the source at the same bytes.
        let op_end = code.len() - after_op.len();
        let spaces = source.get(op_end..)?;
        let literal_at = op_end + (spaces.len() - spaces.trim_start().len());
        let original = source.get(literal_at..)?;
        let value = original.strip_prefix('"')?;
        let end = value.find('"')?;
        let value = value.get(..end)?;
        if value.contains('\\') {
            return None;
        }
        let after_literal = code.get(literal_at + end + 2..)?.trim_start();
        if !after_literal.starts_with("&&") {
            return None;
        }
        Some(RoleGuard {
            var: var.to_string(),
            equal,
            role: value.to_string(),
        })
    }
}

/// A test among those a policy's condition starts with that Cedar evaluates without error and
/// that, when false, makes the whole condition false: the first `when` clause (with no `||`
/// outside brackets) is a chain of `&&` whose leading operands are role tests, `VAR has
/// a.b` and `VAR.flag` (a Boolean attribute: strict validation lets a policy read only an
/// attribute the entity always has without `has`). The policy can be skipped for a request
/// where one of them is false.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Guard {
    /// `VAR has a.b`: false when the attribute path is absent.
    Has {
        /// `principal` or `resource`.
        var: String,
        /// The attribute, then the record fields within it.
        path: Vec<String>,
    },
    /// `VAR.flag`: false when the Boolean attribute is false.
    Flag {
        /// `principal` or `resource`.
        var: String,
        /// The attribute.
        attr: String,
    },
}

impl Guard {
    /// The guards among the leading operands of a policy's condition, read from its source.
    pub fn of(source: &str) -> Vec<Guard> {
        Guard::of_code(&blank_comments_and_strings(source))
    }

    /// [`Guard::of`], from the source's `code` (its comments and strings blanked).
    pub fn of_code(code: &str) -> Vec<Guard> {
        let Some(body) = first_when_body(code).and_then(|(start, end)| code.get(start..end)) else {
            return Vec::new();
        };
        let mut guards = Vec::new();
        for operand in top_level_operands(body) {
            let words: Vec<&str> = operand
                .split(|c: char| c.is_whitespace() || c == '.')
                .filter(|w| !w.is_empty())
                .collect();
            let compact: String = operand.split_whitespace().collect();
            let var = match words.first() {
                Some(v @ (&"principal" | &"resource")) => (*v).to_string(),
                _ => break,
            };
            let ident = |w: &&str| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            // `VAR.role == "x"` (the literal blanked): cheap, no guard of its own here.
            if compact == format!("{var}.role==") || compact == format!("{var}.role!=") {
                continue;
            }
            match words.as_slice() {
                [_, "has", path @ ..] if !path.is_empty() && path.iter().all(ident) => {
                    // `has` binds the whole dotted path: `VAR has a.b`.
                    if !compact.starts_with(&format!("{var}has")) {
                        break;
                    }
                    guards.push(Guard::Has {
                        var,
                        path: path.iter().map(|w| (*w).to_string()).collect(),
                    });
                }
                [_, attr] if ident(attr) && compact == format!("{var}.{attr}") => {
                    guards.push(Guard::Flag {
                        var,
                        attr: (*attr).to_string(),
                    });
                }
                _ => break,
            }
        }
        guards
    }
}

/// Where the body of the first clause lies in `code` (comments and strings blanked), when that
/// clause is a `when` with no `||` outside brackets: from after its `{` to its `}`.
fn first_when_body(code: &str) -> Option<(usize, usize)> {
    let bytes = code.as_bytes();
    // The effect, its scope's parentheses; then the first clause.
    let effect = ["forbid", "permit"]
        .iter()
        .filter_map(|e| code.find(e))
        .min()?;
    let scope_end = effect + code.get(effect..)?.find(')')?;
    let after = scope_end + 1;
    let rest = code.get(after..)?;
    if !rest.trim_start().starts_with("when") {
        return None;
    }
    let open = after + rest.find('{')?;
    // The body, to its matching brace.
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((open + 1, i));
                }
            }
            b'|' if depth == 1 && bytes.get(i + 1) == Some(&b'|') => return None,
            _ => {}
        }
    }
    None
}

/// The operands of the `&&` chain of `body`, split outside brackets.
fn top_level_operands(body: &str) -> Vec<&str> {
    let bytes = body.as_bytes();
    let mut operands = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'&' if depth == 0 && bytes.get(i + 1) == Some(&b'&') => {
                operands.push(body.get(start..i).unwrap_or("").trim());
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    operands.push(body.get(start..).unwrap_or("").trim());
    operands
}

/// The source with comments and string literals (quotes included) replaced by spaces, byte
/// for byte: every offset still points at the same place. (Every delimiter is ASCII, so each
/// blanked run starts and ends at a character's edge.)
pub fn blank_comments_and_strings(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut code = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let end = match b {
            // A comment, up to its line break (kept).
            b'/' if bytes.get(i + 1) == Some(&b'/') => bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
                .map_or(bytes.len(), |at| i + at),
            // A string literal, through its closing quote.
            b'"' => {
                let mut j = i + 1;
                let mut escaped = false;
                while let Some(&c) = bytes.get(j) {
                    j += 1;
                    match (escaped, c) {
                        (false, b'\\') => escaped = true,
                        (false, b'"') => break,
                        _ => escaped = false,
                    }
                }
                j
            }
            _ => {
                code.push(b);
                i += 1;
                continue;
            }
        };
        code.resize(code.len() + (end - i), b' ');
        i = end;
    }
    String::from_utf8(code).unwrap_or_default()
}

/// A rule as a register's waivers and positions name it.
#[derive(Debug, Clone, Copy)]
pub struct RuleName<'a> {
    /// The rule's id.
    pub id: &'a str,
    /// Whether a reasoned position may answer it.
    pub accepts_position: bool,
    /// Whether a waiver (or a position) may answer it at all.
    pub waivable: bool,
}

/// The data and subject categories the rules name as `DataCategory::"x"` and
/// `SubjectCategory::"x"`. A policy can only test membership of a category it names, so an
/// activity's category sets need no other ancestors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedCategories {
    /// Data categories named.
    pub data: BTreeSet<String>,
    /// Subject categories named.
    pub subjects: BTreeSet<String>,
}

impl NamedCategories {
    /// Collects the categories named in policy sources; `None` when a mention of a category
    /// type is not a plain `Type::"id"` literal (then every ancestor must be kept).
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut named = NamedCategories::default();
        for source in sources {
            for (ty, into) in [
                ("DataCategory", &mut named.data),
                ("SubjectCategory", &mut named.subjects),
            ] {
                let mut rest = source;
                while let Some(i) = rest.find(ty) {
                    rest = rest.get(i + ty.len()..).unwrap_or("");
                    let literal = rest.strip_prefix("::\"")?;
                    let end = literal.find('"')?;
                    let id = literal.get(..end)?;
                    if id.contains('\\') {
                        return None;
                    }
                    into.insert(id.to_string());
                    rest = literal.get(end..).unwrap_or("");
                }
            }
        }
        Some(named)
    }
}

/// The top-level attributes of `principal`, `resource` and `context` a policy reads, from
/// its source text: `var.attr` and `var has attr` outside comments and string literals.
/// Much cheaper than walking the policy's JSON form, and tested to agree with that walk.
pub fn attribute_reads_in_source(source: &str) -> Reads {
    attribute_reads_in_code(&blank_comments_and_strings(source))
}

/// [`attribute_reads_in_source`], from the source's `code` (its comments and strings
/// blanked).
pub fn attribute_reads_in_code(code: &str) -> Reads {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let var = |w: &str| match w {
        "principal" => Some(Var::Principal),
        "resource" => Some(Var::Resource),
        "context" => Some(Var::Context),
        _ => None,
    };
    let mut reads = BTreeSet::new();
    for (i, word) in words.iter().enumerate() {
        let mut parts = word.split('.');
        let Some(v) = parts.next().and_then(var) else {
            continue;
        };
        if let Some(attr) = parts.next().filter(|a| !a.is_empty()) {
            reads.insert((v, attr.to_string()));
        } else if words.get(i + 1) == Some(&"has") {
            if let Some(attr) = words.get(i + 2).and_then(|w| w.split('.').next()) {
                reads.insert((v, attr.to_string()));
            }
        }
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blanking as it was written char by char: the reference for the byte version.
    fn blank_by_chars(source: &str) -> String {
        let mut code = String::with_capacity(source.len());
        let blank = |code: &mut String, c: char| {
            for _ in 0..c.len_utf8() {
                code.push(' ');
            }
        };
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => {
                    code.push(' ');
                    for c in chars.by_ref() {
                        if c == '\n' {
                            code.push('\n');
                            break;
                        }
                        blank(&mut code, c);
                    }
                }
                '"' => {
                    code.push(' ');
                    let mut escaped = false;
                    for c in chars.by_ref() {
                        blank(&mut code, c);
                        match (escaped, c) {
                            (false, '\\') => escaped = true,
                            (false, '"') => break,
                            _ => escaped = false,
                        }
                    }
                }
                c => code.push(c),
            }
        }
        code
    }

    #[test]
    fn comments_and_strings_are_blanked_byte_for_byte() {
        let cases = [
            "@id(\"x\") forbid(principal, action, resource) when { resource.role != \"processor\" };",
            "// a comment with ünïcödé and \"quotes\"\nresource has x // tail",
            "\"an \\\"escaped\\\" quote, a \\\\ backslash\" && \"é\\é\" && \"unterminated ü",
            "a // comment at the end without a line break ✓",
            "/ not a comment / \"\" \"/\" //",
            "",
        ];
        for case in cases {
            let blanked = blank_comments_and_strings(case);
            assert_eq!(blanked, blank_by_chars(case), "{case:?}");
            assert_eq!(blanked.len(), case.len());
        }
        // Every shipped policy, annotations and all.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert_eq!(blank_comments_and_strings(&text), blank_by_chars(&text));
        }
    }
}
