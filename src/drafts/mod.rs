//! The officer's drafts: the desk (the list, search, notices), the editor and the receipts of
//! what the server answered. What they store is `store`/`outbox`; what they send, `sync`.

pub mod alerts;
pub mod desk;
pub mod editor;
pub mod receipts;
