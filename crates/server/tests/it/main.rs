//! The server's integration tests, as one binary (one link step instead of one per file):
//! each module is one area of the API, run against a real server on SQLite and, when
//! `cargo xtask test` provides a cluster, on PostgreSQL (`XINBAO_TEST_PG`).

mod common;

mod admin;
mod auth;
mod authz_matrix;
mod backup;
mod commissions;
mod concurrency;
mod convergence;
mod documents;
mod duplicates;
mod forward;
mod home;
mod migrate;
mod migrations;
mod operations;
mod periodical;
mod queue;
mod review;
mod scores;
mod seeded_year;
mod signing;
mod startup;
mod sync;
mod upward;
