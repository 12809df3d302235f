//! Glossary quality, the way LanguageTool tests its rules: `glossary test` runs each
//! rule's examples through the whole rule set, `glossary lint` finds rules that cannot
//! work as written, and `glossary stats` ranks rules by how reviewers judged them.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::correct::apply;
use crate::correct::matcher::Rules;
use crate::correct::{fold, seam};
use crate::error::Result;
use crate::exit::Exit;
use crate::glossary::{Language, Onset, Pattern, Rule};
use crate::output::logfile::{self, Decision};

/// Characters and sequences the matching view never contains: a condition that needs
/// one can never match.
const NEVER_IN_VIEW: &[(&str, &str)] = &[
    ("\u{a0}", "a no-break space (the view has a plain space)"),
    (
        "\u{202f}",
        "a narrow no-break space (the view has a plain space)",
    ),
    ("\t", "a tab (the view has a plain space)"),
    ("\\t", "a tab (the view has a plain space)"),
    ("\r", "a carriage return (the view has a plain space)"),
    ("\\r", "a carriage return (the view has a plain space)"),
    ("  ", "two spaces in a row (the view has one)"),
];

/// `mtfix glossary test`: prints each failure with its glossary file and line; returns
/// exit code 1 if any.
pub(super) fn test(paths: &[PathBuf]) -> Result<Exit> {
    let rules = crate::load_rules(paths)?;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        for failure in test_rule(&rules, index, rule, &mut checked) {
            failures.push(format!("{}: rule `{}`: {failure}", where_(rule), rule.id));
        }
    }
    // `expected_fr`: the example through the whole rule set under `--into fr`.
    if rules.rules().iter().any(|r| r.expected_fr.is_some()) {
        let french = crate::load_rules(paths)?.into_language(Language::Fr);
        for rule in french.rules() {
            for failure in test_french(&french, rule, &mut checked) {
                failures.push(format!("{}: rule `{}`: {failure}", where_(rule), rule.id));
            }
        }
    }
    for failure in &failures {
        println!("FAIL {failure}");
    }
    let missing = rules.rules().iter().filter(|r| r.example.is_none()).count();
    println!(
        "{checked} examples checked, {} failed; {missing} of {} rules have no example",
        failures.len(),
        rules.rules().len()
    );
    Ok(if failures.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// The failures of one rule's examples.
fn test_rule(rules: &Rules, index: usize, rule: &Rule, checked: &mut usize) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(example) = &rule.example {
        *checked += 1;
        let applied = apply(rules, example);
        if !applied.subs.iter().any(|s| s.rule == index) {
            failures.push(format!("does not fire on its example {example:?}"));
        }
        match &rule.expected {
            Some(expected) if applied.text != *expected => failures.push(format!(
                "example {example:?} gives {:?}, expected {expected:?}",
                applied.text
            )),
            None if applied.text == *example => {
                failures.push(format!("example {example:?} is left unchanged"))
            }
            _ => {}
        }
        let again = apply(rules, &applied.text);
        if again.text != applied.text {
            failures.push(format!(
                "not idempotent: a second run turns {:?} into {:?}",
                applied.text, again.text
            ));
        }
    }
    if let Some(counterexample) = &rule.counterexample {
        *checked += 1;
        let applied = apply(rules, counterexample);
        if applied.text != *counterexample {
            failures.push(format!(
                "counterexample {counterexample:?} was changed to {:?}",
                applied.text
            ));
        }
    }
    failures
}

/// The failures of one rule's example corrected into French (`rules` write French).
fn test_french(rules: &Rules, rule: &Rule, checked: &mut usize) -> Vec<String> {
    let (Some(example), Some(expected)) = (&rule.example, &rule.expected_fr) else {
        return Vec::new();
    };
    *checked += 1;
    let applied = apply(rules, example);
    let mut failures = Vec::new();
    if applied.text != *expected {
        failures.push(format!(
            "example {example:?} gives {:?} with --into fr, expected_fr {expected:?}",
            applied.text
        ));
    }
    let again = apply(rules, &applied.text);
    if again.text != applied.text {
        failures.push(format!(
            "not idempotent with --into fr: a second run turns {:?} into {:?}",
            applied.text, again.text
        ));
    }
    failures
}

/// How bad a lint finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Error,
    Warning,
}

/// One lint finding, about one rule.
#[derive(Debug)]
struct Finding {
    severity: Severity,
    rule: usize,
    message: String,
}

/// `mtfix glossary lint`: prints the findings; returns exit code 2 if any is an error.
pub(super) fn lint(paths: &[PathBuf]) -> Result<Exit> {
    let rules = crate::load_rules(paths)?;
    let mut findings = Vec::new();
    lint_overlaps(&rules, &mut findings);
    lint_idempotence(&rules, &mut findings);
    lint_conditions(&rules, &mut findings);
    lint_elided_articles(&rules, &mut findings);
    findings.sort_by_key(|f| (f.rule, f.severity));
    for finding in &findings {
        let rule = &rules.rules()[finding.rule];
        let label = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        println!(
            "{label}: {}: rule `{}`: {}",
            where_(rule),
            rule.id,
            finding.message
        );
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    println!(
        "{} rules linted: {errors} errors, {} warnings",
        rules.rules().len(),
        findings.len() - errors
    );
    Ok(if errors > 0 {
        Exit::Refused
    } else {
        Exit::Success
    })
}

/// Rules that would leave an elided "l'" before a consonant ("l'drop"): the pattern is a
/// lower-case word starting with a sound that elides (a vowel, a mute h), so it can
/// follow "l'", and a
/// replacement starts with a consonant sound, without the gender that restores
/// "le"/"la" (`gender` for `replacement`, `fr_gender` for `fr`). A French replacement
/// is also checked when the pattern takes the "l'" in: a lower-case word then needs its
/// article ("la chute"); the source term is English, quoted as is by design, and a
/// name takes no article ("L'IA profonde" → "DeepSeek").
fn lint_elided_articles(rules: &Rules, findings: &mut Vec<Finding>) {
    for (index, rule) in rules.rules().iter().enumerate() {
        let Pattern::Literal(pattern) = &rule.pattern else {
            continue;
        };
        if rule.seam.off {
            continue;
        }
        let folded = fold::fold_pattern(pattern, false);
        let takes_article = folded.starts_with("l'");
        // A common noun, written in lower case; names are written with their capital,
        // and a name's "l'" is best taken into a pattern of its own ("l'IA profonde").
        let common = pattern.chars().next().is_some_and(char::is_lowercase);
        let follows_article =
            !takes_article && common && seam::onset(pattern) == Some(Onset::Vowel);
        let consonant = |replacement: &str| seam::onset(replacement) == Some(Onset::Consonant);
        let french = rule.french.as_deref();
        let mut warn = |message: String| {
            findings.push(Finding {
                severity: Severity::Warning,
                rule: index,
                message,
            })
        };
        if follows_article && rule.seam.gender.is_none() && consonant(&rule.replacement) {
            warn(format!(
                "`{pattern}` can follow \"l'\", and `{}` starts with a consonant sound: \
                 give `gender` so that \"l'\" becomes \"le\" or \"la\"",
                rule.replacement
            ));
        }
        let Some(french) = french.filter(|f| f.agreement.is_none()) else {
            continue;
        };
        let fr = &french.replacement;
        if follows_article && consonant(fr) {
            warn(format!(
                "`{pattern}` can follow \"l'\", and its French `{fr}` starts with a \
                 consonant sound: give `fr_gender` so that \"l'\" becomes \"le\" or \"la\""
            ));
        }
        let lower_case = fr.chars().next().is_some_and(char::is_lowercase);
        let article = ["le ", "la ", "les ", "l'"]
            .iter()
            .any(|a| fr.starts_with(a));
        if takes_article && lower_case && consonant(fr) && !article {
            warn(format!(
                "`{pattern}` takes \"l'\" in, and its French `{fr}` has no article: write \
                 it (\"la {fr}\"), or leave \"l'\" out of the pattern and give `fr_gender`"
            ));
        }
    }
}

/// Rules with the same pattern: duplicates, rules that can never win, conflicting
/// replacements, and case or apostrophe variants of one another.
fn lint_overlaps(rules: &Rules, findings: &mut Vec<Finding>) {
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, rule) in rules.rules().iter().enumerate() {
        let key = match &rule.pattern {
            Pattern::Literal(text) => format!("literal:{}", fold::fold_pattern(text, false)),
            Pattern::Regex(regex) => format!("regex:{}", regex.as_str()),
        };
        // The first earlier rule that makes this one wrong is enough to report.
        let first = seen
            .get(&key)
            .into_iter()
            .flatten()
            .find_map(|&earlier| compare(&rules.rules()[earlier], rule));
        if let Some(finding) = first {
            findings.push(Finding {
                rule: index,
                ..finding
            });
        }
        seen.entry(key).or_default().push(index);
    }
}

/// What is wrong with `later` given an `earlier` rule with the same folded pattern.
fn compare(earlier: &Rule, later: &Rule) -> Option<Finding> {
    let unconditional = earlier.if_context.is_none() && earlier.unless_context.is_none();
    let same_conditions = condition_text(earlier) == condition_text(later);
    let (severity, message) = if earlier.source == later.source && same_conditions {
        let what = if earlier.replacement == later.replacement {
            "duplicate"
        } else {
            "same pattern and conditions, another replacement"
        };
        (
            Severity::Error,
            format!("{what} of rule `{}`: it can never win", earlier.id),
        )
    } else if unconditional && !earlier.exact_case {
        let message = format!(
            "rule `{}` matches the same text everywhere and comes first: this rule can never win",
            earlier.id
        );
        (Severity::Error, message)
    } else if earlier.source != later.source {
        let message = format!(
            "case or apostrophe variant of rule `{}` (`{}`): matching already ignores both",
            earlier.id, earlier.source
        );
        (Severity::Warning, message)
    } else if earlier.replacement != later.replacement {
        let message = format!(
            "same pattern as rule `{}` with another replacement, told apart only by conditions",
            earlier.id
        );
        (Severity::Warning, message)
    } else {
        return None;
    };
    Some(Finding {
        severity,
        rule: 0,
        message,
    })
}

fn condition_text(rule: &Rule) -> (Option<&str>, Option<&str>) {
    (
        rule.if_context.as_ref().map(|c| c.as_str()),
        rule.unless_context.as_ref().map(|c| c.as_str()),
    )
}

/// A replacement (or an expected example) that some rule would rewrite again: the
/// glossary is not idempotent, and may cycle. A regex rule's replacement is tried with
/// its groups empty (`re:chat(\w*)` -> `chatte$1` gives "chatte", which the rule
/// rewrites again: it grows on every run), and its example once corrected is corrected
/// again, which must change nothing.
fn lint_idempotence(rules: &Rules, findings: &mut Vec<Finding>) {
    for (index, rule) in rules.rules().iter().enumerate() {
        let replacement = match rule.pattern {
            Pattern::Literal(_) => rule.replacement.clone(),
            Pattern::Regex(_) => crate::glossary::template::expand(&rule.replacement, |_| None),
        };
        let corrected_example = match rule.pattern {
            Pattern::Regex(_) => rule
                .example
                .as_deref()
                .map(|e| apply(rules, e).text.into_owned()),
            Pattern::Literal(_) => None,
        };
        let texts = [Some(replacement), rule.expected.clone(), corrected_example];
        for text in texts.into_iter().flatten().filter(|t| !t.is_empty()) {
            let applied = apply(rules, &text);
            if let Some(sub) = applied.subs.first() {
                let other = &rules.rules()[sub.rule];
                let cycle = if sub.rule == index {
                    " (its own pattern)"
                } else {
                    ""
                };
                findings.push(Finding {
                    severity: Severity::Error,
                    rule: index,
                    message: format!(
                        "not idempotent: rule `{}`{cycle} rewrites {text:?} ({:?} -> {:?})",
                        other.id, sub.matched, sub.replacement
                    ),
                });
                break;
            }
        }
    }
}

/// `if`/`unless` conditions that can never match.
fn lint_conditions(rules: &Rules, findings: &mut Vec<Finding>) {
    for (index, rule) in rules.rules().iter().enumerate() {
        let conditions = [("if", &rule.if_context), ("unless", &rule.unless_context)];
        for (name, condition) in conditions {
            let Some(condition) = condition else {
                continue;
            };
            if let Some(why) = never_matches(condition.as_str()) {
                findings.push(Finding {
                    severity: Severity::Error,
                    rule: index,
                    message: format!(
                        "`{name}` condition `{}` can never match: {why}",
                        condition.as_str()
                    ),
                });
            }
        }
    }
}

/// Why a condition regex can never match text of the matching view, if it cannot.
fn never_matches(source: &str) -> Option<String> {
    if let Ok(hir) = regex_syntax::parse(source)
        && hir.properties().minimum_len().is_none()
    {
        return Some("it matches no text at all".into());
    }
    NEVER_IN_VIEW
        .iter()
        .find(|(needle, _)| source.contains(needle))
        .map(|(_, why)| format!("it needs {why}"))
}

fn where_(rule: &Rule) -> String {
    format!("{}:{}", rule.origin.path.display(), rule.origin.line)
}

/// One rule's record in a (reviewed) log.
#[derive(Debug, Default)]
struct RuleStats {
    fired: usize,
    rejected: usize,
    edited: usize,
}

impl RuleStats {
    /// The share of this rule's substitutions a reviewer did not take as proposed.
    fn bad_rate(&self) -> f64 {
        (self.rejected + self.edited) as f64 / self.fired.max(1) as f64
    }
}

/// `mtfix glossary stats`: prints one line per rule, the rules to fix first at the top.
pub(super) fn stats(log: &Path) -> Result<Exit> {
    let mut per_rule: HashMap<String, RuleStats> = HashMap::new();
    for entry in logfile::read(log)? {
        let stats = per_rule.entry(entry.rule.clone()).or_default();
        stats.fired += 1;
        stats.rejected += usize::from(entry.decision == Decision::Reject);
        stats.edited += usize::from(entry.edited && entry.decision != Decision::Reject);
    }
    let mut rows: Vec<(String, RuleStats)> = per_rule.into_iter().collect();
    rows.sort_by(|(a_id, a), (b_id, b)| {
        b.bad_rate()
            .total_cmp(&a.bad_rate())
            .then(b.rejected.cmp(&a.rejected))
            .then(b.fired.cmp(&a.fired))
            .then(a_id.cmp(b_id))
    });
    let width = rows
        .iter()
        .map(|(id, _)| id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:>6}  {:>8}  {:>6}  {:>9}",
        "rule", "fired", "rejected", "edited", "not taken"
    );
    for (id, s) in &rows {
        let rate = 100.0 * s.bad_rate();
        println!(
            "{id:<width$}  {:>6}  {:>8}  {:>6}  {rate:>8.1}%",
            s.fired, s.rejected, s.edited
        );
    }
    Ok(Exit::Success)
}

/// `mtfix glossary list`: each shipped glossary with its number of rules.
pub(super) fn list() -> Result<Exit> {
    for glossary in crate::glossary::embedded()? {
        println!(
            "{}  {} rules",
            glossary.path.display(),
            glossary.rules.len()
        );
    }
    Ok(Exit::Success)
}

/// `mtfix glossary export DIR`: writes each shipped glossary as `DIR/<name>`, never
/// replacing a file.
pub(super) fn export(dir: &Path) -> Result<Exit> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    for (name, text) in crate::glossary::EMBEDDED {
        let path = dir.join(name);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| crate::error::Error::io(&path, e))?;
        file.write_all(text.as_bytes())
            .map_err(|e| crate::error::Error::io(&path, e))?;
        println!("{}", path.display());
    }
    Ok(Exit::Success)
}
