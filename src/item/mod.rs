//! The parts of an item's view that the officer's editor and the section's review page share:
//! its fields, photos, the writing checks, the sync status and conflict diff, the urgent-report
//! panel and the 初报→续报→终报 threads.

pub mod chains;
pub mod fields;
pub mod photos_field;
pub mod quality_panel;
pub mod sync_panel;
pub mod urgent_panel;
