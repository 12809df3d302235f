//! Runs the command the user asked for, prints its outcome and gives the [`Exit`] the
//! README documents. `glossary test`, `lint` and `stats` live in `commands::glossary`.
#![allow(clippy::print_stderr)]

mod glossary;

use crate::cli::{Cli, Command, GlossaryCommand};
use crate::config::Config;
use crate::config::{Direction, ReviewConfig};
use crate::error::Error;
use crate::exit::Exit;
use crate::output::report;
use crate::review;

/// Runs `cli` and tells how the process exits.
pub fn execute(cli: Cli) -> Exit {
    let result = match cli.command {
        Command::Fix(args) => Config::for_fix(args).and_then(|config| fix_or_check(&config, false)),
        Command::Check(args) => {
            Config::for_check(args).and_then(|config| fix_or_check(&config, true))
        }
        Command::Apply(args) => review_command(args, Direction::Apply),
        Command::Undo(args) => review_command(args, Direction::Undo),
        Command::Revert(args) => review_command(args, Direction::Revert),
        Command::Review(args) => crate::page::run(&args).map(|_| Exit::Success),
        Command::Suggest(args) => crate::suggest::run(*args),
        Command::Glossary(GlossaryCommand::Test(args)) => glossary::test(&args.paths),
        Command::Glossary(GlossaryCommand::Lint(args)) => glossary::lint(&args.paths),
        Command::Glossary(GlossaryCommand::Stats(args)) => glossary::stats(&args.log),
        Command::Stream(args) => crate::stream::run(args),
        Command::Log(args) => crate::stream::log::run(args),
        Command::Completions(args) => completions(args.shell),
        Command::Man => man(),
        Command::Glossary(GlossaryCommand::List) => glossary::list(),
        Command::Glossary(GlossaryCommand::Export(args)) => glossary::export(&args.dir),
    };
    result.unwrap_or_else(|error: Error| {
        eprintln!("error: {error}");
        error.exit()
    })
}

fn fix_or_check(config: &Config, is_check: bool) -> Result<Exit, Error> {
    if config.writes() {
        crate::interrupt::watch();
    }
    let outcome = crate::driver::run(config)?;
    if !config.quiet {
        outcome.summary.print();
        report::print_destinations(&outcome.summary, config);
    }
    report::print_failures(&outcome.failures);
    Ok(if outcome.summary.interrupted {
        Exit::Interrupted
    } else if !outcome.failures.is_empty() {
        Exit::Partial
    } else if is_check && outcome.summary.files_changed > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn review_command(args: crate::cli::ReviewArgs, direction: Direction) -> Result<Exit, Error> {
    let quiet = args.quiet;
    let config = ReviewConfig::from_args(args, direction)?;
    crate::interrupt::watch();
    let outcome = review::run(&config)?;
    report::print_review(&outcome, &config, quiet);
    let failed = !outcome.failures.is_empty()
        || !outcome.skipped.is_empty()
        || !outcome.corrected_copies.is_empty();
    Ok(if outcome.not_reviewed > 0 {
        Exit::Interrupted
    } else if failed {
        Exit::Partial
    } else {
        Exit::Success
    })
}

/// `mtfix completions SHELL`: the completion script, generated from the command line.
fn completions(shell: clap_complete::Shell) -> Result<Exit, Error> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "mtfix", &mut script);
    print_stdout(&script)
}

/// `mtfix man`: the manual page (roff), generated from the command line, with a section
/// per command.
fn man() -> Result<Exit, Error> {
    use clap::CommandFactory;
    let command = Cli::command();
    let mut page = Vec::new();
    let io = |e| Error::io("<stdout>", e);
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(io)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name();
        page.extend_from_slice(format!(".SH \"MTFIX {}\"\n", name.to_uppercase()).as_bytes());
        let sub = sub.clone().bin_name(format!("mtfix {name}"));
        let man = clap_mangen::Man::new(sub);
        man.render_synopsis_section(&mut page).map_err(io)?;
        man.render_description_section(&mut page).map_err(io)?;
        man.render_options_section(&mut page).map_err(io)?;
    }
    print_stdout(&page)
}

fn print_stdout(bytes: &[u8]) -> Result<Exit, Error> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Exit::Success)
}
