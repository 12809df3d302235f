//! The `mtfix` binary: parse the command line, run it, exit with the documented code
//! (see `commands`).

use clap::Parser;

fn main() {
    let cli = mtfix::cli::Cli::parse();
    std::process::exit(mtfix::commands::execute(cli));
}
