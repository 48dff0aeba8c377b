//! The app's shell: the routes and the header every page shares (`app`), and the pages that are
//! part of it — login, unlocking after a browser restart, changing the password — with the sync
//! bar under the header. Loaded first; every other page is split off it.

pub mod app;
pub mod login;
pub mod password;
pub mod sync_bar;
pub mod unlock;
