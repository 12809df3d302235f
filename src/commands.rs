//! Runs the command the user asked for, prints its outcome and gives the exit code the
//! README documents: 0 ok; 1 `check` found changes or `glossary test` failed; 2 bad usage
//! or glossary (nothing written); 3 some files or rows could not be processed.
#![allow(clippy::print_stderr)]

use crate::cli::{Cli, Command, GlossaryCommand};
use crate::config::Config;
use crate::error::Error;
use crate::review::{Direction, ReviewConfig};
use crate::{glossary_tools, report, review};

/// Runs `cli` and returns the process exit code.
pub fn execute(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Fix(args) => Config::for_fix(args).and_then(|config| fix_or_check(&config, false)),
        Command::Check(args) => {
            Config::for_check(args).and_then(|config| fix_or_check(&config, true))
        }
        Command::Apply(args) => review_command(args, Direction::Apply),
        Command::Revert(args) => review_command(args, Direction::Revert),
        Command::Glossary(GlossaryCommand::Test(args)) => glossary_tools::test(&args.paths),
        Command::Glossary(GlossaryCommand::Lint(args)) => glossary_tools::lint(&args.paths),
        Command::Glossary(GlossaryCommand::Stats(args)) => glossary_tools::stats(&args.log),
    };
    result.unwrap_or_else(|error: Error| {
        eprintln!("error: {error}");
        error.exit_code()
    })
}

fn fix_or_check(config: &Config, is_check: bool) -> Result<i32, Error> {
    let outcome = crate::run(config)?;
    if !config.quiet {
        outcome.summary.print();
    }
    report::print_failures(&outcome.failures);
    Ok(if !outcome.failures.is_empty() {
        3
    } else if is_check && outcome.summary.substitutions > 0 {
        1
    } else {
        0
    })
}

fn review_command(args: crate::cli::ReviewArgs, direction: Direction) -> Result<i32, Error> {
    let quiet = args.quiet;
    let config = ReviewConfig::from_args(args, direction)?;
    let outcome = review::run(&config)?;
    report::print_review(&outcome, &config, quiet);
    let failed = !outcome.failures.is_empty() || !outcome.skipped.is_empty();
    Ok(if failed { 3 } else { 0 })
}
