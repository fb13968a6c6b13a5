//! End-to-end tests of the sqlite dialect.
