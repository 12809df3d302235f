//! The progress bar: on stderr, and only when stderr is a terminal (indicatif hides it
//! otherwise), so that piped output and logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `files` articles, hidden when `quiet`.
pub(crate) fn bar(files: usize, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files ({per_sec}, eta {eta})",
    )
    .expect("valid progress template");
    bar.set_style(style);
    bar
}
