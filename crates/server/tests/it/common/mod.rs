//! Test harness: every test gets its own server state over a fresh database and calls the
//! router in-process (`app`); `office` builds a county office on it.

#![allow(dead_code)]

mod app;
pub mod office;

pub use app::*;
