//! Named, typed access to the rows of a [`QueryResult`](crate::host::QueryResult).

use std::rc::Rc;

use crate::host::QueryResult;
use crate::{PluginError, SqlValue};

/// One result row; columns are looked up by name.
pub struct Row {
    columns: Rc<Vec<String>>,
    values: Vec<SqlValue>,
}

impl Row {
    /// Splits a query result into rows.
    pub fn all(result: QueryResult) -> Vec<Row> {
        let columns = Rc::new(result.columns);
        result
            .rows
            .into_iter()
            .map(|values| Row {
                columns: columns.clone(),
                values,
            })
            .collect()
    }

    fn get(&self, name: &str) -> Result<&SqlValue, PluginError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| PluginError::Internal(format!("query returned no column `{name}`")))
    }

    /// A text column that may be NULL. Integers and booleans are rendered as text.
    pub fn opt_text(&self, name: &str) -> Result<Option<String>, PluginError> {
        Ok(match self.get(name)? {
            SqlValue::Null => None,
            SqlValue::Text(s) => Some(s.clone()),
            SqlValue::Integer(i) => Some(i.to_string()),
            SqlValue::Float(f) => Some(f.to_string()),
            SqlValue::Boolean(b) => Some(b.to_string()),
            SqlValue::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        })
    }

    /// A text column that must not be NULL.
    pub fn text(&self, name: &str) -> Result<String, PluginError> {
        self.opt_text(name)?
            .ok_or_else(|| PluginError::Internal(format!("column `{name}` is NULL")))
    }

    /// An integer column that may be NULL; numeric text is parsed.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, PluginError> {
        Ok(match self.get(name)? {
            SqlValue::Null => None,
            SqlValue::Integer(i) => Some(*i),
            SqlValue::Boolean(b) => Some(*b as i64),
            SqlValue::Float(f) => Some(*f as i64),
            SqlValue::Text(s) => Some(s.trim().parse().map_err(|_| {
                PluginError::Internal(format!("column `{name}` is not an integer: {s:?}"))
            })?),
            SqlValue::Bytes(_) => {
                return Err(PluginError::Internal(format!(
                    "column `{name}` is bytes, not an integer"
                )));
            }
        })
    }

    /// An integer column that must not be NULL.
    pub fn int(&self, name: &str) -> Result<i64, PluginError> {
        self.opt_int(name)?
            .ok_or_else(|| PluginError::Internal(format!("column `{name}` is NULL")))
    }

    /// A boolean column; NULL is false, integers are true when non-zero, text accepts t/true/yes/1.
    pub fn bool(&self, name: &str) -> Result<bool, PluginError> {
        Ok(match self.get(name)? {
            SqlValue::Null => false,
            SqlValue::Boolean(b) => *b,
            SqlValue::Integer(i) => *i != 0,
            SqlValue::Float(f) => *f != 0.0,
            SqlValue::Text(s) => matches!(
                s.to_ascii_lowercase().as_str(),
                "t" | "true" | "yes" | "y" | "1" | "on"
            ),
            SqlValue::Bytes(b) => b.first().is_some_and(|b| *b != 0 && *b != b'0'),
        })
    }
}
