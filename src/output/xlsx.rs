//! The log as an Excel workbook (`--log changes.xlsx`), for reviewers who open it with a
//! double click: no import dialog, no guessed encoding or delimiter, no cell read as a
//! number or a formula.
//!
//! The workbook is made from the log's CSV form, the rows [`super::logfile::LogRow`]
//! writes: a run writes its rows as CSV (the journal of an in-place run stays CSV, so
//! that every article renamed into place has its rows on the disk first), and the
//! workbook is made from them once, at the end ([`super::atomic::LogFile::commit`]).
//! Each cell holds exactly what the CSV field holds, so a workbook reads back as the CSV
//! would ([`super::logfile::read`]): text cells are text (a hash of digits, a matched
//! `0123`), and a cell the CSV writes with a leading `'` (one a spreadsheet would
//! evaluate, see [`super::logfile::escape_cell`]) keeps it here too, so it stays text in
//! every format the reviewer saves the workbook to.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Workbook, Worksheet, XlsxError,
};

use crate::error::{Error, Result};

/// Whether `path` names a log written as a workbook: the extension decides (any case).
pub(crate) fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"))
}

/// Columns holding whole numbers, written as numbers (a spreadsheet sorts and filters
/// them as numbers); every other cell is text.
const NUMBERS: [&str; 3] = ["line", "column", "byte_offset"];

/// Column widths, in characters, where the default would cut what a reviewer reads
/// (the sentence, the texts) or waste room (hashes, which only mtfix reads).
const WIDTHS: [(&str, f64); 13] = [
    ("file", 28.0),
    ("line", 6.0),
    ("column", 7.0),
    ("byte_offset", 10.0),
    ("rule", 22.0),
    ("matched", 22.0),
    ("replacement", 22.0),
    ("context", 70.0),
    ("decision", 11.0),
    ("glossary", 18.0),
    ("note", 40.0),
    ("file_hash", 10.0),
    ("row_hash", 10.0),
];

/// The width of a column [`WIDTHS`] does not list.
const DEFAULT_WIDTH: f64 = 12.0;

/// The decisions the `decision` column's drop-down list offers. Other cells are allowed
/// (the validation only warns), since `apply` reads many more (`x`, `oui`, `✓`, …).
const DECISIONS: [&str; 4] = ["accept", "reject", "accepté", "rejeté"];

/// What a sheet holds at most: 1,048,576 rows, the header included (Excel's limit, and
/// the file format's for the other spreadsheets).
const MAX_ROWS: u32 = 1_048_576;

/// The workbook of the CSV log at `csv` (a header, then rows, in any dialect `fix`
/// writes), as the bytes of an `.xlsx` file. `target` names the workbook in errors: a
/// log with more rows than a sheet holds, or a cell longer than a spreadsheet's 32,767
/// characters, cannot be one.
pub(crate) fn workbook_of_csv(csv: &Path, target: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(csv).map_err(|e| Error::io(csv, e))?;
    let mut reader = BufReader::new(file);
    let mut header = Vec::new();
    reader
        .read_until(b'\n', &mut header)
        .map_err(|e| Error::io(csv, e))?;
    let header = match header.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => header,
    };
    let delimiter = crate::csvlines::sniff_delimiter(&header, None);
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(std::io::Cursor::new(header).chain(reader));
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|e| cannot(target, e))?;
    let mut columns = Vec::new();
    let mut rows: u32 = 0;
    for record in records.records() {
        let record = record.map_err(|e| Error::io(csv, e.into()))?;
        if rows == MAX_ROWS {
            return Err(too_many_rows(target));
        }
        if rows == 0 {
            columns = record.iter().map(str::to_owned).collect();
            start(sheet, &columns).map_err(|e| cannot(target, e))?;
        } else {
            write_row(sheet, rows, &columns, &record).map_err(|e| match e {
                XlsxError::MaxStringLengthExceeded => too_long(target, rows),
                e => cannot(target, e),
            })?;
        }
        rows += 1;
    }
    finish(sheet, &columns, rows).map_err(|e| cannot(target, e))?;
    workbook.save_to_buffer().map_err(|e| cannot(target, e))
}

/// The header row (bold, frozen so it stays in view) and the column widths.
fn start(sheet: &mut Worksheet, columns: &[String]) -> Result<(), XlsxError> {
    sheet.set_name("log")?;
    let bold = Format::new().set_bold();
    for (i, name) in columns.iter().enumerate() {
        let col = i as u16;
        let width = WIDTHS
            .iter()
            .find(|(known, _)| known == name)
            .map_or(DEFAULT_WIDTH, |&(_, width)| width);
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// One log row: numbers as numbers, every other field as text, empty fields left blank.
fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    columns: &[String],
    record: &csv::StringRecord,
) -> Result<(), XlsxError> {
    for (i, field) in record.iter().enumerate() {
        let col = i as u16;
        let number = columns
            .get(i)
            .filter(|name| NUMBERS.contains(&name.as_str()))
            .and_then(|_| field.parse::<u64>().ok())
            // Exactly representable: a spreadsheet's numbers are doubles.
            .filter(|&n| n < 1 << 53);
        match number {
            Some(n) => sheet.write_number(row, col, n as f64)?,
            None if field.is_empty() => sheet,
            None => sheet.write_string(row, col, field)?,
        };
    }
    Ok(())
}

/// The filter buttons on the header, and the drop-down list of decisions.
fn finish(sheet: &mut Worksheet, columns: &[String], rows: u32) -> Result<(), XlsxError> {
    let Some(last) = columns.len().checked_sub(1) else {
        return Ok(());
    };
    sheet.autofilter(0, 0, rows.max(2) - 1, last as u16)?;
    if let Some(decision) = columns.iter().position(|name| name == "decision") {
        let list = DataValidation::new()
            .allow_list_strings(&DECISIONS)?
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("mtfix")?
            .set_error_message(
                "apply also reads accepté(e), validé, oui, yes, ok, x, 1, ✓ (accept) and \
                 rejeté(e), refusé, non, no, ko, 0, ✗ (reject); an empty cell accepts.",
            )?;
        let col = decision as u16;
        sheet.add_data_validation(1, col, MAX_ROWS - 1, col, &list)?;
    }
    Ok(())
}

fn cannot(target: &Path, error: XlsxError) -> Error {
    Error::io(
        target,
        std::io::Error::other(format!("the workbook cannot be written: {error}")),
    )
}

fn too_long(target: &Path, row: u32) -> Error {
    Error::io(
        target,
        std::io::Error::other(format!(
            "row {}: a cell holds more than the 32,767 characters a spreadsheet cell \
             holds; write this log as .csv",
            row + 1
        )),
    )
}

fn too_many_rows(target: &Path) -> Error {
    Error::io(
        target,
        std::io::Error::other(format!(
            "the log has more rows than a sheet holds ({} with the header); write it as \
             .csv",
            MAX_ROWS
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::logfile;
    use std::path::PathBuf;

    /// A log with the cells spreadsheets change: a hash of digits, numbers-looking text,
    /// formulas escaped with `'`, a cell starting with `'`, line breaks (CRLF too),
    /// control characters, Excel's own `_x0041_` escape, edge spaces, accents.
    fn awkward_log() -> String {
        let header = logfile::COLUMNS.join(",");
        let hash = "xxh3:12345678901234567890123456789012";
        let rows = [
            format!(
                "a.txt,1,5,4,r,0123,1e5,\"⟦0123⟧ près de là\",,g.csv,,{hash},xxh3:1e10000000000000,"
            ),
            format!(
                "b.txt,2,1,120,'=r,'=1+1,'-x,\"'+a\r\nb\",accepté,g.csv,\"'@note\",{hash},xxh3:00,"
            ),
            format!(
                "c d/é.txt,3,9,9000000000,r,''s,\" s \",\"a\u{1}b_x0041_c\tz\",,g.csv,,{hash},xxh3:ff,"
            ),
        ];
        format!("\u{feff}{header}\n{}\n", rows.join("\n"))
    }

    /// [`awkward_log`] as `dir/log.csv`, and the workbook made from it as `dir/log.xlsx`.
    fn awkward_workbook(dir: &Path) -> (PathBuf, PathBuf) {
        let csv = dir.join("log.csv");
        std::fs::write(&csv, awkward_log()).unwrap();
        let xlsx = dir.join("log.xlsx");
        std::fs::write(&xlsx, workbook_of_csv(&csv, &xlsx).unwrap()).unwrap();
        (csv, xlsx)
    }

    #[test]
    fn a_workbook_reads_back_as_the_csv_it_was_made_from() {
        let dir = tempfile::tempdir().unwrap();
        let (csv, xlsx) = awkward_workbook(dir.path());
        let from_csv = logfile::read(&csv).unwrap();
        let from_xlsx = logfile::read(&xlsx).unwrap();
        assert_eq!(from_xlsx.len(), 3);
        for (a, b) in from_csv.iter().zip(&from_xlsx) {
            let fields = |e: &logfile::Entry| {
                (
                    e.file.clone(),
                    e.byte_offset,
                    e.rule.clone(),
                    e.matched.clone(),
                    e.replacement.clone(),
                    e.decision,
                    e.context.clone(),
                    e.file_hash.clone(),
                    e.row_hash.clone(),
                )
            };
            assert_eq!(fields(a), fields(b));
        }
        assert_eq!(from_xlsx[0].matched, "0123");
        assert_eq!(from_xlsx[1].rule, "=r");
        assert_eq!(from_xlsx[1].context, "+a\r\nb");
        assert_eq!(from_xlsx[2].matched, "'s");
        assert_eq!(from_xlsx[2].replacement, " s ");
        assert_eq!(from_xlsx[2].context, "a\u{1}b_x0041_c\tz");
    }

    #[test]
    fn numbers_are_numbers_and_text_is_text() {
        use calamine::{Data, Reader};
        let dir = tempfile::tempdir().unwrap();
        let (_, xlsx) = awkward_workbook(dir.path());
        let mut workbook = calamine::open_workbook_auto(&xlsx).unwrap();
        let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
        let row: Vec<&Data> = sheet.rows().nth(1).unwrap().iter().collect();
        assert_eq!(row[1], &Data::Float(1.0));
        assert_eq!(row[3], &Data::Float(4.0));
        assert_eq!(row[5], &Data::String("0123".into()));
        assert_eq!(row[6], &Data::String("1e5".into()));
        assert_eq!(row[8], &Data::Empty);
        let big: Vec<&Data> = sheet.rows().nth(3).unwrap().iter().collect();
        assert_eq!(big[3], &Data::Float(9_000_000_000.0));
    }

    #[test]
    fn a_cell_longer_than_a_spreadsheet_holds_is_an_error_naming_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("log.csv");
        let long = "é".repeat(32_768);
        let log = format!(
            "{}\na.txt,1,1,0,r,{long},x,ctx,,g.csv,,xxh3:0,xxh3:0\n",
            logfile::COLUMNS.join(",")
        );
        std::fs::write(&csv, log).unwrap();
        let error = workbook_of_csv(&csv, Path::new("log.xlsx"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("log.xlsx: row 2: a cell holds more"),
            "{error}"
        );
    }
}
