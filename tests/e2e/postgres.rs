//! End-to-end tests of the postgres dialect.
