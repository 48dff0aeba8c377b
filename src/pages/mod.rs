//! One module per page.

pub mod admin;
pub mod desk;
pub mod editor;
pub mod fields;
pub mod login;
pub mod password;
pub mod photos_field;
pub mod quality_panel;
pub mod receipts;
pub mod review;
pub mod sync_bar;
pub mod sync_panel;
