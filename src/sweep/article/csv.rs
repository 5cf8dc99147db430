//! A strict reader for the shipped CSV files: a fixed header, plain comma-separated fields
//! (the files quote nothing), every field parsed and checked where it is read. Anything
//! else is one [`DataError`] naming the file, the line and the column.

use std::fmt;

/// What is wrong with a data file, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct DataError {
    /// The file, as the repository names it (`data/...csv`).
    pub file: String,
    /// The line (from 1), when one line is at fault.
    pub line: Option<usize>,
    /// The column (from 1) and its header name, when one field is at fault.
    pub column: Option<(usize, String)>,
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some((n, name)) = &self.column {
            write!(f, ": column {n} ({name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}

impl DataError {
    /// An error about a file as a whole.
    pub(super) fn file(file: &str, message: impl Into<String>) -> DataError {
        DataError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error about one line.
    pub(super) fn line(file: &str, line: usize, message: impl Into<String>) -> DataError {
        DataError {
            line: Some(line),
            ..DataError::file(file, message)
        }
    }
}

/// One data line: its fields, where it is, and how to read them.
pub(super) struct Row<'a> {
    file: &'a str,
    header: &'static [&'static str],
    /// The line number (from 1).
    pub line: usize,
    fields: Vec<&'a str>,
}

/// The data lines of `text` under `header` (the first line must be exactly these column
/// names). A last line without a newline is read like any other; one empty line at the end
/// is allowed, an empty line elsewhere is not.
pub(super) fn rows<'a>(
    file: &'a str,
    text: &'a str,
    header: &'static [&'static str],
) -> Result<Vec<Row<'a>>, DataError> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or("");
    if first.is_empty() {
        return Err(DataError::line(
            file,
            1,
            "empty: the header line is missing",
        ));
    }
    let names: Vec<&str> = first.split(',').collect();
    for (i, want) in header.iter().enumerate() {
        match names.get(i) {
            Some(got) if got == want => {}
            Some(got) => {
                return Err(DataError::line(
                    file,
                    1,
                    format!("header column {} is '{got}', expected '{want}'", i + 1),
                ));
            }
            None => {
                return Err(DataError::line(
                    file,
                    1,
                    format!("the header lacks column {} ('{want}')", i + 1),
                ));
            }
        }
    }
    if names.len() > header.len() {
        return Err(DataError::line(
            file,
            1,
            format!(
                "the header has {} columns, expected {}",
                names.len(),
                header.len()
            ),
        ));
    }
    let body: Vec<&str> = lines.collect();
    let mut out = Vec::with_capacity(body.len());
    for (i, l) in body.iter().enumerate() {
        let line = i + 2;
        if l.is_empty() {
            if i + 1 == body.len() {
                break;
            }
            return Err(DataError::line(file, line, "empty line"));
        }
        let fields: Vec<&str> = l.split(',').collect();
        if fields.len() != header.len() {
            return Err(DataError::line(
                file,
                line,
                format!("{} fields, the header has {}", fields.len(), header.len()),
            ));
        }
        out.push(Row {
            file,
            header,
            line,
            fields,
        });
    }
    Ok(out)
}

impl Row<'_> {
    /// An error about the field of column `name`.
    pub fn error(&self, name: &str, message: impl Into<String>) -> DataError {
        let column = self
            .header
            .iter()
            .position(|h| *h == name)
            .map(|i| (i + 1, name.to_string()));
        DataError {
            column,
            ..DataError::line(self.file, self.line, message)
        }
    }

    /// The text of column `name`.
    fn text(&self, name: &str) -> Result<&str, DataError> {
        self.header
            .iter()
            .position(|h| *h == name)
            .and_then(|i| self.fields.get(i).copied())
            .ok_or_else(|| DataError::line(self.file, self.line, format!("no column '{name}'")))
    }

    /// A whole number ≥ 0.
    pub fn whole(&self, name: &str) -> Result<u64, DataError> {
        let t = self.text(name)?;
        t.parse()
            .map_err(|_| self.error(name, format!("'{t}' is not a whole number")))
    }

    /// A finite number ≥ 0 (a loss, a ratio, a weight decay).
    pub fn amount(&self, name: &str) -> Result<f64, DataError> {
        let t = self.text(name)?;
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            Ok(_) => Err(self.error(name, format!("'{t}' is not a finite number ≥ 0"))),
            Err(_) => Err(self.error(name, format!("'{t}' is not a number"))),
        }
    }

    /// Whole numbers separated by spaces (at least one).
    pub fn wholes(&self, name: &str) -> Result<Vec<u64>, DataError> {
        let t = self.text(name)?;
        let v: Vec<u64> = t
            .split_whitespace()
            .map(|w| {
                w.parse()
                    .map_err(|_| self.error(name, format!("'{w}' is not a whole number")))
            })
            .collect::<Result<_, _>>()?;
        if v.is_empty() {
            return Err(self.error(name, "empty: expected whole numbers separated by spaces"));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[&str] = &["a", "b"];

    #[test]
    fn reads_rows_with_or_without_a_last_newline() {
        for text in ["a,b\n1,2\n3,4", "a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n"] {
            let r = rows("f.csv", text, HEAD).unwrap();
            assert_eq!(r.len(), 2, "{text:?}");
            assert_eq!((r[1].line, r[1].whole("b").unwrap()), (3, 4));
        }
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let r = rows("f.csv", "a,b\n1,2\n3,x4", HEAD).unwrap();
        let e = r[1].whole("b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.csv:3: column 2 (b): 'x4' is not a whole number"
        );
        let e = r[0].amount("a").unwrap();
        assert_eq!(e, 1.0);
        let r = rows("f.csv", "a,b\n-1,inf", HEAD).unwrap();
        assert!(
            r[0].amount("a")
                .unwrap_err()
                .to_string()
                .contains("column 1 (a)")
        );
        assert!(r[0].amount("b").unwrap_err().to_string().contains("'inf'"));
    }

    #[test]
    fn bad_shapes() {
        let msg = |text: &str| rows("f.csv", text, HEAD).err().map(|e| e.to_string());
        assert_eq!(
            msg(""),
            Some("f.csv:1: empty: the header line is missing".into())
        );
        assert_eq!(
            msg("a,c\n1,2"),
            Some("f.csv:1: header column 2 is 'c', expected 'b'".into())
        );
        assert_eq!(
            msg("a\n1"),
            Some("f.csv:1: the header lacks column 2 ('b')".into())
        );
        assert_eq!(
            msg("a,b,c\n1,2,3"),
            Some("f.csv:1: the header has 3 columns, expected 2".into())
        );
        assert_eq!(
            msg("a,b\n1,2,3"),
            Some("f.csv:2: 3 fields, the header has 2".into())
        );
        assert_eq!(msg("a,b\n1,2\n\n3,4"), Some("f.csv:3: empty line".into()));
        assert_eq!(
            msg("a,b\n"),
            None,
            "a header alone is no rows, not an error"
        );
    }

    #[test]
    fn lists_of_whole_numbers() {
        let r = rows("f.csv", "a,b\n4 8 5,\n1 x,2", HEAD).unwrap();
        assert_eq!(r[0].wholes("a").unwrap(), vec![4, 8, 5]);
        assert!(r[0].wholes("b").unwrap_err().to_string().contains("empty"));
        assert_eq!(
            r[1].wholes("a").unwrap_err().to_string(),
            "f.csv:3: column 1 (a): 'x' is not a whole number"
        );
    }
}
