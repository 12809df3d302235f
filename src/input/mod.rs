//! Where articles come from: [`walk`] lists them under the inputs in sorted order,
//! [`listing`] hands them to the workers a chunk at a time, and [`encoding`] decodes
//! each one (and encodes the corrected text back) in its own encoding.

pub(crate) mod encoding;
pub(crate) mod listing;
pub(crate) mod walk;
