//! The `mtfix` binary: parse the command line, run it, exit with the documented code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mtfix::cli::Cli::parse();
    mtfix::commands::execute(cli).into()
}
