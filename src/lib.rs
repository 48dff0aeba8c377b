//! 信报 Xinbao, the web app: Leptos (CSR) compiled to WebAssembly.
//!
//! Pages live with their capability: [`shell`] (routes, the header, login, unlock, password, the
//! sync bar), [`drafts`] (desk, editor, receipts), [`item`] (the parts of an item's view the
//! editor and the review page share), [`review`], [`scores`] (the board, the notice, the
//! scoring administration), [`periodical`], [`commissions`], [`admin`]. Beneath them:
//! - [`api`]: the only module that talks HTTP.
//! - [`store`]: opens IndexedDB (the only module that does); drafts are partitioned per account.
//! - [`outbox`]: the sync engine's meta, outbox and receipts, in the account's database.
//! - [`inbox`]: commissions and instructions for the desk, fetched after each sync, kept offline.
//! - [`photos`]: photos attached to drafts (downscaled, stored as Blobs).
//! - [`session`]: the small session hint kept in localStorage.
//! - [`transfer`]: export and import of unsent drafts (USB stick between machines).
//! - [`sync`]: the sync engine — outbox pushed in batches, changes pulled by cursor, one
//!   syncing tab (Web Locks), backoff, the badge's state.
//! - [`tabs`]: tabs telling each other about saved drafts.
//! - [`pwa`]: the service worker (offline shell) and the update offer.
//! - [`i18n`]: the UI's strings (zh-CN first, English) and the language signal.
//!
//! Rules (validation, counting, roles) come from `xinbao_core`, the same code the server runs.

pub mod admin;
pub mod announce;
pub mod api;
pub mod commissions;
pub mod drafts;
pub mod home;
pub mod i18n;
pub mod inbox;
pub mod item;
pub mod kdf;
pub mod outbox;
pub mod periodical;
pub mod photos;
pub mod pwa;
pub mod review;
pub mod scores;
pub mod session;
pub mod sheet;
pub mod shell;
pub mod store;
pub mod sync;
pub mod tabs;
pub mod transfer;
pub mod upward;
pub mod util;
pub mod vault;

/// Mounts the app on `<body>` and removes the boot placeholder.
pub fn start() {
    console_error_panic_hook::set_once();
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(shell::app::App);
}
