//! The process exit codes the README documents, as a type: every command ends with one.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; for `check`, nothing would change.
    Success,
    /// 1: `check` found changes, or `glossary test` found a failing example.
    Findings,
    /// 2: bad usage, glossary or log: nothing was read or written.
    Refused,
    /// 3: some files (or log rows) could not be processed; the others were.
    Partial,
    /// 130: stopped by Ctrl-C or SIGTERM; what was done is logged.
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Refused => 2,
            Exit::Partial => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}
