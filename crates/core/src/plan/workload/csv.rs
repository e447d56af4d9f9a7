//! Reads the simple CSV of traces: a header line naming the columns, then
//! one row per line of comma-separated numbers. Blank lines are skipped,
//! `\r\n` line ends and quoted fields (`"12"`) are accepted; that is all the
//! trace files need.

use super::WorkloadError;

/// A CSV text with its header read and the wanted columns found.
pub(crate) struct CsvColumns<'a> {
    what: &'a str,
    names: Vec<&'a str>,
    positions: Vec<usize>,
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
}

fn cell(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
        .trim()
}

impl<'a> CsvColumns<'a> {
    /// Finds `wanted` columns in the header of `text`; `what` names the
    /// file in error sentences ("the length trace").
    pub(crate) fn new(
        text: &'a str,
        what: &'a str,
        wanted: &[&'a str],
    ) -> Result<Self, WorkloadError> {
        let mut lines = text.lines().enumerate();
        let header = loop {
            match lines.next() {
                Some((_, line)) if line.trim().is_empty() => continue,
                Some((_, line)) => break line.trim_start_matches('\u{feff}'),
                None => return Err(WorkloadError::new(format!("The {what} is empty."))),
            }
        };
        let columns: Vec<&str> = header.split(',').map(cell).collect();
        let mut positions = Vec::new();
        for name in wanted {
            match columns.iter().position(|c| c == name) {
                Some(p) => positions.push(p),
                None => {
                    return Err(WorkloadError::new(format!(
                        "The {what} has no column named {name}: its first line should name the columns, \
                         as in \"{}\" (found \"{}\").",
                        wanted.join(","),
                        header.trim()
                    )))
                }
            }
        }
        Ok(CsvColumns {
            what,
            names: wanted.to_vec(),
            positions,
            lines,
        })
    }

    /// The next row's wanted numbers (non-negative, finite), with its line
    /// number counted from 1, or a sentence naming the line and the problem.
    pub(crate) fn next_row(&mut self) -> Option<Result<(usize, Vec<f64>), WorkloadError>> {
        let (index, line) = loop {
            let (index, line) = self.lines.next()?;
            if !line.trim().is_empty() {
                break (index, line);
            }
        };
        let number = index + 1;
        let fields: Vec<&str> = line.split(',').map(cell).collect();
        let mut values = Vec::with_capacity(self.positions.len());
        for (name, &p) in self.names.iter().zip(&self.positions) {
            let Some(&field) = fields.get(p) else {
                return Some(Err(WorkloadError::new(format!(
                    "Line {number} of the {} has {} fields, so no value for {name}.",
                    self.what,
                    fields.len()
                ))));
            };
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => values.push(v),
                _ => {
                    return Some(Err(WorkloadError::new(format!(
                        "Line {number} of the {}: {name} is \"{field}\", which is not a number of 0 or more.",
                        self.what
                    ))))
                }
            }
        }
        Some(Ok((number, values)))
    }
}
