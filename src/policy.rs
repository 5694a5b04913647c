//! Owns loading the policy pack: finding its files, parsing the Cedar schema and the
//! policies (joined, or one by one when that fails), re-identifying each policy from its
//! `@id`, validating it strictly against the schema, and the pack's record. What a rule is
//! lives in [`crate::rule`]; the taxonomy file's vocabulary in [`crate::vocabulary`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use cedar_policy::{
    ActionConstraint, Effect, Policy, PolicyId, PolicySet, Schema, ValidationMode, Validator,
};
use miette::Diagnostic;

use crate::cedar_text;
use crate::files::{bad_name, hidden_in_name, Fence};
use crate::finding::Severity;
use crate::pack_cache;
use crate::problem::{Code, Problem};
pub use crate::rule::{
    attribute_reads_in_source, Guard, NamedCategories, Reads, RequestKind, RoleGuard, Rule,
    RuleName, Var,
};
use crate::source::{display_name, read_source, FileId, Location, SourceMap, Span};
use crate::taxonomy::{Kind, Taxonomy};
use crate::vocabulary::load_taxonomy;
pub use crate::vocabulary::{Region, Vocabulary};
use crate::yaml::Limits;

/// A pack's Cedar schema: parsed when the pack loads, or, for a pack that loaded cleanly
/// before (see [`crate::pack_cache`]), when first asked for.
#[derive(Debug)]
pub struct PackSchema {
    text: String,
    parsed: OnceLock<Schema>,
}

impl PackSchema {
    fn parsed(text: &str, schema: Schema) -> Self {
        PackSchema {
            text: text.to_string(),
            parsed: OnceLock::from(schema),
        }
    }

    fn unparsed(text: &str) -> Self {
        PackSchema {
            text: text.to_string(),
            parsed: OnceLock::new(),
        }
    }

    /// The schema, parsed now if it was not at load.
    /// The schema's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn get(&self) -> Result<&Schema, Problem> {
        if let Some(schema) = self.parsed.get() {
            return Ok(schema);
        }
        let (schema, _warnings) = Schema::from_cedarschema_str(&self.text).map_err(|err| {
            Problem::general(
                Code::SchemaError,
                format!("the schema does not parse: {err}"),
            )
        })?;
        Ok(self.parsed.get_or_init(|| schema))
    }
}

/// The loaded policy pack.
#[derive(Debug)]
pub struct PolicyPack {
    /// The Cedar schema.
    pub schema: PackSchema,
    /// Every rule, sorted by id.
    pub rules: Vec<Rule>,
    /// One policy set per request kind: for judging. Their annotation values may be blanked
    /// (see [`crate::cedar_text::blank_annotation_values`]): a rule's texts are in `rules`.
    pub sets: HashMap<RequestKind, PolicySet>,
    /// The data-category taxonomy.
    pub data_categories: Taxonomy,
    /// The data-subject taxonomy.
    pub subject_categories: Taxonomy,
    /// Regions of countries, and the values that count as absent.
    pub vocabulary: Vocabulary,
    /// The categories the rules name, when every mention could be read.
    pub named: Option<NamedCategories>,
    /// The language the rules speak (see [`PolicyPack::localize`]).
    pub lang: crate::lang::Lang,
}

impl PolicyPack {
    /// The rules a register's waivers and positions may name.
    pub fn rule_names(&self) -> Vec<RuleName<'_>> {
        self.rules
            .iter()
            .map(|r| RuleName {
                id: &r.id,
                accepts_position: r.accepts_position,
                waivable: r.waivable,
            })
            .collect()
    }
}

impl PolicyPack {
    /// The EEA's countries in the pack's regions (empty when the pack names no `EEA`).
    pub fn eea(&self) -> &[String] {
        self.vocabulary
            .regions
            .iter()
            .find(|r| r.id == "EEA")
            .map_or(&[], |r| r.countries.as_slice())
    }

    /// Makes every rule speak `lang` (see [`Rule::localize`]).
    pub fn localize(&mut self, lang: crate::lang::Lang) {
        self.lang = lang;
        for rule in &mut self.rules {
            rule.localize(lang);
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.rules.get(i))
    }
}

/// The stack of the thread that parses the schema and part of the policies: Cedar's parser
/// uses some kilobytes per nesting level, and the depth limit keeps it far below this.
const PARSER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// The schema file in a policy folder.
pub const SCHEMA_FILE: &str = "schema.cedarschema";
/// The taxonomy file in a policy folder.
pub const TAXONOMY_FILE: &str = "taxonomy.yaml";

/// Loads `dir`: its schema, taxonomy and every `*.cedar` file below it. A pack that loaded
/// cleanly before, byte for byte, is not validated again (see [`pack_cache`]).
pub fn load_policies(
    dir: &Path,
    sources: &mut SourceMap,
    limits: &Limits,
) -> Result<PolicyPack, Vec<Problem>> {
    // With no folder for records (`ROPA_CACHE=off`), no key is computed either.
    let use_record = match pack_cache::dir() {
        Some(_) => UseRecord::Yes,
        None => UseRecord::No,
    };
    load_pack(dir, sources, limits, use_record)
}

/// Whether a load reads and writes the pack's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UseRecord {
    Yes,
    No,
}

fn load_pack(
    dir: &Path,
    sources: &mut SourceMap,
    limits: &Limits,
    use_record: UseRecord,
) -> Result<PolicyPack, Vec<Problem>> {
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return Err(vec![Problem::general(
            Code::Io,
            format!("policy folder {} not found", display_name(dir)),
        )
        .help("name it with `--policies DIR`")]);
    }
    // Read every file first; then parse the schema on one thread while this one parses
    // the taxonomy and the policies, and validate each policy file once both are done.
    let fence = Fence::around(dir);
    let mut read = |path: &Path, max_bytes: u64, problems: &mut Vec<Problem>| {
        if let Some(Err(problem)) = fence.as_ref().map(|f| f.check(path)) {
            problems.push(problem);
            return None;
        }
        match read_source(sources, path, max_bytes) {
            Ok(file) => Some(file),
            Err(problem) => {
                problems.push(problem);
                None
            }
        }
    };
    let schema_file = read(
        &dir.join(SCHEMA_FILE),
        limits.max_policy_bytes,
        &mut problems,
    );
    let taxonomy_file = read(
        &dir.join(TAXONOMY_FILE),
        limits.max_file_bytes,
        &mut problems,
    );
    let mut paths = Vec::new();
    collect_cedar_files(dir, &mut paths, &mut problems);
    paths.sort();
    if paths.is_empty() && problems.is_empty() {
        problems.push(Problem::general(
            Code::NoPolicies,
            format!("no *.cedar policy in {}", display_name(dir)),
        ));
    }
    let policy_files: Vec<FileId> = paths
        .iter()
        .filter_map(|p| read(p, limits.max_policy_bytes, &mut problems))
        .collect();
    let sources: &SourceMap = sources;
    // A pack that loaded cleanly before, byte for byte, is not validated again: its schema
    // is not parsed, its policies not checked against it.
    let schema_text = schema_file.map(|file| sources.file(file).text.as_str());
    let cache_key = match (schema_text, taxonomy_file) {
        (Some(schema), Some(taxonomy)) if problems.is_empty() && use_record == UseRecord::Yes => {
            let files: Vec<(&str, &str)> = policy_files
                .iter()
                .map(|&file| {
                    let source = sources.file(file);
                    (source.name.as_str(), source.text.as_str())
                })
                .collect();
            let taxonomy = sources.file(taxonomy).text.as_str();
            pack_cache::key(schema, taxonomy, &files, limits.max_policy_depth)
        }
        _ => None,
    };
    // Only the verdict is taken from the record: every rule, kind and category is read from
    // the text below, as on a first load, so a record planted in a shared cache folder
    // cannot change what a rule says or which rules run.
    let validated = cache_key.as_ref().is_some_and(pack_cache::seen);
    let mut rules: Vec<Rule> = Vec::new();
    let mut policies: Vec<(Policy, Vec<RequestKind>)> = Vec::new();
    let mut file_sets: Vec<ParsedFile> = Vec::new();
    // The schema thread also takes the first policy files, this one the taxonomy and the
    // rest: Cedar's parser is the cost on both sides, so this keeps them about even.
    let (first_files, other_files) = policy_files.split_at(policy_files.len() * 3 / 10);
    let depth = limits.max_policy_depth;
    let (schema, taxonomies) = std::thread::scope(|scope| {
        let parse_schema_side = move || {
            // A pack validated before needs its schema only for the proofs, parsed then.
            let schema = schema_file
                .filter(|_| !validated)
                .map(|file| parse_schema(file, sources, depth));
            (schema, parse_policy_files(first_files, sources, depth))
        };
        // Cedar's parser recurses per nesting level: give its thread a stack sized for the
        // depth limit rather than the platform's default.
        let schema = std::thread::Builder::new()
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, parse_schema_side);
        let taxonomies =
            taxonomy_file.map(|file| load_taxonomy(file, sources, limits, &mut problems));
        let mine = parse_policy_files(other_files, sources, depth);
        let failed = || {
            let failed = Problem::general(Code::SchemaError, "the schema thread failed");
            (Some(Err(failed)), Parsed::default())
        };
        let (schema, theirs) = match schema {
            Ok(handle) => handle.join().unwrap_or_else(|_| failed()),
            Err(_) => failed(),
        };
        // Merge in file order; a rule id used in both runs is reported as in one.
        for part in [theirs, mine] {
            problems.extend(part.problems);
            policies.extend(part.policies);
            file_sets.extend(part.sets);
            for rule in part.rules {
                match rules.iter().find(|r| r.id == rule.id) {
                    Some(first) => {
                        let text = &sources.file(rule.at.file).text;
                        problems.push(duplicate_rule(text, &rule, first.at));
                    }
                    None => rules.push(rule),
                }
            }
        }
        (schema, taxonomies)
    });
    let schema = match (schema, schema_text) {
        (Some(Ok(schema)), Some(text)) => Some(PackSchema::parsed(text, schema)),
        (Some(Err(problem)), _) => {
            problems.push(problem);
            None
        }
        (None, Some(text)) if validated => Some(PackSchema::unparsed(text)),
        _ => None,
    };
    let (data_categories, subject_categories, vocabulary) = taxonomies.unwrap_or_else(|| {
        (
            Taxonomy::new(Kind::Data),
            Taxonomy::new(Kind::Subject),
            Vocabulary::default(),
        )
    });
    if let Some(schema) = schema.as_ref().and_then(|s| s.parsed.get()) {
        // One validator for every file: building it copies the schema.
        let validator = Validator::new(schema.clone());
        for parsed in &file_sets {
            validate_policy_file(parsed, &validator, &mut problems);
        }
    }
    let Some(schema) = schema else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let sets = sets_by_kind(
        policies
            .iter()
            .map(|(policy, kinds)| (policy, kinds.as_slice())),
    )
    .map_err(|err| vec![Problem::general(Code::DuplicateRule, err.to_string())])?;
    let pack = PolicyPack::assemble(
        schema,
        rules,
        sets,
        (data_categories, subject_categories, vocabulary),
    );
    if let (Some(key), false) = (&cache_key, validated) {
        pack_cache::record(key);
    }
    Ok(pack)
}

/// One policy set per request kind, each with the policies whose action scope admits it.
fn sets_by_kind<'a>(
    policies: impl IntoIterator<Item = (&'a Policy, &'a [RequestKind])>,
) -> Result<HashMap<RequestKind, PolicySet>, cedar_policy::PolicySetError> {
    let mut sets: HashMap<RequestKind, PolicySet> = RequestKind::ALL
        .iter()
        .map(|k| (*k, PolicySet::new()))
        .collect();
    for (policy, kinds) in policies {
        for kind in kinds {
            if let Some(set) = sets.get_mut(kind) {
                set.add(policy.clone())?;
            }
        }
    }
    Ok(sets)
}

impl PolicyPack {
    /// The pack of these parts: its rules sorted by id, and the categories they name read
    /// from their sources.
    fn assemble(
        schema: PackSchema,
        mut rules: Vec<Rule>,
        sets: HashMap<RequestKind, PolicySet>,
        (data_categories, subject_categories, vocabulary): (Taxonomy, Taxonomy, Vocabulary),
    ) -> PolicyPack {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let named = NamedCategories::from_sources(rules.iter().map(|r| r.source.as_str()));
        PolicyPack {
            schema,
            rules,
            sets,
            data_categories,
            subject_categories,
            vocabulary,
            named,
            lang: crate::lang::Lang::En,
        }
    }
}

/// Every `*.cedar` file below `dir`. Hidden entries (a name starting with `.`) are skipped,
/// as the register's walk and the gate's reading of a base skip them; a symbolic link that
/// leads out of the repository is refused, never followed.
pub fn collect_cedar_files(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    match Fence::around(dir) {
        Some(fence) => collect_below(dir, &fence, files, problems, 0),
        None => problems.push(Problem::general(
            Code::Io,
            format!("cannot read {}", display_name(dir)),
        )),
    }
}

/// The deepest folder below a policy folder that is read.
const MAX_FOLDER_DEPTH: usize = 32;

fn collect_below(
    dir: &Path,
    fence: &Fence,
    files: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
    depth: usize,
) {
    if depth > MAX_FOLDER_DEPTH {
        problems.push(Problem::general(
            Code::Io,
            format!(
                "{} is more than {MAX_FOLDER_DEPTH} folders deep (a symbolic link loop?)",
                display_name(dir)
            ),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            problems.push(Problem::general(
                Code::Io,
                format!("cannot read {}: {err}", display_name(dir)),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() && !fence.admits(&path) {
            problems.push(fence.refusal(&path));
            continue;
        }
        if path.is_dir() {
            collect_below(&path, fence, files, problems, depth + 1);
        } else if path.extension().and_then(|e| e.to_str()) == Some("cedar") {
            match hidden_in_name(&path) {
                Some(c) => problems.push(bad_name(&path, c)),
                None => files.push(path),
            }
        }
    }
}

/// Turns a Cedar diagnostic whose labels point into `file` into a problem.
fn cedar_problem(code: Code, file: FileId, diagnostic: &dyn Diagnostic, fallback: Span) -> Problem {
    let mut labels = diagnostic.labels().into_iter().flatten();
    let (span, label) = match labels.next() {
        Some(l) => (
            Span::new(l.offset(), l.len()),
            l.label().unwrap_or("here").to_string(),
        ),
        None => (fallback, "here".to_string()),
    };
    let mut problem = Problem::at(code, Location { file, span }, diagnostic.to_string())
        .label(label)
        .maybe_help(diagnostic.help().map(|h| h.to_string()));
    for l in labels {
        problem = problem.note(
            Location {
                file,
                span: Span::new(l.offset(), l.len()),
            },
            l.label().unwrap_or("related").to_string(),
        );
    }
    problem
}

fn parse_schema(file: FileId, sources: &SourceMap, max_depth: usize) -> Result<Schema, Problem> {
    let source = sources.file(file);
    if let Some(problem) = cedar_text::check(file, "the schema", &source.text, true, max_depth) {
        return Err(problem);
    }
    match Schema::from_cedarschema_str(&source.text) {
        Ok((schema, _warnings)) => Ok(schema),
        Err(err) => Err(cedar_problem(
            Code::SchemaError,
            file,
            &err,
            Span::new(0, 0),
        )),
    }
}

/// Finds where each policy's text starts in the file, in order.
fn policy_spans(text: &str, policies: &[Policy]) -> Vec<Span> {
    let mut from = 0;
    policies
        .iter()
        .map(|policy| {
            let own = policy.to_cedar().unwrap_or_default();
            // Policies come in order with blanks and comments between: the next one usually
            // starts where those end, and no search is needed.
            let found = |rest: &str| {
                let skip = blanks_len(rest);
                match rest.get(skip..) {
                    Some(after) if after.starts_with(own.as_str()) => Some(skip),
                    _ => rest.find(own.as_str()),
                }
            };
            match text.get(from..).and_then(found).filter(|_| !own.is_empty()) {
                Some(i) => {
                    let span = Span::new(from + i, own.len());
                    from = span.end();
                    span
                }
                None => Span::new(from, 0),
            }
        })
        .collect()
}

/// The length of the white space and `//` comments `text` starts with.
fn blanks_len(text: &str) -> usize {
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        match trimmed.strip_prefix("//") {
            Some(comment) => {
                rest = comment
                    .find('\n')
                    .map_or("", |at| comment.get(at..).unwrap_or(""))
            }
            None => return text.len() - trimmed.len(),
        }
    }
}

/// The span of an annotation's key inside a policy, or the policy's first line.
fn annotation_span(text: &str, policy: Span, key: &str) -> Span {
    let body = text.get(policy.offset..policy.end()).unwrap_or("");
    let needle = format!("@{key}");
    match body.find(&needle) {
        Some(i) => Span::new(policy.offset + i, needle.len()),
        None => {
            let first_line = body.find('\n').unwrap_or(body.len());
            Span::new(policy.offset, first_line)
        }
    }
}

/// A policy's annotation `key`, read from its list of annotations. (Cedar's own lookup parses
/// the key as an identifier on every call, with a fresh lexer each time: a cost at start-up.)
pub fn annotation<'a>(policy: &'a Policy, key: &str) -> Option<&'a str> {
    policy
        .annotations()
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value)
}

/// Parses and checks one policy file already in `sources`: its rules are added to `rules`
/// (a duplicate `@id` of one already there is a problem), its policies to `policies`, and
/// every problem to `problems`. Text nested deeper than `max_depth`, or with no code, is
/// refused before Cedar parses it. Validation against the schema is the pack's, once every
/// file is parsed.
pub fn load_policy_file(
    file: FileId,
    sources: &SourceMap,
    max_depth: usize,
    rules: &mut Vec<Rule>,
    policies: &mut Vec<(Policy, Vec<RequestKind>)>,
    problems: &mut Vec<Problem>,
) -> PolicySet {
    let text = &sources.file(file).text;
    if let Some(problem) = cedar_text::check(file, "the policy file", text, false, max_depth) {
        problems.push(problem);
        return PolicySet::new();
    }
    let parsed = match PolicySet::from_str(text) {
        Ok(set) => set,
        Err(err) => {
            problems.push(cedar_problem(
                Code::PolicyParse,
                file,
                &err,
                Span::new(0, 0),
            ));
            return PolicySet::new();
        }
    };
    let in_order = in_source_order(&parsed);
    let spans = policy_spans(text, &in_order);
    let found = FilePolicies {
        file,
        text,
        in_order,
        spans,
        annotations: Vec::new(),
    };
    take_rules(found, rules, policies, problems)
}

/// A parsed set's policies in source order (Cedar names them policy0, policy1, ...).
fn in_source_order(parsed: &PolicySet) -> Vec<Policy> {
    let mut in_order: Vec<Policy> = parsed.policies().cloned().collect();
    in_order.sort_by_key(|p| {
        p.id()
            .to_string()
            .trim_start_matches("policy")
            .parse::<usize>()
            .unwrap_or(usize::MAX)
    });
    in_order
}

/// One policy file's parsed policies, in source order, each with its span in the file.
struct FilePolicies<'a> {
    file: FileId,
    text: &'a str,
    in_order: Vec<Policy>,
    spans: Vec<Span>,
    /// The annotations whose values Cedar was given blanked (see
    /// [`crate::cedar_text::blank_annotation_values`]), read here instead.
    annotations: Vec<crate::cedar_text::Annotation>,
}

/// Checks a policy file's parsed policies and takes their rules (see [`load_policy_file`]).
fn take_rules(
    found: FilePolicies<'_>,
    rules: &mut Vec<Rule>,
    policies: &mut Vec<(Policy, Vec<RequestKind>)>,
    problems: &mut Vec<Problem>,
) -> PolicySet {
    let FilePolicies {
        file,
        text,
        in_order,
        spans,
        annotations: read_here,
    } = found;
    let mut file_set = PolicySet::new();
    let mut file_rules = Vec::new();
    for (policy, span) in in_order.iter().zip(spans) {
        let at = Location { file, span };
        // A value Cedar parsed blanked is read from the text; the others from Cedar.
        let annotation = |key: &str| {
            read_here
                .iter()
                .find(|a| a.at >= span.offset && a.at < span.end() && a.key == key)
                .map(|a| a.value.clone())
                .or_else(|| annotation(policy, key).map(str::to_string))
        };
        let missing = |key: &str, what: &str| {
            Problem::at(
                Code::PolicyAnnotation,
                Location {
                    file,
                    span: annotation_span(text, span, key),
                },
                format!("policy has no @{key}"),
            )
            .label(format!("add @{key}(\"...\") above this policy"))
            .help(what.to_string())
        };
        let id = annotation("id");
        let severity = annotation("severity");
        let message = annotation("message");
        let mut ok = true;
        if id.is_none() {
            problems.push(missing(
                "id",
                "@id names the rule in reports and waivers: a stable kebab-case id",
            ));
            ok = false;
        }
        if message.is_none() {
            problems.push(missing(
                "message",
                "@message is the one-line statement of what is wrong",
            ));
            ok = false;
        }
        let severity = match severity.as_deref().map(|s| (s, Severity::parse(s))) {
            Some((_, Some(severity))) => Some(severity),
            Some((value, None)) => {
                problems.push(
                    Problem::at(
                        Code::PolicyAnnotation,
                        Location {
                            file,
                            span: annotation_span(text, span, "severity"),
                        },
                        format!("unknown @severity `{value}`"),
                    )
                    .label("expected \"error\" or \"warning\""),
                );
                None
            }
            None => {
                problems.push(missing("severity", "@severity is \"error\" or \"warning\""));
                None
            }
        };
        if policy.effect() != Effect::Forbid {
            problems.push(
                Problem::at(
                    Code::PolicyValidation,
                    at,
                    "rules must be `forbid` policies",
                )
                .label("a `permit` here")
                .help("a rule describes a violation: write it as `forbid (...) when { ... };`"),
            );
            ok = false;
        }
        if let Some(id) = &id {
            if !crate::register::vocab::is_kebab_case(id) {
                problems.push(
                    Problem::at(
                        Code::PolicyAnnotation,
                        Location {
                            file,
                            span: annotation_span(text, span, "id"),
                        },
                        format!("rule id `{id}` is not kebab-case"),
                    )
                    .label("use lowercase letters, digits and `-`"),
                );
                ok = false;
            }
        }
        let (Some(id), Some(severity), Some(message), true) = (id, severity, message, ok) else {
            continue;
        };
        let kinds = match policy.action_constraint() {
            ActionConstraint::Any => RequestKind::ALL.to_vec(),
            ActionConstraint::Eq(uid) => RequestKind::from_action(uid.id().unescaped())
                .into_iter()
                .collect(),
            ActionConstraint::In(uids) => uids
                .iter()
                .filter_map(|u| RequestKind::from_action(u.id().unescaped()))
                .collect(),
        };
        let renamed = policy.new_id(PolicyId::new(&id));
        if let Err(err) = file_set.add(renamed.clone()) {
            problems.push(Problem::at(Code::DuplicateRule, at, err.to_string()).label("here"));
            continue;
        }
        // A house rule says so where its message is read, in every report.
        let house_rule = annotation("house_rule").is_some();
        let message = if house_rule {
            format!(
                "{}{message}",
                crate::rule::house_rule_prefix(crate::lang::Lang::En)
            )
        } else {
            message
        };
        let own_source = text.get(span.offset..span.end()).unwrap_or("");
        // Comments and strings blanked once, for the three readings of the code.
        let code = crate::rule::blank_comments_and_strings(own_source);
        let reads = crate::rule::attribute_reads_in_code(&code);
        let names = NamedCategories::from_sources([own_source]).unwrap_or_default();
        let role_guard = RoleGuard::of_code(own_source, &code);
        let guards = Guard::of_code(&code);
        file_rules.push(Rule {
            id,
            severity,
            message: message.into(),
            help: annotation("help").map(Arc::from),
            fix: annotation("fix").map(Arc::from),
            article: annotation("article").map(Arc::from),
            label: annotation("label").map(Arc::from),
            area: annotation("area").map(Arc::from),
            house_rule,
            accepts_position: annotation("accepts_position").is_some(),
            waivable: annotation("waivable").as_deref() != Some("false"),
            kinds: kinds.clone(),
            reads,
            names,
            role_guard,
            guards,
            at,
            source: text
                .get(span.offset..span.end())
                .unwrap_or_default()
                .to_string(),
            dutch: Box::new(crate::rule::RuleTexts {
                message: annotation("message_nl").map(Arc::from),
                help: annotation("help_nl").map(Arc::from),
                fix: annotation("fix_nl").map(Arc::from),
                label: annotation("label_nl").map(Arc::from),
                article: annotation("article_nl").map(Arc::from),
            }),
        });
        policies.push((renamed, kinds));
    }
    for rule in file_rules {
        if let Some(first) = rules.iter().find(|r| r.id == rule.id) {
            problems.push(duplicate_rule(text, &rule, first.at));
            continue;
        }
        rules.push(rule);
    }
    file_set
}

/// The problem of a rule whose `@id` an earlier rule already uses.
fn duplicate_rule(text: &str, rule: &Rule, first: Location) -> Problem {
    Problem::at(
        Code::DuplicateRule,
        Location {
            file: rule.at.file,
            span: annotation_span(text, rule.at.span, "id"),
        },
        format!("rule id `{}` is used twice", rule.id),
    )
    .label("second use")
    .note(first, "first use")
    .help("every rule needs its own @id")
}

/// What parsing a run of policy files gives.
#[derive(Default)]
struct Parsed {
    rules: Vec<Rule>,
    policies: Vec<(Policy, Vec<RequestKind>)>,
    sets: Vec<ParsedFile>,
    problems: Vec<Problem>,
}

/// One policy file's policies, as parsed.
struct ParsedFile {
    file: FileId,
    set: PolicySet,
    /// Where the file starts in the text its policies were parsed from (more than 0 when
    /// that text joined several files): Cedar's places are offsets in that text.
    start: usize,
}

/// Parses a run of policy files: all at once when they parse as one text with every policy
/// inside its own file (Cedar's parser starts a new lexer, with a cold automaton, on each
/// call), file by file otherwise, which gives each problem its file. Either way the rules,
/// policies and problems are the same.
fn parse_policy_files(files: &[FileId], sources: &SourceMap, max_depth: usize) -> Parsed {
    if let Some(parsed) = parse_joined(files, sources, max_depth) {
        return parsed;
    }
    parse_one_by_one(files, sources, max_depth)
}

/// [`parse_policy_files`] in one parse: `None` when a file fails the text checks, the joined
/// text does not parse, or a policy is not found whole inside one file.
fn parse_joined(files: &[FileId], sources: &SourceMap, max_depth: usize) -> Option<Parsed> {
    let mut joined = String::new();
    let mut annotations = Vec::with_capacity(files.len());
    // Where each file starts in the joined text.
    let mut starts = Vec::with_capacity(files.len());
    for &file in files {
        let text = &sources.file(file).text;
        if cedar_text::check(file, "the policy file", text, false, max_depth).is_some() {
            return None;
        }
        starts.push(joined.len());
        // Annotation values are most of a policy file's bytes and none of its code: Cedar
        // parses them blanked, and they are read from the text.
        let (blanked, read) = cedar_text::blank_annotation_values(text);
        joined.push_str(&blanked);
        joined.push('\n');
        annotations.push(read);
    }
    let parsed = PolicySet::from_str(&joined).ok()?;
    let in_order = in_source_order(&parsed);
    let spans = policy_spans(&joined, &in_order);
    let mut per_file: Vec<FilePolicies<'_>> = files
        .iter()
        .zip(annotations)
        .map(|(&file, annotations)| FilePolicies {
            file,
            text: &sources.file(file).text,
            in_order: Vec::new(),
            spans: Vec::new(),
            annotations,
        })
        .collect();
    // Between the policies only white space and whole comments: then no policy was found
    // inside a comment, and each file alone is its policies and the same gaps.
    let mut end = 0;
    for span in &spans {
        if span.len == 0 || !only_blanks(joined.get(end..span.offset)?, false) {
            return None;
        }
        end = span.end();
    }
    if !only_blanks(joined.get(end..)?, true) {
        return None;
    }
    for (policy, span) in in_order.into_iter().zip(spans) {
        // The file the policy starts in; it must end there too.
        let index = starts
            .partition_point(|&start| start <= span.offset)
            .checked_sub(1)?;
        let start = *starts.get(index)?;
        let own = per_file.get_mut(index)?;
        if span.end() > start + own.text.len() {
            return None;
        }
        own.in_order.push(policy);
        own.spans.push(Span::new(span.offset - start, span.len));
    }
    let mut parsed = Parsed::default();
    for (found, start) in per_file.into_iter().zip(starts) {
        let file = found.file;
        let set = take_rules(
            found,
            &mut parsed.rules,
            &mut parsed.policies,
            &mut parsed.problems,
        );
        parsed.sets.push(ParsedFile { file, set, start });
    }
    Some(parsed)
}

/// Whether `gap` holds only white space and `//` comments, each ended by a line break
/// unless `at_end` (the text's last gap).
fn only_blanks(gap: &str, at_end: bool) -> bool {
    let mut rest = gap;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        let Some(comment) = rest.strip_prefix("//") else {
            return false;
        };
        match comment.find('\n') {
            Some(line_end) => rest = comment.get(line_end..).unwrap_or_default(),
            None => return at_end,
        }
    }
}

fn parse_one_by_one(files: &[FileId], sources: &SourceMap, max_depth: usize) -> Parsed {
    let mut parsed = Parsed::default();
    for &file in files {
        let set = load_policy_file(
            file,
            sources,
            max_depth,
            &mut parsed.rules,
            &mut parsed.policies,
            &mut parsed.problems,
        );
        parsed.sets.push(ParsedFile {
            file,
            set,
            start: 0,
        });
    }
    parsed
}

/// Strictly validates one policy file's policies against the schema. Cedar's warnings are
/// problems too: an impossible policy (false for every valid request: a misspelt attribute,
/// a type that never holds) is a rule that can never fire, and a confusable or mixed-script
/// identifier is one that may not say what it seems to.
fn validate_policy_file(parsed: &ParsedFile, validator: &Validator, problems: &mut Vec<Problem>) {
    let ParsedFile { file, set, start } = parsed;
    let file = *file;
    let result = validator.validate(set, ValidationMode::Strict);
    let found = problems.len();
    for err in result.validation_errors() {
        problems.push(cedar_problem(
            Code::PolicyValidation,
            file,
            err,
            Span::new(0, 0),
        ));
    }
    for warning in result.validation_warnings() {
        let problem = match warning {
            cedar_policy::ValidationWarning::ImpossiblePolicy(_) => {
                let problem = cedar_problem(Code::ImpossiblePolicy, file, warning, Span::new(0, 0));
                problem.help(
                    "the rule can never fire: its condition is false for every register the \
                     schema allows. Look for a misspelt attribute (`resource has retension`) or a \
                     type that never holds under the rule's action",
                )
            }
            _ => cedar_problem(Code::PolicyWarning, file, warning, Span::new(0, 0)),
        };
        problems.push(problem);
    }
    // Places in the joined text, made places in the file.
    if *start > 0 {
        let shift = |at: &mut Location| at.span.offset = at.span.offset.saturating_sub(*start);
        for problem in problems.iter_mut().skip(found) {
            if let Some(at) = &mut problem.at {
                shift(at);
            }
            for note in &mut problem.notes {
                shift(&mut note.at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_bare_reference_is_absent_and_a_real_one_is_not() {
        let vocabulary = Vocabulary {
            absent_values: vec!["ja".into(), "-".into()],
            bare_references: vec!["tia".into(), "wet".into(), "dpia".into()],
            ..Vocabulary::default()
        };
        for absent in [
            "", " ", "ja", "-", "TIA", "wet.", "see DPIA", "Zie dpia", "  tia  ",
        ] {
            assert!(vocabulary.is_absent_reference(absent), "{absent:?}");
        }
        for present in [
            "TIA-2026-04 India",
            "Wet LB 1964 art. 28",
            "see DPIA-2026-01",
            "wetboek",
        ] {
            assert!(!vocabulary.is_absent_reference(present), "{present:?}");
        }
        // A free text is not judged as a reference.
        assert!(!vocabulary.is_absent("wet"));
    }

    // The reference the source scan is tested against: a walk over the policy's JSON form.
    /// The top-level attributes of `principal`, `resource` and `context` a policy reads, found
    /// in its JSON form (`.` and `has` expressions).
    fn attribute_reads(policy: &Policy) -> Reads {
        let mut reads = BTreeSet::new();
        if let Ok(json) = policy.to_json() {
            collect_reads(&json, &mut reads);
        }
        reads
    }

    fn collect_reads(value: &serde_json::Value, reads: &mut Reads) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    if key == "." || key == "has" {
                        if let Some((var, attr)) = root_attribute(inner) {
                            reads.insert((var, attr));
                        }
                    }
                    collect_reads(inner, reads);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect_reads(i, reads)),
            _ => {}
        }
    }

    /// For `{left, attr}`, the variable at the root of the chain and the attribute read on it.
    fn root_attribute(access: &serde_json::Value) -> Option<(Var, String)> {
        let left = access.get("left")?;
        // `has a.b` gives a path: its first step is the attribute of the variable.
        let attr = match access.get("attr")? {
            serde_json::Value::Array(path) => path.first()?.as_str()?,
            other => other.as_str()?,
        };
        if let Some(var) = left.get("Var").and_then(|v| v.as_str()) {
            let var = match var {
                "principal" => Var::Principal,
                "resource" => Var::Resource,
                "context" => Var::Context,
                _ => return None,
            };
            return Some((var, attr.to_string()));
        }
        let inner = left.get(".").or_else(|| left.get("has"))?;
        root_attribute(inner)
    }

    fn both(source: &str) -> (Reads, Reads) {
        let policy = Policy::parse(None, source).ok();
        let from_json = policy.as_ref().map(attribute_reads).unwrap_or_default();
        (attribute_reads_in_source(source), from_json)
    }

    #[test]
    fn source_scan_agrees_with_the_json_walk() {
        let sources = [
            r#"forbid (principal, action, resource) when { !(resource has retention.period) && principal.legal_basis.contains(LegalBasis::"consent") };"#,
            r#"forbid (principal, action, resource) when { context.purposes.isEmpty() } unless { resource has dpia };"#,
            // Comments and strings that look like attribute reads are not reads.
            "// resource.fake\nforbid (principal, action, resource) when { resource.kind == \"principal.x has y\" };",
            r#"forbid (principal, action, resource) when { resource is Subprocessor && resource has country && !(resource.country in Region::"EEA") };"#,
        ];
        for source in sources {
            let (scan, json) = both(source);
            assert!(!json.is_empty(), "{source}");
            assert_eq!(scan, json, "{source}");
        }
    }

    #[test]
    fn named_categories_are_read_or_refused() {
        let named = NamedCategories::from_sources([
            r#"forbid (principal, action, resource in DataCategory::"location") when { principal.data_subjects.contains(SubjectCategory::"employee") };"#,
            r#"forbid (principal, action, resource) when { resource.data.containsAny([DataCategory::"health", DataCategory::"genetic"]) };"#,
        ]);
        let named = named.unwrap_or_default();
        assert_eq!(
            named.data.iter().map(String::as_str).collect::<Vec<_>>(),
            ["genetic", "health", "location"]
        );
        assert_eq!(
            named
                .subjects
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["employee"]
        );
        // Forms the scan does not read: keep every ancestor.
        assert_eq!(
            NamedCategories::from_sources(["when { resource is DataCategory }"]),
            None
        );
        assert_eq!(
            NamedCategories::from_sources([r#"DataCategory::"lo\u{63}ation""#]),
            None
        );
    }

    #[test]
    fn source_scan_agrees_on_every_shipped_rule() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let (scan, json) = both(&text);
            assert_eq!(scan, json, "{}", entry.path().display());
            checked += 1;
        }
        assert!(checked >= 25);
    }
}

#[cfg(test)]
mod role_guard_tests {
    use super::*;

    fn guard(text: &str) -> Option<RoleGuard> {
        let from_source = RoleGuard::of(text);
        match Policy::parse(None, text) {
            Ok(policy) => assert_eq!(from_source, from_json(&policy), "{text}"),
            Err(err) => unreachable!("{err}"),
        }
        from_source
    }

    /// The guard read from the policy's JSON form: the reference the source reading must
    /// agree with.
    fn from_json(policy: &Policy) -> Option<RoleGuard> {
        let json = policy.to_json().ok()?;
        let first = json.get("conditions")?.as_array()?.first()?;
        if first.get("kind")?.as_str()? != "when" {
            return None;
        }
        let mut expr = first.get("body")?;
        while let Some(and) = expr.get("&&") {
            expr = and.get("left")?;
        }
        let (equal, test) = match (expr.get("=="), expr.get("!=")) {
            (Some(test), None) => (true, test),
            (None, Some(test)) => (false, test),
            _ => return None,
        };
        let access = test.get("left")?.get(".")?;
        if access.get("attr")?.as_str()? != "role" {
            return None;
        }
        Some(RoleGuard {
            var: access.get("left")?.get("Var")?.as_str()?.to_string(),
            equal,
            role: test.get("right")?.get("Value")?.as_str()?.to_string(),
        })
    }

    #[test]
    fn the_source_reading_agrees_with_the_json_form_on_every_shipped_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        let mut guards = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if guard(&text).is_some() {
                guards += 1;
            }
        }
        assert!(guards >= 15, "{guards}");
    }

    #[test]
    fn only_a_leading_role_test_is_a_guard() {
        let ne = |var: &str| RoleGuard {
            var: var.into(),
            equal: false,
            role: "processor".into(),
        };
        assert_eq!(
            guard(
                r#"forbid (principal, action, resource) when { resource.role != "processor" && resource.x };"#
            ),
            Some(ne("resource"))
        );
        assert_eq!(
            guard(
                r#"forbid (principal, action, resource) when { principal.role != "processor" && resource.a && resource.b };"#
            ),
            Some(ne("principal"))
        );
        // Not first: what comes before it may fail, and a failure must still be reported.
        assert_eq!(
            guard(
                r#"forbid (principal, action, resource) when { resource.x && resource.role != "processor" };"#
            ),
            None
        );
        // Under `||`, or in an `unless`: not a guard.
        assert_eq!(
            guard(
                r#"forbid (principal, action, resource) when { resource.role != "processor" || resource.x };"#
            ),
            None
        );
        assert_eq!(
            guard(
                r#"forbid (principal, action, resource) unless { resource.role == "processor" };"#
            ),
            None
        );
    }

    /// The guards read from the policy's JSON form, the reference for [`Guard::of`]: the
    /// leading operands of the first `when`'s `&&` chain while they are role tests, `has`
    /// (with its path) or a Boolean attribute.
    fn guards_from_json(policy: &Policy) -> Vec<Guard> {
        fn flatten<'j>(expr: &'j serde_json::Value, out: &mut Vec<&'j serde_json::Value>) {
            match expr.get("&&") {
                Some(and) => {
                    if let Some(left) = and.get("left") {
                        flatten(left, out);
                    }
                    if let Some(right) = and.get("right") {
                        flatten(right, out);
                    }
                }
                None => out.push(expr),
            }
        }
        let Ok(json) = policy.to_json() else {
            return Vec::new();
        };
        let Some(first) = json
            .get("conditions")
            .and_then(|c| c.as_array())
            .and_then(|c| c.first())
        else {
            return Vec::new();
        };
        if first.get("kind").and_then(|k| k.as_str()) != Some("when") {
            return Vec::new();
        }
        let mut operands = Vec::new();
        if let Some(body) = first.get("body") {
            flatten(body, &mut operands);
        }
        let var = |e: &serde_json::Value| {
            e.get("Var")
                .and_then(|v| v.as_str())
                .filter(|v| *v != "context")
                .map(str::to_string)
        };
        let mut guards: Vec<Guard> = Vec::new();
        for operand in operands {
            let role = ["==", "!="].iter().any(|op| {
                operand
                    .get(*op)
                    .and_then(|t| t.get("left"))
                    .and_then(|l| l.get("."))
                    .and_then(|a| a.get("attr"))
                    .and_then(|a| a.as_str())
                    == Some("role")
            });
            if role {
                continue;
            }
            if let Some(has) = operand.get("has") {
                // `attr` is a name, or the path of `VAR has a.b`.
                let path: Option<Vec<String>> = match has.get("attr") {
                    Some(serde_json::Value::String(a)) => Some(vec![a.clone()]),
                    Some(serde_json::Value::Array(parts)) => parts
                        .iter()
                        .map(|p| p.as_str().map(str::to_string))
                        .collect(),
                    _ => None,
                };
                match (has.get("left").and_then(var), path) {
                    (Some(v), Some(path)) => guards.push(Guard::Has { var: v, path }),
                    _ => break,
                }
                continue;
            }
            let access = operand.get(".");
            match (
                access.and_then(|a| a.get("left")).and_then(var),
                access.and_then(|a| a.get("attr")).and_then(|a| a.as_str()),
            ) {
                (Some(v), Some(attr)) => guards.push(Guard::Flag {
                    var: v,
                    attr: attr.to_string(),
                }),
                _ => break,
            }
        }
        guards
    }

    fn guards(text: &str) -> Vec<Guard> {
        let from_source = Guard::of(text);
        match Policy::parse(None, text) {
            Ok(policy) => assert_eq!(from_source, guards_from_json(&policy), "{text}"),
            Err(err) => unreachable!("{err}"),
        }
        from_source
    }

    #[test]
    fn the_guards_read_from_the_source_agree_with_the_json_form_on_every_shipped_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        let mut guarded = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if !guards(&text).is_empty() {
                guarded += 1;
            }
        }
        assert!(guarded >= 10, "{guarded}");
    }

    #[test]
    fn guards_are_the_leading_has_and_flag_tests() {
        let has = |var: &str, path: &[&str]| Guard::Has {
            var: var.into(),
            path: path.iter().map(|p| (*p).to_string()).collect(),
        };
        let flag = |var: &str, attr: &str| Guard::Flag {
            var: var.into(),
            attr: attr.into(),
        };
        assert_eq!(
            guards(
                r#"forbid (principal, action, resource) when { resource.role != "processor" && principal.flag && resource has a.b && resource.x == "y" && resource has c };"#
            ),
            vec![flag("principal", "flag"), has("resource", &["a", "b"])]
        );
        // After an operand that is not a guard, nothing is: it may fail first.
        assert_eq!(
            guards(
                r#"forbid (principal, action, resource) when { resource.x == "y" && resource has c };"#
            ),
            vec![]
        );
        assert_eq!(
            guards(
                r#"forbid (principal, action, resource) when { resource has c || resource has d };"#
            ),
            vec![]
        );
        assert_eq!(
            guards(
                r#"forbid (principal, action, resource) when { !(resource has c) && resource has d };"#
            ),
            vec![]
        );
    }

    /// What a parse of policy files gave, in a form to compare: each rule's id, place,
    /// severity, role guard and source; each policy's text and request kinds; each sets'
    /// file and policy count; each problem's code, place and message.
    fn summary(parsed: &Parsed) -> String {
        let mut out = String::new();
        for rule in &parsed.rules {
            out.push_str(&format!(
                "rule {} {:?} {:?} {:?} {:?}\n",
                rule.id, rule.at, rule.severity, rule.role_guard, rule.source
            ));
        }
        for (policy, kinds) in &parsed.policies {
            // The pack's policies carry their annotation values blanked when the files were
            // parsed in one (the rules hold the texts): compared as Cedar sees them.
            let text = policy
                .to_cedar()
                .map(|t| cedar_text::blank_annotation_values(&t).0);
            out.push_str(&format!("policy {text:?} {kinds:?}\n"));
        }
        for parsed in &parsed.sets {
            out.push_str(&format!(
                "set {:?} {}\n",
                parsed.file,
                parsed.set.policies().count()
            ));
        }
        for problem in &parsed.problems {
            out.push_str(&format!(
                "problem {:?} {:?} {}\n",
                problem.code, problem.at, problem.message
            ));
        }
        out
    }

    fn files(texts: &[&str]) -> (SourceMap, Vec<FileId>) {
        let mut sources = SourceMap::new();
        let ids = texts
            .iter()
            .enumerate()
            .map(|(i, t)| sources.add(Path::new(&format!("r{i}.cedar")), (*t).to_string()))
            .collect();
        (sources, ids)
    }

    const RULE_A: &str = "// first\n@id(\"a\")\n@severity(\"error\")\n@message(\"m\")\nforbid (principal, action, resource)\nwhen { resource.role != \"processor\" && true };\n";
    const RULE_B: &str = "@id(\"b\") @severity(\"warning\") @message(\"n\")\nforbid (principal, action, resource) when { false }; // done";

    #[test]
    fn one_parse_of_every_file_gives_what_a_parse_per_file_gives() {
        let mut shipped = Vec::new();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/rules");
        let mut paths = Vec::new();
        collect_cedar_files(&dir, &mut paths, &mut Vec::new());
        paths.sort();
        for path in &paths {
            shipped.push(std::fs::read_to_string(path).unwrap_or_default());
        }
        assert!(shipped.len() > 40);
        let shipped: Vec<&str> = shipped.iter().map(String::as_str).collect();
        let split_annotation = [
            "@id(\"a\")\n@severity(\"error\")\n@message(\"m\")\n",
            "forbid (principal, action, resource);\n",
        ];
        let commented = [
            "// forbid (principal, action, resource) when { false };\n",
            "@id(\"b\") @severity(\"warning\") @message(\"n\")\nforbid (principal, action, resource) when { false };",
        ];
        let broken = [
            RULE_A,
            "forbid (principal, action, resource) when { ",
            RULE_B,
        ];
        // Which runs one parse can take (the rest go file by file).
        let cases: [(&[&str], bool); 6] = [
            (&shipped, true),
            (&[RULE_A, RULE_B], true),
            (&[RULE_B, RULE_A], true),
            (&split_annotation, false),
            (&commented, false),
            (&broken, false),
        ];
        for (texts, joined) in cases {
            let (sources, ids) = files(texts);
            let whole = parse_joined(&ids, &sources, 64);
            assert_eq!(whole.is_some(), joined, "{texts:?}");
            let one_by_one = summary(&parse_one_by_one(&ids, &sources, 64));
            assert_eq!(summary(&parse_policy_files(&ids, &sources, 64)), one_by_one);
            if let Some(whole) = whole {
                assert_eq!(summary(&whole), one_by_one, "{texts:?}");
            }
        }
        // The split policy and the broken file are problems of their own files.
        let (sources, ids) = files(&split_annotation);
        let parsed = parse_policy_files(&ids, &sources, 64);
        let first = ids.first().copied();
        assert!(
            parsed
                .problems
                .iter()
                .any(|p| p.code == Code::PolicyParse && p.at.map(|at| at.file) == first),
            "{}",
            summary(&parsed)
        );
        let (sources, ids) = files(&broken);
        let parsed = parse_policy_files(&ids, &sources, 64);
        assert_eq!(parsed.rules.len(), 2);
        assert!(parsed
            .problems
            .iter()
            .all(|p| p.at.map(|at| at.file) == ids.get(1).copied()));
    }
}
