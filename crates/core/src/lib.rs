//! The rules of Xinbao, pure and IO-free: compiled to WebAssembly for the browser and natively
//! for the server, so that both sides call the very same function for every rule.
//!
//! # Glossary (English identifier → 中文)
//!
//! | identifier | 中文 | meaning |
//! |---|---|---|
//! | `Item` | 信息稿件 | one report written by an officer |
//! | `ItemType` | 信息类型 | 动态信息 / 经验做法 / 问题建议 / 综合调研 / 紧急信息 |
//! | `FocusTag` | 重点/亮点/热点/难点 | what the item is about, any subset |
//! | `Officer` | 信息员 | writes items in a township or department |
//! | `Editor` | 编辑 (信息科) | screens, edits, returns, composes the periodical |
//! | `Signer` | 签发人 | approves (签发) before use |
//! | `Reader` | 阅读人 | leader; reads issues, records instructions |
//! | `Unit` | 单位 | node of the unit tree (office, township, department) |
//! | `Return` | 退回修改 | send back to the author with a reason |
//! | `SignOff` | 签发 | approval |
//! | `Adoption` | 采用 | an item used in a publication |
//! | `Commission` | 约稿 | a targeted request for items |
//! | `Notice` | 通报 | the monthly (quarterly, annual) score notice |
//! | `Issue` | 期 | one issue of the office's periodical (期刊) |
//! | `Circulation` | 报/送/发 | who an issue goes to |
//! | `Priority` | 信息报送要点 | what leaders want to hear about in a period |
//! | `Instruction` | 领导批示 | a leader's written instruction on an item |
//! | `char_count` | 字数 | CJK characters and punctuation, not words |
//!
//! # Modules
//! - [`i18n`]: the one text layer: every user-facing string is a [`i18n::Text`] (zh + en).
//! - [`diff`]: character-level diff (Chinese-aware) between two texts.
//! - [`desk`]: search, filter and sort of items on a desk.
//! - [`item`]: the information item, its fields, parsing and validation.
//! - [`sync`]: the sync protocol messages (push mutations, pull changes).
//! - [`text`]: character counting and text helpers shared by the checks.
//! - [`api`]: the HTTP wire types shared by browser and server.
//! - [`role`]: the roles people have.
//! - [`unlock`]: the offline-unlock verifier for shared PCs.
//! - [`password`]: the password strength rule.
//! - [`review`]: the item's states after submission, the actions, who may take each.
//! - [`upward`]: 上报 — batches sent upward, where each item went, the statistics by level.
//! - [`signoff`]: sign-off chains — the office's levels, who holds them, which levels sign what.
//! - [`quality`]: the writing checks (四有, 三无, filler, style, duplicates).
//! - [`periodical`]: issues of the periodical: masthead, numbers, items, who composes and reads.
//! - [`commissions`]: commissions and reporting priorities, and who answered them in time.
//! - [`urgent`]: urgent reports: the elements they carry, their deadline, the 初报→续报→终报 thread.
//! - [`alerts`]: the desk's notices (returned items, commissions, deadlines, instructions).
//! - [`home`]: the information section's home page (what waits, urgent items, the week's commissions, quotas, instructions).
//! - [`scores`]: adoptions, leader instructions and the scoring table → point events, tallies, rankings.

pub mod alerts;
pub mod api;
pub mod autosave;
pub mod commissions;
pub mod desk;
pub mod diff;
pub mod home;
pub mod i18n;
pub mod item;
pub mod password;
pub mod periodical;
pub mod quality;
pub mod review;
pub mod role;
pub mod round;
pub mod scores;
pub mod setup;
pub mod sheet;
pub mod signoff;
pub mod sync;
pub mod text;
pub mod unlock;
pub mod upward;
pub mod urgent;
