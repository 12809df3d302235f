//! Ctrl-C, SIGTERM and SIGHUP during a run that writes: the run stops starting articles,
//! reports those done (their log rows, their in-place renames) and puts the log in place,
//! so no temporary file is left and the log covers every article rewritten. A second
//! signal ends the process at once; an in-place run then leaves its journal
//! (`<log>.partial`), which still covers every article it rewrote.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Set by the first signal.
static REQUESTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Starts watching for the signals (once per process).
pub(crate) fn watch() {
    REQUESTED.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // The second signal of a kind exits at once (code 130, as a shell reports
            // an interrupted command), the first only sets the flag.
            let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, flag.clone());
            let _ = signal_hook::flag::register(signal, flag.clone());
        }
        flag
    });
}

/// Whether a signal asked the run to stop.
pub(crate) fn requested() -> bool {
    REQUESTED
        .get()
        .is_some_and(|flag| flag.load(Ordering::Relaxed))
}
