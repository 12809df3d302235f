//! The library's error type. Every variant carries the path (and line and column where
//! there is one) so that a message printed with `{}` tells the user where to look.

use std::path::PathBuf;

use crate::exit::Exit;

/// Errors of every pipeline stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A glossary is malformed; the run stops before any article is touched.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Glossary {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// An article cannot be processed safely (for example it is not valid UTF-8);
    /// it is left untouched.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Article {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// A substitution log cannot be read as one; nothing is applied or reverted.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Log {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// The glossaries parsed but cannot be compiled together (a size limit of the regex
    /// engine); nothing is read or written.
    #[error("{0}")]
    Rules(String),
    /// The command line asks for something impossible (checked before any work).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// How a command that ends with this error exits (see [`Exit`]).
    pub fn exit(&self) -> Exit {
        match self {
            Error::Glossary { .. } | Error::Log { .. } | Error::Rules(_) | Error::Usage(_) => {
                Exit::Refused
            }
            Error::Io { .. } | Error::Article { .. } => Exit::Partial,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
