//! End-to-end tests of the mysql dialect.
