//! One module per page.

pub mod admin;
pub mod admin_scoring;
pub mod alerts;
pub mod chains;
pub mod commissions;
pub mod desk;
pub mod editor;
pub mod fields;
pub mod item_scoring;
pub mod login;
pub mod notice;
pub mod password;
pub mod periodical;
pub mod photos_field;
pub mod quality_panel;
pub mod receipts;
pub mod review;
pub mod scores;
pub mod sync_bar;
pub mod sync_panel;
pub mod trend_chart;
pub mod unlock;
pub mod urgent_panel;
