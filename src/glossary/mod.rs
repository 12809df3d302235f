//! Glossaries. Reads the CSV files that map artifacts to corrections into
//! validated [`Rule`]s. Every error names the glossary file, line and column, and is
//! raised before any article is touched.

pub(crate) mod condition;
pub(crate) mod pattern;
pub(crate) mod proofs;
pub(crate) mod template;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::correct::fold;
use crate::csvlines::{
    RecordLines, error_line, error_message, lone_cr_as_lf_text, record_start, records_at_most,
    sniff_delimiter,
};
use crate::error::{Error, Result};
use crate::glossary::condition::Condition;
use crate::glossary::pattern::RegexPattern;

/// The glossaries shipped in `glossaries/`, embedded so that the binary works anywhere:
/// every `*.csv` of the folder, sorted by file name (`build.rs`).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_glossaries.rs"));

/// Prefix that makes a pattern a regular expression.
const REGEX_PREFIX: &str = "re:";

/// Columns a glossary may have; `pattern` and `replacement` are required.
pub(crate) const COLUMNS: &[&str] = &[
    "pattern",
    "replacement",
    "id",
    "case",
    "if",
    "unless",
    "note",
    "example",
    "expected",
    "counterexample",
    "seam",
    "gender",
    "scope",
    "fr",
    "fr_gender",
    "expected_fr",
    "action",
];

/// Regexes larger than this once compiled are refused rather than slowing every run.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One glossary file, parsed.
#[derive(Debug, Clone)]
pub struct Glossary {
    /// Where it came from, as the user named it (or `glossaries/<name>` when embedded).
    pub path: PathBuf,
    pub rules: Vec<Rule>,
}

/// How a rule's pattern is matched.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// A phrase matched as whole words.
    Literal(String),
    /// A regular expression (the text after `re:`), for the matching view; compiled when
    /// first searched.
    Regex(RegexPattern),
}

/// One row of a glossary.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, logged with each substitution (`<file stem>:<line>` by default).
    pub id: String,
    pub pattern: Pattern,
    /// The pattern exactly as written in the glossary.
    pub source: String,
    pub replacement: String,
    /// Whether letter case must match exactly (`case=exact`).
    pub exact_case: bool,
    /// Regex that must match in the sentence, outside the match.
    pub if_context: Option<Condition>,
    /// Regex that must not match in the sentence, outside the match.
    pub unless_context: Option<Condition>,
    pub note: String,
    /// A sentence with the artifact, and the sentence once corrected (`glossary test`).
    pub example: Option<String>,
    pub expected: Option<String>,
    /// A sentence the rule must leave unchanged.
    pub counterexample: Option<String>,
    /// How the word before a match changes with the replacement (`seam`, `gender`).
    pub seam: Seam,
    /// Where `if` and `unless` are searched (`scope`).
    pub scope: Scope,
    /// The French correction written under `--into fr` (`fr`, `fr_gender`); `None`
    /// keeps `replacement` (a name has no French form).
    pub french: Option<Box<French>>,
    /// The example once corrected into French (`expected_fr`, `glossary test`).
    pub expected_fr: Option<String>,
    /// `action=flag`: a match is logged and reported, never written.
    pub flag: bool,
    /// The glossary file and the line of the row, for errors and the log.
    pub origin: Origin,
}

/// The French seam of a rule: whether the word before a match is elided, restored or
/// contracted to suit the replacement (see `correct::seam`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seam {
    /// `seam=off`: the word before a match is never changed.
    pub off: bool,
    /// `seam=contract`: "de"/"à" before a replacement starting with "Le"/"Les" contract
    /// ("du Monde"); off by default (surnames and some titles never contract).
    pub contract: bool,
    /// `seam=vowel` or `seam=consonant`: the replacement's first sound, when its spelling
    /// misleads (an aspirate or mute h the built-in lists do not know).
    pub onset: Option<Onset>,
    /// `gender=m` or `f`: the replacement's gender, which restoring an elided `l'`
    /// before a consonant needs ("le"/"la").
    pub gender: Option<Gender>,
}

/// Which correction a run writes (`--into`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    /// The `replacement` column: the English source term, as the glossaries give it.
    #[default]
    Source,
    /// The `fr` column where a rule has one (with its determiner agreed), else
    /// `replacement`.
    Fr,
}

/// A rule's French correction (`fr`), and what the determiner before a match agrees
/// with (`fr_gender`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct French {
    /// The text written instead of the match (a template, like `replacement`, in regex
    /// rules).
    pub replacement: String,
    /// `fr_gender`: the replacement's gender and number. With it, the determiner right
    /// before a match takes them ("cet automne" → "cette chute"); without it, the
    /// replacement is written as it stands, with the seams of `replacement`.
    pub agreement: Option<Agreement>,
}

/// The gender and number a French noun gives the determiner before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// `None` only in the plural, where French determiners have one form ("les", "ces").
    pub gender: Option<Gender>,
    pub plural: bool,
}

/// Whether a word starts with a sound before which French elides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onset {
    Vowel,
    Consonant,
}

/// A noun phrase's grammatical gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Masculine,
    Feminine,
}

/// Where a rule's `if` and `unless` are searched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// The sentence of the match, before and after it (the default).
    #[default]
    Sentence,
    /// The paragraph of the match, before and after it.
    Paragraph,
    /// The paragraph of the match, before and after it, and every other paragraph of
    /// the article.
    Article,
}

/// Where a rule was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Shared by the rules of a glossary (a path of its own per rule would be an allocation
    /// per row).
    pub path: Arc<Path>,
    pub line: u64,
}

/// The `--glossary` value that stands for the shipped glossaries, so that a user's
/// glossaries add to them (`-g + -g mine.csv`) rather than replace them.
pub(crate) const SHIPPED: &str = "+";

/// Loads a glossary file, or every `*.csv` in a folder (sorted by name).
pub(crate) fn load(path: &Path) -> Result<Vec<Glossary>> {
    if path.is_dir() {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
        for entry in entries {
            let file = entry.map_err(|e| Error::io(path, e))?.path();
            let csv = |ext: &std::ffi::OsStr| ext.eq_ignore_ascii_case("csv");
            if file.extension().is_some_and(csv) && file.is_file() {
                files.push(file);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(Error::Usage(format!(
                "the glossary folder {} holds no `*.csv` file",
                path.display()
            )));
        }
        return files.iter().map(|file| load_file(file)).collect();
    }
    load_file(path).map(|glossary| vec![glossary])
}

fn load_file(path: &Path) -> Result<Glossary> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // A glossary saved by a spreadsheet in a legacy encoding (Windows-1252) is detected
    // as an article is; a damaged UTF-8 one stays an error.
    if let Ok((crate::input::encoding::TextEncoding::Legacy(_), text)) =
        crate::input::encoding::decode_whole(&bytes, None)
    {
        return parse_user(&text, path);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, column) = line_column(&lone_cr_as_lf_text(&valid));
        Error::Glossary {
            path: path.to_owned(),
            line,
            column,
            message: "glossary is not valid UTF-8".into(),
        }
    })?;
    parse_user(&text, path)
}

/// A user's glossary: checked in full, unless this binary proved the same text before
/// (see [`proofs`]); a text that passes is proved for the next run.
fn parse_user(text: &str, path: &Path) -> Result<Glossary> {
    let proofs = proofs::Proofs::get();
    if proofs.is_some_and(|p| p.holds(text)) {
        return parse_with(text, path, Checks::Proven);
    }
    let glossary = parse(text, path)?;
    if let Some(proofs) = proofs {
        proofs.record(text);
    }
    Ok(glossary)
}

/// The embedded default glossaries. Their regexes are not checked again at each start:
/// the test `shipped_glossaries_pass_every_check_of_a_user_glossary` proves that the
/// very texts this binary holds pass every check (see [`Checks::Proven`]), and each
/// regex compiles when a rule first needs it.
pub(crate) fn embedded() -> Result<Vec<Glossary>> {
    EMBEDDED
        .iter()
        .map(|(name, text)| parse_with(text, &Path::new("glossaries").join(name), SHIPPED_CHECKS))
        .collect()
}

/// The checks of the shipped glossaries: all of them in a debug build (every test run,
/// so a CSV added to `glossaries/` is checked by the tests before any release), none in
/// a release build, whose texts the tests proved.
const SHIPPED_CHECKS: Checks = match cfg!(debug_assertions) {
    true => Checks::All,
    false => Checks::Proven,
};

/// Which checks a glossary's regexes go through when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checks {
    /// Every one (syntax, size against the limit, empty matches, group references): a
    /// glossary the user gives.
    All,
    /// None of those, for texts a test of this build ran them on: the shipped
    /// glossaries, compiled into the binary. The checks compile each regex's NFA, which
    /// a run would otherwise pay at every start for texts that cannot have changed.
    Proven,
}

/// Parses glossary text; `path` is used for rule ids and error messages.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Glossary> {
    parse_with(text, path, Checks::All)
}

/// [`parse`], with the regex checks `checks` says.
pub(crate) fn parse_with(text: &str, path: &Path, checks: Checks) -> Result<Glossary> {
    let text = lone_cr_as_lf_text(text.strip_prefix('\u{feff}').unwrap_or(text));
    let text = &*text;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let error = |position: (u64, u64), message: String| Error::Glossary {
        path: path.to_owned(),
        line: position.0,
        column: position.1,
        message,
    };
    let delimiter = sniff_delimiter(text.as_bytes(), Some(b'#'));
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .delimiter(delimiter)
        // Fields are trimmed on the worker threads (see [`Row`]).
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| error(csv_error_position(text, &e), error_message(&e)))?
        .clone();
    let header_pos = header.position().map_or(0, |p| p.byte() as usize);
    let columns = field_positions(text, header_pos, delimiter);
    let index = column_index(&header, |i, message| {
        error(position_of(&columns, i), message)
    })?;

    // Slots for as many rows as the file can hold (placeholders until built), so that
    // each chunk of rows fills its own; the first error in the file is the one reported.
    let mut built: Vec<Built> = (0..records_at_most(text.as_bytes()))
        .map(|_| Err(("", String::new())))
        .collect();
    let origin: Arc<Path> = Arc::from(path);
    let build = Build {
        index: &index,
        origin: &origin,
        stem: &stem,
        checks,
    };
    let (starts, malformed, too_many_regexes) =
        read_and_build(&mut reader, text, build, &mut built);
    if let Some(line) = too_many_regexes {
        return Err(Error::Glossary {
            path: path.to_owned(),
            line,
            column: 1,
            message: format!(
                "more than {MAX_REGEX_RULES} regex rules: each costs memory of its own; \
                 write the others as literal patterns"
            ),
        });
    }
    let malformed = malformed.map(|e| error(csv_error_position(text, &e), error_message(&e)));
    built.truncate(starts.len());
    if let Some((Err((column, message)), start)) =
        built.iter().zip(&starts).find(|(rule, _)| rule.is_err())
    {
        let positions = field_positions(text, *start, delimiter);
        let column = index.get(*column).copied().unwrap_or(0);
        return Err(error(position_of(&positions, column), message.clone()));
    }
    // In place: a rule and a built rule have the same size, so the rules take the memory
    // of the built ones (moving 20,000 rules into new memory costs a tenth of the start-up).
    let rules = built.into_iter().filter_map(Result::ok).collect();
    match malformed {
        Some(error) => Err(error),
        None => Ok(Glossary {
            path: path.to_owned(),
            rules,
        }),
    }
}

/// Maps each known column name to its index; an unknown, duplicate or missing required
/// column is an error.
fn column_index(
    header: &csv::StringRecord,
    error: impl Fn(usize, String) -> Error,
) -> Result<FxHashMap<String, usize>> {
    let mut index = FxHashMap::default();
    for (i, name) in header.iter().enumerate() {
        if !COLUMNS.contains(&name) {
            let known = COLUMNS.join(", ");
            return Err(error(
                i,
                format!("unknown column `{name}` (known: {known})"),
            ));
        }
        if index.insert(name.to_owned(), i).is_some() {
            return Err(error(i, format!("column `{name}` appears twice")));
        }
    }
    for required in ["pattern", "replacement"] {
        if !index.contains_key(required) {
            return Err(error(0, format!("missing required column `{required}`")));
        }
    }
    Ok(index)
}

/// Reads the rows of `reader` (over `text`) in order, and builds them into `built`
/// [`CHUNK`] rows at a time, each chunk on another worker while the next rows are read,
/// so that building overlaps reading. Each distinct condition is compiled on a worker of
/// its own as soon as a row names it, not by the chunk that meets it first: compiling
/// conditions is most of a small glossary's start-up, and would otherwise fall on one
/// worker. Returns where each row starts, and the error of a malformed row, which ends
/// the reading.
fn read_and_build(
    reader: &mut csv::Reader<&[u8]>,
    text: &str,
    build: Build<'_>,
    built: &mut [Built],
) -> (Vec<usize>, Option<csv::Error>, Option<u64>) {
    let mut starts = Vec::new();
    let mut malformed = None;
    // Regex rows are counted as they are read, and the reading stops past the limit,
    // before they are compiled (see [`MAX_REGEX_RULES`]).
    let pattern = build.index.get("pattern").copied();
    let mut regex_rows = 0;
    let mut too_many_regexes = None;
    let conditions = ["if", "unless"].map(|name| build.index.get(name).copied());
    let mut seen_conditions = rustc_hash::FxHashSet::default();
    rayon::scope(|scope| {
        let mut slots = built;
        let mut chunk = Chunk::default();
        let mut lines = RecordLines::default();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let position = record.position().map_or(0, |p| p.byte() as usize);
                    let (start, line) = lines.locate(text.as_bytes(), position, Some(b'#'));
                    let is_regex = pattern
                        .and_then(|i| record.get(i))
                        .is_some_and(|p| p.trim_start().starts_with(REGEX_PREFIX));
                    regex_rows += usize::from(is_regex);
                    if regex_rows > MAX_REGEX_RULES {
                        too_many_regexes = Some(line);
                        break;
                    }
                    starts.push(start);
                    chunk.push(&record, line);
                    // Only checking is worth a worker: a proven condition costs nothing
                    // until it is first tested.
                    let checked = build.checks == Checks::All;
                    for field in conditions.iter().flatten().filter_map(|&i| record.get(i)) {
                        let source = field.trim();
                        if checked
                            && !source.is_empty()
                            && seen_conditions.insert(source.to_owned())
                        {
                            let source = source.to_owned();
                            scope.spawn(move |_| drop(compile_context(&source, Checks::All)));
                        }
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    malformed = Some(e);
                    break;
                }
            }
            if chunk.rows.len() == CHUNK {
                let (these, rest) = std::mem::take(&mut slots).split_at_mut(CHUNK);
                slots = rest;
                let full = std::mem::take(&mut chunk);
                scope.spawn(move |_| build.chunk(&full, these));
            }
        }
        build.chunk(&chunk, slots);
    });
    (starts, malformed, too_many_regexes)
}

/// A rule as built from its row, or the offending column's name and a message.
type Built = std::result::Result<Rule, (&'static str, String)>;

/// Rows of a glossary built into rules together, on one worker: enough that a worker
/// spends longer building them than the reader reading them (20,000 rows: 0.8 µs a row
/// to build, 0.25 to read).
const CHUNK: usize = 256;

/// Rows read, waiting to be built: their fields, and the line each starts on.
#[derive(Default)]
struct Chunk {
    fields: Fields,
    rows: Vec<(std::ops::Range<usize>, u64)>,
}

impl Chunk {
    fn push(&mut self, record: &csv::StringRecord, line: u64) {
        let range = self.fields.push(record);
        self.rows.push((range, line));
    }
}

/// What building a row needs besides the row.
#[derive(Clone, Copy)]
struct Build<'a> {
    index: &'a FxHashMap<String, usize>,
    origin: &'a Arc<Path>,
    stem: &'a str,
    checks: Checks,
}

impl Build<'_> {
    /// Builds the rows of `chunk` into `slots`, in order.
    fn chunk(self, chunk: &Chunk, slots: &mut [Built]) {
        for ((range, line), slot) in chunk.rows.iter().zip(slots) {
            let row = Row {
                fields: chunk.fields.record(range.clone()),
                index: self.index,
            };
            *slot = parse_rule(&row, *line, (self.origin, self.stem), self.checks);
        }
    }
}

/// The fields of a chunk of data rows, kept together: a record of its own per row takes
/// three allocations, and makes reading a 20,000-rule glossary twice as long.
#[derive(Default)]
struct Fields {
    text: String,
    /// Where each field lies in `text`.
    bounds: Vec<std::ops::Range<usize>>,
}

impl Fields {
    /// Keeps the fields of `record`; returns the range of their bounds.
    fn push(&mut self, record: &csv::StringRecord) -> std::ops::Range<usize> {
        let first = self.bounds.len();
        for field in record {
            let start = self.text.len();
            self.text.push_str(field);
            self.bounds.push(start..self.text.len());
        }
        first..self.bounds.len()
    }

    /// The fields of a record, by the range [`Fields::push`] returned.
    fn record(&self, range: std::ops::Range<usize>) -> RecordFields<'_> {
        RecordFields {
            text: &self.text,
            bounds: &self.bounds[range],
        }
    }
}

/// The fields of one data row (see [`Fields`]).
struct RecordFields<'a> {
    text: &'a str,
    bounds: &'a [std::ops::Range<usize>],
}

/// One data row, read by column name (a missing optional column reads as empty); fields
/// are trimmed of white space, here on the worker threads (trimming while reading would
/// add a fifth to the reading of a 20,000-rule glossary, which is sequential).
struct Row<'a> {
    fields: RecordFields<'a>,
    index: &'a FxHashMap<String, usize>,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> &'a str {
        let field = self
            .index
            .get(name)
            .and_then(|&i| self.fields.bounds.get(i));
        field.map_or("", |bounds| self.fields.text[bounds.clone()].trim())
    }
}

/// Builds one rule; an error is the offending column's name and a message.
fn parse_rule(row: &Row<'_>, line: u64, (path, stem): (&Arc<Path>, &str), checks: Checks) -> Built {
    let source = row.get("pattern");
    let exact_case = match row.get("case") {
        "" | "ignore" => false,
        "exact" => true,
        other => {
            return Err((
                "case",
                format!("`case` must be `ignore` or `exact`, not `{other}`"),
            ));
        }
    };
    let replacement = row.get("replacement").to_owned();
    let pattern = match source.strip_prefix(REGEX_PREFIX) {
        Some(regex) => Pattern::Regex(match checks {
            Checks::All => compile_pattern_regex(regex, exact_case, &replacement)?,
            Checks::Proven => RegexPattern::proven(regex, !exact_case),
        }),
        None => Pattern::Literal(check_literal(source)?),
    };
    let french = parse_french(row.get("fr"), row.get("fr_gender"), &pattern)?;
    let id = match row.get("id") {
        "" => format!("{stem}:{line}"),
        id => id.to_owned(),
    };
    Ok(Rule {
        id,
        pattern,
        source: source.to_owned(),
        replacement,
        exact_case,
        if_context: compile_context(row.get("if"), checks).map_err(|m| ("if", m))?,
        unless_context: compile_context(row.get("unless"), checks).map_err(|m| ("unless", m))?,
        note: row.get("note").to_owned(),
        example: non_empty(row.get("example")),
        expected: non_empty(row.get("expected")),
        counterexample: non_empty(row.get("counterexample")),
        seam: parse_seam(row.get("seam"), row.get("gender"))?,
        french,
        expected_fr: non_empty(row.get("expected_fr")),
        flag: match row.get("action") {
            "" | "fix" => false,
            "flag" => true,
            other => {
                return Err((
                    "action",
                    format!("`action` must be `fix` or `flag`, not `{other}`"),
                ));
            }
        },
        scope: match row.get("scope") {
            "" | "sentence" => Scope::Sentence,
            "paragraph" => Scope::Paragraph,
            "article" => Scope::Article,
            other => {
                return Err((
                    "scope",
                    format!("`scope` must be `sentence`, `paragraph` or `article`, not `{other}`"),
                ));
            }
        },
        origin: Origin {
            path: Arc::clone(path),
            line,
        },
    })
}

/// The `seam` column (words among `off`, `contract`, `vowel`, `consonant`, separated by
/// spaces) and the `gender` column (`m` or `f`).
fn parse_seam(seam: &str, gender: &str) -> std::result::Result<Seam, (&'static str, String)> {
    let mut parsed = Seam {
        gender: match gender {
            "" => None,
            "m" => Some(Gender::Masculine),
            "f" => Some(Gender::Feminine),
            other => {
                return Err((
                    "gender",
                    format!("`gender` must be `m` or `f`, not `{other}`"),
                ));
            }
        },
        ..Seam::default()
    };
    for word in seam.split_whitespace() {
        match word {
            "off" => parsed.off = true,
            "contract" => parsed.contract = true,
            "vowel" => parsed.onset = Some(Onset::Vowel),
            "consonant" => parsed.onset = Some(Onset::Consonant),
            other => {
                return Err((
                    "seam",
                    format!(
                        "`seam` takes `off`, `contract`, `vowel` or `consonant`, not `{other}`"
                    ),
                ));
            }
        }
    }
    Ok(parsed)
}

/// The `fr` column (the French correction) and the `fr_gender` column (`m`, `f`,
/// `m pl`, `f pl` or `pl`), which needs a `fr`.
fn parse_french(
    fr: &str,
    gender: &str,
    pattern: &Pattern,
) -> std::result::Result<Option<Box<French>>, (&'static str, String)> {
    let agreement = match gender.split_whitespace().collect::<Vec<_>>()[..] {
        [] => None,
        [g] if g != "pl" => Some(Agreement {
            gender: Some(parse_gender(g)?),
            plural: false,
        }),
        ["pl"] => Some(Agreement {
            gender: None,
            plural: true,
        }),
        [g, "pl"] => Some(Agreement {
            gender: Some(parse_gender(g)?),
            plural: true,
        }),
        _ => return Err(("fr_gender", bad_fr_gender(gender))),
    };
    if fr.is_empty() {
        return match agreement {
            Some(_) => Err(("fr_gender", "`fr_gender` needs a `fr` replacement".into())),
            None => Ok(None),
        };
    }
    if let Pattern::Regex(regex) = pattern {
        check_group_references(regex, fr).map_err(|m| ("fr", m))?;
    }
    Ok(Some(Box::new(French {
        replacement: fr.to_owned(),
        agreement,
    })))
}

fn parse_gender(gender: &str) -> std::result::Result<Gender, (&'static str, String)> {
    match gender {
        "m" => Ok(Gender::Masculine),
        "f" => Ok(Gender::Feminine),
        _ => Err(("fr_gender", bad_fr_gender(gender))),
    }
}

fn bad_fr_gender(gender: &str) -> String {
    format!("`fr_gender` must be `m`, `f`, `m pl`, `f pl` or `pl`, not `{gender}`")
}

fn non_empty(field: &str) -> Option<String> {
    (!field.is_empty()).then(|| field.to_owned())
}

fn check_literal(source: &str) -> std::result::Result<String, (&'static str, String)> {
    if source.is_empty() {
        return Err(("pattern", "empty pattern".into()));
    }
    // An ASCII letter or digit folds to one (nearly every pattern has one: no view to
    // build); other letters may not (`ʼ` folds to an apostrophe).
    let has_word = |source: &str| {
        source.bytes().any(|b| b.is_ascii_alphanumeric())
            || fold::fold_pattern(source, true)
                .chars()
                .any(fold::is_word_char)
    };
    if !has_word(source) {
        return Err((
            "pattern",
            format!("pattern `{source}` has no letter or digit, so it cannot match a word"),
        ));
    }
    Ok(source.to_owned())
}

fn compile_pattern_regex(
    source: &str,
    exact_case: bool,
    replacement: &str,
) -> std::result::Result<RegexPattern, (&'static str, String)> {
    let regex = RegexPattern::new(source, !exact_case, REGEX_SIZE_LIMIT)
        .map_err(|e| ("pattern", bad_regex(source, &e)))?;
    if regex.matches_empty() {
        return Err(("pattern", format!("regex `{source}` matches empty text")));
    }
    check_group_references(&regex, replacement).map_err(|m| ("replacement", m))?;
    Ok(regex)
}

/// Compiles a condition once per distinct text: large glossaries repeat a few conditions
/// over thousands of rows, and a compiled regex costs far more than a clone of the
/// condition (which shares it). A row that needs a condition another thread is
/// compiling waits for it rather than compiling it again.
fn compile_context(source: &str, checks: Checks) -> std::result::Result<Option<Condition>, String> {
    if source.is_empty() {
        return Ok(None);
    }
    let compiled = compiled_condition(source, checks);
    let condition = compiled.get_or_init(|| {
        // Conditions are searched in the matching view, where every apostrophe is `'`:
        // a `’` written in one would never match, and silently disable its rule.
        let folded = source.replace(['\u{2019}', '\u{2bc}'], "'");
        match checks {
            Checks::All => {
                Condition::new(&folded, REGEX_SIZE_LIMIT).map_err(|e| bad_regex(source, &e))
            }
            Checks::Proven => Ok(Condition::proven(&folded)),
        }
    });
    condition.clone().map(Some)
}

/// The compiled condition for `source`, shared by every glossary of the run read with the
/// same `checks`: compiled already, being compiled, or not yet. Kept apart by `checks`,
/// so that a glossary checked in full never takes a condition that was not checked.
fn compiled_condition(source: &str, checks: Checks) -> Arc<CompiledCondition> {
    type Compiled = Mutex<HashMap<String, Arc<CompiledCondition>>>;
    static COMPILED: LazyLock<[Compiled; 2]> = LazyLock::new(Default::default);
    let mut compiled = COMPILED[checks as usize]
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Looked up first: most rows find their condition, and `entry` wants an owned key.
    match compiled.get(source) {
        Some(condition) => Arc::clone(condition),
        None => Arc::clone(compiled.entry(source.to_owned()).or_default()),
    }
}

/// A condition compiled once: the condition, or the message of its error.
type CompiledCondition = OnceLock<std::result::Result<Condition, String>>;

fn bad_regex(source: &str, error: &regex::Error) -> String {
    format!("bad regex `{source}`: {}", one_line(&error.to_string()))
}

/// Group references a replacement may hold. Each copies its group's text, which can be as
/// long as the article: a replacement of `$1` ten thousand times turned a 1 MB article
/// into gigabytes. Real templates refer to a group or two.
const MAX_GROUP_REFERENCES: usize = 16;

/// Refuses `$N` or `${name}` references to groups the regex does not have, and more
/// than [`MAX_GROUP_REFERENCES`] of them.
fn check_group_references(
    regex: &RegexPattern,
    replacement: &str,
) -> std::result::Result<(), String> {
    let references = crate::glossary::template::group_references(replacement);
    if references.len() > MAX_GROUP_REFERENCES {
        return Err(format!(
            "replacement refers to groups {} times; at most {MAX_GROUP_REFERENCES} are allowed",
            references.len()
        ));
    }
    for reference in references {
        let known = match reference.parse::<usize>() {
            Ok(n) => n < regex.captures_len(),
            Err(_) => regex.capture_names().flatten().any(|n| n == reference),
        };
        if !known {
            return Err(format!(
                "replacement refers to group `{reference}`, which the pattern does not have"
            ));
        }
    }
    Ok(())
}

/// Errors of the regex crate span several lines with a caret diagram; the last line is
/// the explanation, which is what fits in a `file:line:column:` message.
fn one_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim()
        .trim_start_matches("error: ")
        .to_owned()
}

fn csv_error_position(text: &str, error: &csv::Error) -> (u64, u64) {
    (error_line(text.as_bytes(), error, Some(b'#')), 1)
}

/// The 1-based line and character column of each field of the record the csv crate
/// places at byte `start`. The csv crate reports only a record's position, and errors are
/// most useful when they point at the offending field; only the header and a record with
/// an error are walked to (the line of every record comes from [`RecordLines`]).
fn field_positions(text: &str, start: usize, delimiter: u8) -> Vec<(u64, u64)> {
    let delimiter = char::from(delimiter);
    let start = record_start(text.as_bytes(), start, Some(b'#'));
    let (mut line, mut column) = line_column(&text[..start]);
    let mut positions = vec![(line, column)];
    // As the csv crate reads quotes: they open a quoted field only at its start, and
    // inside one `""` is a quote and a lone `"` closes it.
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut chars = text[start..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => in_quotes = true,
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                column += 1;
            }
            '"' if in_quotes => in_quotes = false,
            c if c == delimiter && !in_quotes => positions.push((line, column + 1)),
            '\n' if !in_quotes => break,
            _ => {}
        }
        at_field_start = c == delimiter && !in_quotes;
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    positions
}

/// The position of field `i`; the last one known if the record has fewer (an error
/// message must never fail for want of a column).
fn position_of(positions: &[(u64, u64)], i: usize) -> (u64, u64) {
    positions
        .get(i)
        .or(positions.last())
        .copied()
        .unwrap_or((1, 1))
}

/// The 1-based line and character column just after `prefix`.
pub(crate) fn line_column(prefix: &str) -> (u64, u64) {
    let line = prefix.matches('\n').count() as u64 + 1;
    let last_line = prefix.rsplit('\n').next().unwrap_or("");
    (line, last_line.chars().count() as u64 + 1)
}

/// Checks that rule ids are unique across all glossaries of a run.
pub(crate) fn check_unique_ids(glossaries: &[Glossary]) -> Result<()> {
    let rules = glossaries.iter().map(|g| g.rules.len()).sum();
    // Fx hashing: SipHash made this check a tenth of the start-up at 20,000 rules.
    let mut seen: rustc_hash::FxHashMap<&str, &Origin> =
        HashMap::with_capacity_and_hasher(rules, Default::default());
    for rule in glossaries.iter().flat_map(|g| &g.rules) {
        if let Some(first) = seen.insert(&rule.id, &rule.origin) {
            return Err(Error::Glossary {
                path: rule.origin.path.to_path_buf(),
                line: rule.origin.line,
                column: 1,
                message: format!(
                    "duplicate rule id `{}` (first used at {}:{})",
                    rule.id,
                    first.path.display(),
                    first.line
                ),
            });
        }
    }
    Ok(())
}

/// Regex rules a run may hold. Each compiles to its own regex with its own caches, about
/// 60 KB each (2,000 regex rules took 126 MB), and 100,000 of them exhausted 8 GB; 5,000
/// keep a run within about 300 MB. Literal rules have no such limit: they share one
/// automaton or word index.
pub(crate) const MAX_REGEX_RULES: usize = 5_000;

/// Refuses a run with more than [`MAX_REGEX_RULES`] regex rules, naming the first one past
/// the limit.
pub(crate) fn check_limits(glossaries: &[Glossary]) -> Result<()> {
    let regexes = glossaries
        .iter()
        .flat_map(|g| &g.rules)
        .filter(|rule| matches!(rule.pattern, Pattern::Regex(_)));
    match regexes.clone().nth(MAX_REGEX_RULES) {
        None => Ok(()),
        Some(rule) => Err(Error::Glossary {
            path: rule.origin.path.to_path_buf(),
            line: rule.origin.line,
            column: 1,
            message: format!(
                "more than {MAX_REGEX_RULES} regex rules ({} in all): each costs memory of \
                 its own; write the others as literal patterns",
                regexes.count()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Glossary> {
        parse(text, Path::new("g/test.csv"))
    }

    fn error_of(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_columns_comments_and_default_ids() {
        let g = parse_str(
            "pattern,replacement,note\n# a comment\nOpenai,OpenAI,brand\nre:chat ?ppt,ChatGPT,\n",
        )
        .unwrap();
        assert_eq!(g.rules.len(), 2);
        assert_eq!(g.rules[0].id, "test:3");
        assert_eq!(g.rules[0].note, "brand");
        assert!(matches!(g.rules[1].pattern, Pattern::Regex(_)));
        assert_eq!(g.rules[1].id, "test:4");
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            error_of("pattern,replacement,colour\n"),
            "g/test.csv:1:21: unknown column `colour` (known: pattern, replacement, id, case, if, unless, note, example, expected, counterexample, seam, gender, scope, fr, fr_gender, expected_fr, action)"
        );
        assert_eq!(
            error_of("pattern,replacement\nok,fine\n,empty\n"),
            "g/test.csv:3:1: empty pattern"
        );
        assert!(
            error_of("pattern,replacement,if\nok,fine,(unclosed\n")
                .starts_with("g/test.csv:2:9: bad regex `(unclosed`")
        );
        assert_eq!(
            error_of("pattern,replacement,case\nok,fine,loud\n"),
            "g/test.csv:2:9: `case` must be `ignore` or `exact`, not `loud`"
        );
        assert_eq!(
            error_of("replacement\nx\n"),
            "g/test.csv:1:1: missing required column `pattern`"
        );
        assert_eq!(
            error_of("pattern,replacement\n\"a, b\",x,y\n"),
            "g/test.csv:2:1: row has 3 field(s), the header has 2"
        );
    }

    #[test]
    fn errors_name_lines_of_crlf_glossaries() {
        assert_eq!(
            error_of("pattern,replacement\r\nok,fine\r\n# note\r\n,empty\r\n"),
            "g/test.csv:4:1: empty pattern"
        );
        // The csv crate numbers a CRLF row from the line before.
        assert_eq!(
            error_of("pattern,replacement\r\nok,fine\r\na,b,c\r\n"),
            "g/test.csv:3:1: row has 3 field(s), the header has 2"
        );
        let glossary = parse_str("pattern,replacement\r\nok,fine\r\n\r\nnext,x\r\n").unwrap();
        let lines: Vec<u64> = glossary.rules.iter().map(|r| r.origin.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn the_first_error_of_the_file_is_reported() {
        // Rules are built in parallel; a bad rule before a malformed row still comes first.
        let mut text = String::from("pattern,replacement\n# a comment\n");
        for i in 0..500 {
            text.push_str(&format!("mot{i},x\n"));
        }
        assert_eq!(
            error_of(&format!("{text},empty\nok,x\n,again\na,b,c\n")),
            "g/test.csv:503:1: empty pattern"
        );
        assert_eq!(
            error_of(&format!("{text}a,b,c\n,empty\n")),
            "g/test.csv:503:1: row has 3 field(s), the header has 2"
        );
        let glossary = parse_str(&format!("{text}# two\n# comments\nlast,x\n")).unwrap();
        assert_eq!(glossary.rules.last().unwrap().origin.line, 505);
    }

    #[test]
    fn rows_built_in_chunks_keep_file_order_whatever_the_line_ends() {
        let rows = 3 * CHUNK + 7;
        // `\r` alone ends a line as `\n` and `\r\n` do (the csv crate's own line numbers
        // put a whole such file on line 1).
        for end in ["\n", "\r\n", "\r"] {
            let mut text = format!("pattern,replacement{end}");
            for i in 0..rows {
                text.push_str(&format!("mot{i},x{end}"));
            }
            let line = |row: usize| row as u64 + 2;
            let glossary = parse_str(&text).unwrap();
            assert_eq!(glossary.rules.len(), rows, "{end:?}");
            for (i, rule) in glossary.rules.iter().enumerate() {
                assert_eq!(rule.source, format!("mot{i}"));
                assert_eq!(rule.origin.line, line(i), "{end:?}");
            }
            // Errors in two chunks, a malformed row stopping the reading or not: the one
            // earlier in the file is reported.
            let (early, late) = (CHUNK + 40, 2 * CHUNK + 3);
            let with = |malformed: usize, empty: usize| {
                let row = |i: usize| format!("{end}mot{i},x{end}");
                let text = text.replace(&row(malformed), &format!("{end}mot,x,y{end}"));
                error_of(&text.replace(&row(empty), &format!("{end},x{end}")))
            };
            let position = |i| format!("g/test.csv:{}:1: ", line(i));
            let malformed = with(early, late);
            assert!(malformed.starts_with(&position(early)), "{malformed}");
            assert!(malformed.ends_with(": row has 3 field(s), the header has 2"));
            let empty = with(late, early);
            assert!(empty.starts_with(&position(early)), "{empty}");
            assert!(empty.ends_with(": empty pattern"), "{empty}");
        }
    }

    #[test]
    fn classic_mac_line_ends_are_lines_and_end_comments() {
        // `\r` alone ends every line, a comment's too; a quoted field holds one.
        let text = "# brands\rpattern,replacement,if\r\"a,\rb\",x,ok\r# note\rmot,y,\r";
        let glossary = parse_str(text).unwrap();
        let rules: Vec<_> = glossary
            .rules
            .iter()
            .map(|r| (r.source.as_str(), r.origin.line))
            .collect();
        assert_eq!(rules, [("a,\nb", 3), ("mot", 6)]);
        let error = error_of(&text.replace("mot,y,", "mot,y,(bad"));
        assert!(
            error.starts_with("g/test.csv:6:7: bad regex `(bad`"),
            "{error}"
        );
        assert_eq!(
            error_of("pattern,replacement\r\rmot,x,extra\r"),
            "g/test.csv:3:1: row has 3 field(s), the header has 2"
        );
    }

    #[test]
    fn refuses_patterns_that_cannot_match_a_word() {
        assert!(error_of("pattern,replacement\n' ',x\n").contains("no letter or digit"));
        assert!(error_of("pattern,replacement\nre:a*,x\n").contains("matches empty text"));
        assert!(error_of("pattern,replacement\nre:(a)b,$2\n").contains("group `2`"));
    }

    #[test]
    fn french_corrections_and_flags() {
        let csv = "pattern,replacement,fr,fr_gender,action\n\
                   automne,drop,chute,f,\n\
                   automnes,drops,chutes,f pl,flag\n\
                   Openai,OpenAI,,,fix\n";
        let rules = parse_str(csv).unwrap().rules;
        let french = |i: usize| rules[i].french.as_deref().cloned();
        let agreement = |gender, plural| Some(Agreement { gender, plural });
        assert_eq!(
            french(0),
            Some(French {
                replacement: "chute".into(),
                agreement: agreement(Some(Gender::Feminine), false),
            })
        );
        assert_eq!(
            french(1).unwrap().agreement,
            agreement(Some(Gender::Feminine), true)
        );
        assert_eq!(french(2), None);
        assert_eq!(
            rules.iter().map(|r| r.flag).collect::<Vec<_>>(),
            [false, true, false]
        );
        let error =
            |row: &str| error_of(&format!("pattern,replacement,fr,fr_gender,action\n{row}\n"));
        assert_eq!(
            error("a,b,c,n,"),
            "g/test.csv:2:7: `fr_gender` must be `m`, `f`, `m pl`, `f pl` or `pl`, not `n`"
        );
        assert!(error("a,b,,f,").contains("`fr_gender` needs a `fr` replacement"));
        assert!(error("a,b,c,,maybe").contains("`action` must be `fix` or `flag`"));
        assert!(error_of("pattern,replacement,fr\nre:(a)b,x,$2\n").contains("group `2`"));
    }

    #[test]
    fn duplicate_ids_are_refused_across_glossaries() {
        let a = parse("pattern,replacement,id\nx,y,same\n", Path::new("a.csv")).unwrap();
        let b = parse("pattern,replacement,id\nz,w,same\n", Path::new("b.csv")).unwrap();
        let err = check_unique_ids(&[a, b]).unwrap_err().to_string();
        assert_eq!(
            err,
            "b.csv:2:1: duplicate rule id `same` (first used at a.csv:2)"
        );
    }

    #[test]
    fn quoted_fields_keep_commas_and_positions() {
        let g = parse_str("pattern,replacement,if\n\"a, b\",c,\"x,y\"\n").unwrap();
        assert_eq!(g.rules[0].source, "a, b");
        assert_eq!(
            field_positions("pattern,replacement,if\n\"a, b\",c,x\n", 23, b','),
            vec![(2, 1), (2, 8), (2, 10)]
        );
    }

    #[test]
    fn quotes_inside_a_field_do_not_shift_columns() {
        let text = "pattern,replacement,if\nab,c\"d,(\n\"x\"\"y\",z,[\n";
        assert!(
            error_of(text).starts_with("g/test.csv:2:8: bad regex `(`"),
            "{}",
            error_of(text)
        );
        let second = "pattern,replacement,if\nab,c,\"\"\"q\"\"\"\nx,y,[\n";
        assert!(error_of(second).starts_with("g/test.csv:3:5: bad regex `[`"));
    }

    #[test]
    fn embedded_glossaries_load() {
        let glossaries = embedded().unwrap();
        check_unique_ids(&glossaries).unwrap();
        assert!(glossaries.iter().all(|g| !g.rules.is_empty()));
    }

    /// What lets [`embedded`] skip the regex checks: the glossaries this binary holds pass
    /// every one of them, and read either way they give the same rules, whose regexes
    /// compile (a proven regex that did not would panic at its first use).
    #[test]
    fn shipped_glossaries_pass_every_check_of_a_user_glossary() {
        // Read as a release build reads them, whatever this build's checks.
        let proven: Vec<Glossary> = EMBEDDED
            .iter()
            .map(|(name, text)| {
                parse_with(text, &Path::new("glossaries").join(name), Checks::Proven).unwrap()
            })
            .collect();
        for ((name, text), proven) in EMBEDDED.iter().zip(&proven) {
            let checked = parse(text, &Path::new("glossaries").join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(checked.rules.len(), proven.rules.len(), "{name}");
            for (checked, proven) in checked.rules.iter().zip(&proven.rules) {
                assert_eq!(checked.id, proven.id);
                assert_eq!(checked.source, proven.source);
                if let (Pattern::Regex(checked), Pattern::Regex(proven)) =
                    (&checked.pattern, &proven.pattern)
                {
                    assert_eq!(checked.as_str(), proven.as_str());
                    assert_eq!(
                        checked.captures_len(),
                        proven.captures_len(),
                        "{}",
                        proven.as_str()
                    );
                    assert!(!proven.regex().is_match(""), "{}", proven.as_str());
                }
                for (checked, proven) in [
                    (&checked.if_context, &proven.if_context),
                    (&checked.unless_context, &proven.unless_context),
                ] {
                    let as_str = |c: &Option<Condition>| c.as_ref().map(|c| c.as_str().to_owned());
                    assert_eq!(as_str(checked), as_str(proven));
                    if let Some(proven) = proven {
                        proven.is_match("");
                    }
                }
            }
        }
    }

    /// A user glossary is checked in full: a bad regex or condition is an error with its
    /// place, never left to fail at first use.
    #[test]
    fn a_user_glossary_gets_every_check() {
        let error = parse(
            "pattern,replacement,if\nabc,x,(unclosed\n",
            Path::new("u.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("u.csv:2:"), "{error}");
        let error = parse("pattern,replacement\nre:a*,x\n", Path::new("u.csv"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("matches empty text"), "{error}");
    }
}
