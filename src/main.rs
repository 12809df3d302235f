//! The `mtfix` binary: parse the command line, run, print the outcome, exit with the
//! documented code (0 ok, 1 `check` found changes, 2 bad usage or glossary, 3 some files
//! failed).
#![allow(clippy::print_stderr)]

use clap::Parser;
use mtfix::cli::{Cli, Command};
use mtfix::config::Config;
use mtfix::report;

fn main() {
    let cli = Cli::parse();
    let is_check = matches!(cli.command, Command::Check(_));
    let outcome = Config::from_cli(cli).and_then(|config| {
        let outcome = mtfix::run(&config)?;
        if !config.quiet {
            outcome.summary.print();
        }
        Ok(outcome)
    });
    let code = match outcome {
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
        Ok(outcome) if !outcome.failures.is_empty() => {
            report::print_failures(&outcome.failures);
            3
        }
        Ok(outcome) if is_check && outcome.summary.substitutions > 0 => 1,
        Ok(_) => 0,
    };
    std::process::exit(code);
}
