//! Comparisons the generated model types do not derive.

use ai_shell_plugin_sdk::{ColumnType, QualifiedName};

pub fn same_name(a: &QualifiedName, b: &QualifiedName) -> bool {
    a.namespace == b.namespace && a.name == b.name
}

pub fn same_type(a: &ColumnType, b: &ColumnType) -> bool {
    format!("{a:?}") == format!("{b:?}")
}
