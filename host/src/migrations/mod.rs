//! Migration files: the `NNN_slug.sql` format, checksums, statement splitting, the migrations folder and
//! importing other tools' folders. Pure file-system and text work; history and execution live elsewhere.

pub mod checksum;
pub mod directory;
pub mod file;
pub mod import;
pub mod split;
#[cfg(test)]
mod split_props;
pub mod vcs;

pub use checksum::checksum;
pub use directory::{
    MigrationDir, MigrationDirError, MigrationSet, apply_renumber, create, next_version,
    renumber_plan,
};
pub use file::{Meta, MigrationFile, MigrationFileError, Rollback, parse, to_text, validate};
pub use import::{ImportError, ImportLayout, ImportReport, import};
pub use split::{SplitDialect, Statement, statements, transaction_control};
