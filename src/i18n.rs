//! The UI's strings and the language signal. Every string on screen is a `Text` from here or
//! from `xinbao_core` (errors, labels): Chinese first, English beside it, switchable and
//! remembered in localStorage.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
pub use xinbao_core::i18n::{Lang, Text};

const LANG_KEY: &str = "xinbao.lang";

/// The current language, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The language remembered in this browser, Chinese by default.
    pub fn load() -> I18n {
        let lang = LocalStorage::get::<String>(LANG_KEY).map(|t| Lang::from_tag(&t)).unwrap_or_default();
        set_document_lang(lang);
        I18n { lang: RwSignal::new(lang) }
    }

    /// The text in the current language (reactive: re-read when the language changes).
    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang.get())
    }

    pub fn set(&self, lang: Lang) {
        let _ = LocalStorage::set(LANG_KEY, lang.tag());
        set_document_lang(lang);
        self.lang.set(lang);
    }
}

fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The context's `I18n`; the shell always provides it.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(I18n::load)
}

/// Strings of the UI shell and pages.
pub mod ui {
    use super::Text;
    use xinbao_core::desk::SortKey;

    /// What an import left out: damaged photos, photos over a draft's nine, drafts twice in the
    /// file.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct ImportLeftOut {
        pub bad_photos: usize,
        pub over_cap: usize,
        pub twice_in_file: usize,
    }

    /// "已导入 N 篇稿件、M 张照片；K 篇本机已有，未重复导入。" — and what was left out, and why.
    pub fn imported(lang: super::Lang, drafts: usize, photos: usize, already: usize, left_out: ImportLeftOut) -> String {
        let r = left_out;
        let mut out = match lang {
            super::Lang::Zh => format!("已导入 {drafts} 篇稿件、{photos} 张照片；{already} 篇本机已有，未重复导入。"),
            super::Lang::En => {
                format!("Imported {drafts} drafts and {photos} photos; {already} were already here and were not duplicated.")
            }
        };
        if r.bad_photos > 0 {
            out.push_str(&match lang {
                super::Lang::Zh => format!("有 {} 张照片已损坏，未导入。", r.bad_photos),
                super::Lang::En => format!(" {} damaged photos were left out.", r.bad_photos),
            });
        }
        if r.over_cap > 0 {
            out.push_str(&match lang {
                super::Lang::Zh => format!("有 {} 张照片超出每篇9张的上限，未导入。", r.over_cap),
                super::Lang::En => format!(" {} photos beyond the 9 a draft may hold were left out.", r.over_cap),
            });
        }
        if r.twice_in_file > 0 {
            out.push_str(&match lang {
                super::Lang::Zh => format!("文件中有 {} 篇稿件重复出现，只导入了第一份。", r.twice_in_file),
                super::Lang::En => format!(" {} drafts appear twice in the file; only the first was imported.", r.twice_in_file),
            });
        }
        out
    }

    /// "本机还有 N 项待发送的修改、M 张照片也会一并清除。"
    pub fn forget_counts(lang: super::Lang, queued: u32, photos: u32) -> String {
        match lang {
            super::Lang::Zh => format!("本机还有 {queued} 项待发送的修改和 {photos} 张照片，也会一并清除。"),
            super::Lang::En => format!("{queued} queued changes and {photos} photos on this PC would go too."),
        }
    }

    pub fn sort_label(k: SortKey) -> Text {
        match k {
            SortKey::Updated => Text::new("按修改时间", "Last changed"),
            SortKey::Created => Text::new("按创建时间", "Created"),
            SortKey::Title => Text::new("按标题", "Title"),
            SortKey::Length => Text::new("按字数", "Length"),
        }
    }

    pub const APP_NAME: Text = Text::new("信报", "Xinbao");
    pub const APP_TAGLINE: Text = Text::new("政务信息报送", "Government information reporting");
    pub const SWITCH_LANG: Text = Text::new("English", "中文");
    pub const USERNAME: Text = Text::new("用户名", "User name");
    pub const PASSWORD: Text = Text::new("密码", "Password");
    pub const LOG_IN: Text = Text::new("登录", "Log in");
    pub const LOGGING_IN: Text = Text::new("正在登录…", "Logging in…");
    pub const LOG_OUT: Text = Text::new("退出登录", "Log out");
    pub const FILL_CREDENTIALS: Text = Text::new("请输入用户名和密码", "Enter your user name and password");
    pub const NETWORK_DOWN: Text =
        Text::new("无法连接服务器，请检查网络后重试", "Cannot reach the server; check the network and try again");
    pub const MY_DRAFTS: Text = Text::new("我的稿件", "My items");
    pub const NEW_DRAFT: Text = Text::new("新建稿件", "New item");
    pub const NO_DRAFTS: Text = Text::new("还没有稿件。点“新建稿件”开始写第一篇。", "No items yet. Press “New item” to write the first.");
    pub const UNTITLED: Text = Text::new("（无标题）", "(untitled)");
    pub const TITLE: Text = Text::new("标题", "Title");
    pub const BODY: Text = Text::new("正文", "Body");
    pub const TITLE_PLACEHOLDER: Text = Text::new("单位或地点 + 事件，如：兰州湾镇遭受冰雹灾害", "Unit or place + event");
    pub const BODY_PLACEHOLDER: Text =
        Text::new("写清时间、地点、事件、数据、原因和建议", "Say when, where, what, with figures, causes and proposals");
    pub const CHAR_COUNT: Text = Text::new("字数", "Characters");
    pub const UPDATED: Text = Text::new("修改于", "Updated");
    pub const BACK_TO_DESK: Text = Text::new("返回稿件列表", "Back to my items");
    pub const SAVED_AT: Text = Text::new("已保存", "Saved");
    pub const SAVING: Text = Text::new("保存中…", "Saving…");
    pub const UNSAVED: Text = Text::new("未保存", "Not saved yet");
    pub const SAVE_FAILED: Text = Text::new("保存失败", "Save failed");
    pub const STORAGE_FAILED: Text = Text::new(
        "无法在本机保存稿件（浏览器存储不可用）。请不要关闭页面，先复制正文备份。",
        "Cannot save on this device (browser storage unavailable). Keep this page open and copy your text.",
    );
    pub const LOADING: Text = Text::new("正在加载…", "Loading…");
    pub const NOT_FOUND: Text = Text::new("页面不存在", "Page not found");
    pub const PAGE_NOT_LOADED: Text = Text::new(
        "这一页还没有下载到本机，连网后才能打开。已保存的稿件不受影响。",
        "This page has not been downloaded to this device yet; it opens once the network is back. Saved drafts are not affected.",
    );
    pub const TRY_AGAIN: Text = Text::new("重试", "Try again");
    pub const CHANGE_PASSWORD: Text = Text::new("修改密码", "Change password");
    pub const CHANGE_PASSWORD_WHY: Text =
        Text::new("当前密码是一次性密码，请先设置您自己的密码。", "Your password is a one-time password; set your own first.");
    pub const CURRENT_PASSWORD: Text = Text::new("当前密码", "Current password");
    pub const NEW_PASSWORD: Text = Text::new("新密码", "New password");
    pub const REPEAT_PASSWORD: Text = Text::new("再次输入新密码", "Repeat the new password");
    pub const PASSWORD_RULE: Text = Text::new(
        "至少10个字符，包含字母、数字、符号中的两类，不含用户名。",
        "At least 10 characters, two kinds of letters/digits/symbols, not the user name.",
    );
    pub const PASSWORDS_DIFFER: Text = Text::new("两次输入的新密码不一致", "The two new passwords differ");
    pub const SAVE_PASSWORD: Text = Text::new("保存新密码", "Save the new password");
    pub const UPDATE_READY: Text = Text::new("信报有新版本。", "A new version of Xinbao is ready.");
    pub const UPDATE: Text = Text::new("更新", "Update");
    pub const UPDATING: Text = Text::new("正在切换到新版本…", "Switching to the new version…");
    pub const SCHEMA_CHANGED: Text = Text::new(
        "信报已在其他窗口升级了本机数据，请刷新本页后继续。",
        "Xinbao upgraded its local data in another window: reload this page to go on.",
    );
    pub const RELOAD: Text = Text::new("刷新", "Reload");
    pub const QUOTA_FULL: Text = Text::new(
        "本机存储空间已满，这次修改没有保存（之前保存的版本完好）。请不要关闭页面，导出或删除不需要的稿件后再试。",
        "This device's storage is full: this change was not saved (the previous version is intact). Keep the page open; export or delete drafts, then try again.",
    );
    pub const CONFLICT_SHORT: Text = Text::new("待处理：其他窗口已修改", "Waiting: changed in another window");
    pub const CONFLICT_OTHER_TAB: Text = Text::new(
        "此稿已在其他窗口修改。请选择保留哪个版本；未保留的版本会另存为一份副本，两边的文字都不会丢失。",
        "This draft was changed in another window. Choose which version to keep; the other is saved as a copy, so no text is lost.",
    );
    pub const KEEP_MINE: Text = Text::new("保留本窗口的版本", "Keep this window's version");
    pub const TAKE_THEIRS: Text = Text::new("采用其他窗口的版本", "Use the other window's version");
    pub const COPY_OTHER_TAB: Text = Text::new("（其他窗口的版本）", " (other window's version)");
    pub const COPY_THIS_TAB: Text = Text::new("（本窗口的版本）", " (this window's version)");
    pub const SAVED_OTHER_AS_COPY: Text =
        Text::new("已保留本窗口的版本，其他窗口的版本已另存为副本。", "Kept this version; the other window's is saved as a copy.");
    pub const SAVED_MINE_AS_COPY: Text =
        Text::new("已采用其他窗口的版本，本窗口的版本已另存为副本。", "Using the other version; this window's is saved as a copy.");
    pub const TOOK_OTHER_TAB: Text = Text::new("已载入其他窗口保存的修改。", "Loaded the changes saved in another window.");
    pub const FOCUS_TAGS: Text = Text::new("重点/亮点/热点/难点", "Focus");
    pub const EVENT_TIME: Text = Text::new("事发时间", "Event time");
    pub const REPORT_STAGE: Text = Text::new("报告阶段", "Report stage");
    pub const FOLLOWS: Text = Text::new("接续的上一次报告", "Follows the report");
    pub const FOLLOWS_NONE: Text = Text::new("（无，这是初报）", "(none: this is the first report)");
    pub const PHONE: Text = Text::new("联系电话", "Contact phone");
    pub const COMMISSION: Text = Text::new("所答约稿（可选）", "Answers commission (optional)");
    pub const READY_TO_SUBMIT: Text = Text::new("✓ 各项已齐全，可以报送", "✓ Complete: ready to submit");
    pub const BEFORE_SUBMIT: Text = Text::new("报送前还需：", "Before submitting:");
    pub const TRASH: Text = Text::new("回收站", "Trash");
    pub const BACK_TO_DRAFTS: Text = Text::new("返回稿件", "Back to drafts");
    pub const SEARCH: Text = Text::new("搜索", "Search");
    pub const SEARCH_HINT: Text = Text::new("搜索标题或正文", "Search titles and text");
    pub const ALL_TYPES: Text = Text::new("全部类型", "All types");
    pub const SORT: Text = Text::new("排序", "Sort");
    pub const COUNT_PREFIX: Text = Text::new("共", "Items:");
    pub const SHOW_MORE: Text = Text::new("显示更多", "Show more");
    pub const RESTORE: Text = Text::new("恢复", "Restore");
    pub const DAYS_UNTIL_PURGE: Text = Text::new("天后彻底删除", "days until removed for good");
    pub const DELETE: Text = Text::new("删除", "Delete");
    pub const IN_TRASH: Text =
        Text::new("此稿在回收站中，30天后彻底删除。", "This draft is in the trash; it is removed for good after 30 days.");
    pub const INSECURE_CONTEXT: Text = Text::new(
        "当前网址不是安全连接（http）：断网后将无法打开信报，多个标签页也不能协同发送（已写的稿件仍保存在本机）。请向管理员索取以 https:// 开头的地址。",
        "This address is not a secure connection (http): Xinbao will not open without the network, and tabs cannot coordinate sending (drafts are still kept on this PC). Ask the administrator for the https:// address.",
    );
    pub const NO_OFFLINE_SHELL: Text = Text::new(
        "此浏览器不支持离线打开（缺少 Service Worker 或 Web Locks）：断网后将无法打开信报。请使用新版 Chrome、Edge 或 360/QQ/搜狗浏览器的“极速模式”。",
        "This browser cannot open Xinbao offline (no service worker or Web Locks). Use a recent Chrome or Edge, or 360/QQ/Sogou in fast mode.",
    );
    pub const HANDOFF: Text = Text::new(
        "本服务器已启用安全连接（https）。这台电脑在当前的 http 地址还保存着稿件：登录后，未发送的稿件发送完毕，本页会自动转到安全地址。也可以现在就打开：",
        "This server now offers a secure connection (https). This PC still keeps drafts at this http address: once you log in and what is unsent has been sent, this page moves to the secure address by itself. Or open it now:",
    );
    pub const INSTALL_CA: Text = Text::new("安装单位证书", "Install the office certificate");
    pub const SHELL_REFUSED: Text = Text::new(
        "浏览器拒绝安装离线功能（多半是这台电脑还没有信任单位证书）：断网后将无法打开信报。请打开本服务器的 /ca 页面，按步骤安装单位证书后重新打开浏览器。",
        "The browser refused the offline shell (most likely this PC does not trust the office certificate yet): Xinbao will not open without the network. Open this server's /ca page, install the office certificate, and restart the browser.",
    );
    pub const NO_INDEXEDDB: Text = Text::new(
        "此浏览器不能在本机保存稿件（可能处于无痕/隐私模式）：关闭页面或断网会丢失未发送的内容。请用普通窗口打开。",
        "This browser cannot keep drafts on this PC (private mode?): closing the page or losing the network loses what was not sent. Open it in a normal window.",
    );
    pub const STORAGE_USED: Text = Text::new("本机存储已用", "Storage used on this device");
    pub const PERSIST_ON: Text = Text::new("已开启持久保存", "Persistent storage on");
    pub const PERSIST_OFF: Text = Text::new(
        "浏览器未允许持久保存：空间紧张时浏览器可能清除本地数据，请及时报送",
        "The browser did not grant persistent storage: under pressure it may clear local data, so send drafts soon",
    );
    pub const PERSIST_UNKNOWN: Text = Text::new("持久保存状态未知", "Persistent storage: unknown");
    pub const OFFLINE_WRONG_PASSWORD: Text =
        Text::new("无法连接服务器，离线验证密码不正确", "The server is out of reach and the password does not match this device's record");
    pub const OFFLINE_NEVER_HERE: Text = Text::new(
        "无法连接服务器。此账号尚未在本机联网登录过，暂不能离线登录",
        "The server is out of reach, and this account has never logged in online on this device",
    );
    pub const UNSENT_BEFORE: Text = Text::new("本机还有 ", "This device holds ");
    pub const UNSENT_AFTER: Text = Text::new(
        " 篇稿件的修改尚未发送到服务器。退出后它们仍保存在本机，只有您再次登录后才能看到和发送。",
        " items with changes the server does not have yet. They stay on this device after you log out; only you can see and send them when you log in again.",
    );
    pub const LOG_OUT_ANYWAY: Text = Text::new("仍然退出", "Log out anyway");
    pub const CANCEL: Text = Text::new("取消", "Cancel");
    pub const PHOTOS: Text = Text::new("现场照片", "Photos");
    pub const PHOTO_PROCESSING: Text = Text::new("正在压缩照片…", "Shrinking photos…");
    pub const PHOTO_NOT_IMAGE: Text = Text::new("只能添加图片文件", "Only image files can be added");
    pub const PHOTO_HEIC: Text = Text::new(
        "这是苹果手机的HEIC格式照片，浏览器无法读取：请在相机设置中改为“兼容性最佳”（JPEG），或先转换为JPEG再添加",
        "This is an iPhone HEIC photo, which browsers cannot read: set the camera to \"Most Compatible\" (JPEG), or convert it to JPEG first",
    );
    pub const PHOTO_TOO_MANY: Text = Text::new("每篇稿件最多9张照片", "At most 9 photos per item");
    pub const PHOTO_TOO_LARGE: Text = Text::new("照片总大小不能超过10MB", "Photos may total at most 10 MB");
    pub const REMOVE_PHOTO: Text = Text::new("删除照片", "Remove photo");
    pub const TRANSFER: Text = Text::new("导出 / 导入", "Export / import");
    pub const TRANSFER_WHY: Text = Text::new(
        "长时间没有网络时，可把未报送的稿件（含照片）导出到文件，用U盘带到其他电脑，用同一账号登录后导入。",
        "With no network for days, export unsent drafts (with photos) to a file, carry it on a USB stick, and import it on another computer under the same account.",
    );
    pub const EXPORT: Text = Text::new("导出未报送稿件", "Export unsent drafts");
    pub const IMPORT: Text = Text::new("从文件导入", "Import from a file");
    pub const EXPORTED_BEFORE: Text = Text::new("已导出 ", "Exported ");
    pub const EXPORTED_AFTER: Text = Text::new(" 篇稿件。", " drafts.");
    pub const NOT_AN_EXPORT: Text =
        Text::new("这不是信报导出的稿件文件，或文件已损坏", "This is not a Xinbao export file, or it is damaged");
    pub const OTHER_ACCOUNT_BEFORE: Text = Text::new("此文件属于账号“", "This file belongs to the account “");
    pub const OTHER_ACCOUNT_AFTER: Text = Text::new("”，请用该账号登录后导入", "”: log in as that account to import it");
    pub const LOADING_ALL: Text = Text::new("正在载入全部稿件…", "Loading all drafts…");
    pub const WRITING_ASSISTANT: Text = Text::new("写作提示", "Writing assistant");
    pub const MORE_HINTS: Text = Text::new("更多提示", "More hints");

    // Sync: the badge, the button, the receipts, submitting and server conflicts.
    pub const ONLINE: Text = Text::new("在线", "Online");
    pub const OFFLINE: Text = Text::new("离线", "Offline");
    pub const CHECKING: Text = Text::new("连接中", "Connecting");
    pub const SYNC_NOW: Text = Text::new("立即同步", "Sync now");
    pub const PENDING_PREFIX: Text = Text::new("待发送", "To send");
    pub const SENDING_PREFIX: Text = Text::new("正在报送", "Sending");
    pub const LAST_SYNC: Text = Text::new("上次同步", "Last sync");
    pub const NEVER_SYNCED: Text = Text::new("尚未同步", "Not synced yet");
    pub const SYNC_OFFLINE: Text = Text::new(
        "连不上服务器，稿件已安全保存在本机，恢复连接后自动发送",
        "Cannot reach the server; your items are safe here and go out when the connection returns",
    );
    pub const SYNC_SERVER_TROUBLE: Text =
        Text::new("服务器暂时无法处理，稍后自动重试", "The server could not take it just now; retrying shortly");
    pub const SYNC_NEED_LOGIN: Text = Text::new(
        "登录已过期，请输入密码后继续同步（稿件不会丢失）",
        "Your session expired; enter your password to go on syncing (nothing is lost)",
    );
    pub const STORAGE_FULL: Text = Text::new("本机存储空间已满，请清理后重试", "This device's storage is full; free some space and retry");
    pub const TOO_LARGE_TO_SEND: Text =
        Text::new("这篇稿件太大，服务器无法接收，请删减内容后重新保存", "This item is too large for the server; shorten it and save again");
    pub const WENT_BACK: Text = Text::new(
        "这台电脑似乎在重启时会还原磁盘（还原卡、冰点还原等）或使用了复制来的浏览器资料：关机前请务必把稿件发送出去（或导出到U盘），否则重启后会丢失。",
        "This PC seems to restore its disk at restart (a restore card or freeze software) or uses a copied browser profile: send (or export) your items before shutting down, or they are lost at the next restart.",
    );
    pub const LOGIN_RECORD_CLEARED: Text = Text::new(
        "这台电脑浏览器里的登录记录被清除过；本机数据库里的稿件已用您的密码重新打开，没有丢失。",
        "This browser's login record was cleared; the drafts in this PC's database were opened again with your password — nothing was lost.",
    );
    pub const DATABASE_CLEARED: Text = Text::new(
        "这台电脑浏览器里的离线数据被清除过：已重新登记本机，已发送到服务器的稿件正在取回。",
        "This browser's offline data was cleared: this PC was registered afresh, and everything the server holds is coming back.",
    );
    pub const DATABASE_CLEARED_LOST: Text = Text::new(
        "清除前尚未发送、无法找回的稿件（按上次同步统计）：",
        "Items not yet sent before the clearing, which cannot be recovered (as last counted): ",
    );
    pub const TAKEN_OVER: Text = Text::new(
        "信报已在另一个窗口更新到新版本：正在保存这里的内容并重新载入…",
        "Xinbao was updated in another window: saving what is here and reloading…",
    );
    pub const STASHED_FOR_RELOAD: Text = Text::new(
        "本机数据库已被另一个窗口升级：刚才输入的内容已暂存在本窗口，重新载入后自动恢复。",
        "Another window upgraded this PC's database: what you just typed is kept in this window and comes back after the reload.",
    );
    pub const RESTORED_FROM_STASH: Text = Text::new("已恢复重新载入前输入的内容。", "What you typed before the reload was restored.");
    pub const DISMISS: Text = Text::new("知道了", "OK");
    pub const WENT_BACK_UNSENT: Text = Text::new("本机还有未发送的稿件：", "Unsent items on this PC: ");
    pub const CONTINUE: Text = Text::new("继续", "Continue");
    pub const RECEIPTS: Text = Text::new("回执", "Receipts");
    pub const RECEIPTS_WHY: Text = Text::new(
        "服务器确认收到的每一次提交都记录在这里，可据此核对稿件是否送达。",
        "Every change the server acknowledged is listed here: check whether an item arrived.",
    );
    pub const NO_RECEIPTS: Text = Text::new("还没有回执", "No receipts yet");
    pub const OP_SAVE: Text = Text::new("保存草稿", "Draft saved");
    pub const OP_SUBMIT: Text = Text::new("报送", "Submitted");
    pub const OP_DELETE: Text = Text::new("删除", "Deleted");
    pub const OUTCOME_APPLIED: Text = Text::new("已接收", "Received");
    pub const OUTCOME_CONFLICT: Text = Text::new("冲突（双方版本均已保留）", "Conflict (both versions kept)");
    pub const OUTCOME_REJECTED: Text = Text::new("被拒绝", "Refused");
    pub const REVISION: Text = Text::new("版本", "revision");
    pub const SUBMIT: Text = Text::new("报送", "Submit");
    pub const WITHDRAW_SUBMIT: Text = Text::new("撤回报送", "Withdraw");
    pub const SUBMIT_PENDING: Text = Text::new(
        "已提交报送，等待发送到服务器。发送前可以撤回。",
        "Submitted here; waiting to reach the server. You can withdraw it until then.",
    );
    pub const SUBMITTED_LOCKED: Text = Text::new(
        "已报送，由信息科处理；如需修改请等待退回。",
        "Submitted: the information section has it now; wait for it to be returned to change it.",
    );
    pub const FAILED_PREFIX: Text = Text::new("未被接收：", "Not accepted: ");
    pub const SERVER_CONFLICT: Text = Text::new(
        "这篇稿件在服务器上已被修改（另一台设备或信息科），而您在本机也改过。两个版本都保存着，请选择：",
        "This item was changed on the server (another device or the information section) while you edited it here. Both versions are kept; choose:",
    );
    pub const SERVER_VERSION: Text = Text::new("服务器版本", "Server version");
    pub const MY_VERSION: Text = Text::new("本机版本", "This device's version");
    pub const KEEP_MINE_ON_TOP: Text = Text::new("保留我的版本", "Keep mine");
    pub const TAKE_SERVER: Text = Text::new("采用服务器版本", "Take the server's");
    pub const MERGE_BY_HAND: Text = Text::new("手动合并", "Merge by hand");
    pub const MERGE_DONE: Text = Text::new("合并完成，以本机内容为准", "Done merging: keep what is here");
    pub const MERGE_HINT: Text = Text::new(
        "对照上方差异修改本机内容，完成后点击“合并完成”。",
        "Edit the text here using the differences above, then press “Done merging”.",
    );
    pub const COPY_MINE_BEFORE_SERVER: Text = Text::new("（本机版本）", " (this device's version)");
    pub const TOOK_SERVER: Text =
        Text::new("已采用服务器版本；您的版本已另存为副本。", "Took the server's version; yours was saved as a copy.");
    pub const KEPT_MINE: Text = Text::new(
        "已保留您的版本，将在服务器版本之上保存；服务器版本仍保留在历史中。",
        "Kept yours; it goes on top of the server's, which stays in the history.",
    );
    pub const KEPT_MINE_AS_COPY: Text = Text::new(
        "这篇稿件已在别处报送，不能再用本机的版本覆盖：本机的版本已另存为副本，这里显示服务器上的版本。",
        "This item was submitted elsewhere and cannot be overwritten: your version was kept as a copy, and the server's is shown here.",
    );
    pub const TOOK_SERVER_UPDATE: Text = Text::new("已载入服务器上的新版本。", "Loaded the newer version from the server.");
    // Review.
    pub const RETURNED_PREFIX: Text = Text::new("退回理由：", "Returned: ");
    pub const REVIEW_DESK: Text = Text::new("审核台", "Review desk");
    // The section's home page and urgent announcements.
    pub const HOME: Text = Text::new("工作台", "Home");
    pub const HOME_WAITING: Text = Text::new("待处理稿件", "Items waiting");
    pub const HOME_URGENT: Text = Text::new("未办结的紧急信息", "Open urgent items");
    pub const HOME_NO_URGENT: Text = Text::new("没有未办结的紧急信息", "No open urgent items");
    pub const HOME_COMMISSIONS: Text = Text::new("本周到期的约稿", "Commissions due this week");
    pub const HOME_NO_COMMISSIONS: Text = Text::new("本周没有到期的约稿", "No commission falls due this week");
    pub const HOME_NOT_ANSWERED: Text = Text::new("未报送：", "Not answered: ");
    pub const HOME_ALL_ANSWERED: Text = Text::new("均已报送", "All answered");
    pub const HOME_DEADLINE: Text = Text::new("截止", "Due");
    pub const HOME_BEHIND: Text = Text::new("未完成本月定额的单位", "Units behind this month's quota");
    pub const HOME_NONE_BEHIND: Text =
        Text::new("各单位均已完成本月定额（或未设定额）", "Every unit has met this month's quota (or has none)");
    pub const HOME_INSTRUCTIONS: Text = Text::new("待反馈的领导批示", "Instructions awaiting feedback");
    pub const HOME_NO_INSTRUCTIONS: Text = Text::new("没有待反馈的批示", "No instruction awaits feedback");
    pub const HOME_MORE: Text = Text::new("共", "In all: ");
    pub const HOME_OFFLINE: Text =
        Text::new("离线：显示的是上次联网时的工作台，时间：", "Offline: the home page as of the last connection, at ");
    pub const HOME_UNAVAILABLE: Text =
        Text::new("工作台需要联网才能显示（本机还没有保存过）", "The home page needs a connection (none kept on this device yet)");
    pub const NOTIFY_ASK: Text = Text::new("有紧急信息时弹出系统通知", "Show a system notification for urgent items");
    pub const NOTIFY_ON: Text = Text::new("已开启系统通知", "System notifications are on");
    pub const NOTIFY_DENIED: Text = Text::new(
        "系统通知已被浏览器禁止，可在浏览器设置中允许；新紧急信息仍会显示在标题和页面顶部",
        "Notifications are blocked by the browser (allow them in its settings); urgent items still show in the title and at the top",
    );
    pub const NOTIFY_UNAVAILABLE: Text = Text::new(
        "此浏览器或此地址（非 https）不能弹出系统通知；新紧急信息会显示在标题和页面顶部",
        "This browser or address (not https) cannot show notifications; urgent items show in the title and at the top",
    );
    pub const URGENT_ARRIVED: Text = Text::new("新到紧急信息", "New urgent item");
    pub const URGENT_ARRIVED_COUNT: Text = Text::new("条新到紧急信息", "new urgent item(s)");
    pub const URGENT_SEE: Text = Text::new("查看", "View");
    pub const REVIEW_EMPTY: Text = Text::new("没有待处理的稿件", "Nothing to review");
    pub const QUEUE_OFFLINE: Text = Text::new(
        "离线：显示的是本机保存的稿件（本机打开、处理过的和已同步的待处理稿件），联网后显示全部",
        "Offline: showing the items this device holds (those opened or acted on here, and the waiting ones synced); all of them once online",
    );
    pub const QUEUE_LOCAL_FILTER: Text = Text::new(
        "按重点标签（或仅知名称的单位）筛选时，只查找本机保存的稿件",
        "Filtering by focus tag (or by a unit known only by name) searches this device's items only",
    );
    pub const ITEM_NOT_HERE: Text =
        Text::new("这篇稿件不在本机上，联网后才能打开", "This item is not on this device: it opens once online");
    pub const SORT_WAITING: Text = Text::new("紧急在前，等待最久在前", "Urgent first, then longest waiting");
    pub const SORT_RECENT: Text = Text::new("最近更新在前", "Latest changed first");
    pub const PAGE_SIZE: Text = Text::new("每页条数", "Page size");
    pub const PER_PAGE: Text = Text::new("条/页", "a page");
    pub const PREV_PAGE: Text = Text::new("上一页", "Previous");
    pub const NEXT_PAGE: Text = Text::new("下一页", "Next");
    pub const ALL_STATES: Text = Text::new("全部状态", "All states");
    pub const COMMENTS: Text = Text::new("评论", "Comments");
    pub const ADD_COMMENT: Text = Text::new("发表评论", "Add comment");
    pub const COMMENT_PENDING: Text = Text::new("（待发送）", " (to send)");
    pub const NOTE: Text = Text::new("理由 / 说明", "Reason / note");
    pub const AUTHOR_ORIGINAL: Text = Text::new("作者报送稿", "Author's submission");
    pub const CURRENT_TEXT: Text = Text::new("当前稿", "Current text");
    pub const REVISIONS_OFFLINE: Text = Text::new("离线时看不到修改记录", "Revisions need a connection");
    pub const ACTION_QUEUED: Text = Text::new("操作已记录，正在发送…", "Recorded; sending…");
    pub const FROM: Text = Text::new("来自", "From");
    pub const SIGN_FOR: Text = Text::new("用于", "For");
    pub const UPWARD: Text = Text::new("上报", "Upward");
    pub const UPWARD_NEW: Text = Text::new("新的上报", "Send up");
    pub const UPWARD_DESTINATION: Text = Text::new("上报去向", "Destination");
    pub const UPWARD_OTHER: Text = Text::new("其他去向…", "Another destination…");
    pub const UPWARD_OTHER_NAME: Text = Text::new("去向名称（如《每日要情》）", "Destination's name");
    pub const UPWARD_METHOD: Text = Text::new("报送方式", "How");
    pub const UPWARD_DATE: Text = Text::new("报送日期（默认今天）", "Sent on (default today)");
    pub const UPWARD_NOTE: Text = Text::new("备注", "Note");
    pub const UPWARD_SEND: Text = Text::new("上报所选稿件", "Send the chosen items up");
    pub const UPWARD_SIGNED: Text = Text::new("可上报的已签发稿件", "Signed items to send");
    pub const UPWARD_NONE_SIGNED: Text = Text::new("没有已签发的稿件", "No signed items");
    pub const UPWARD_URGENT_ALONE: Text = Text::new("紧急信息须单独上报", "An urgent item goes up on its own");
    pub const UPWARD_SENT: Text = Text::new("已上报", "Sent up");
    pub const UPWARD_LIST: Text = Text::new("上报记录", "Sent up");
    pub const UPWARD_NONE_SENT: Text = Text::new("还没有上报记录", "Nothing sent up yet");
    pub const UPWARD_STATS: Text = Text::new("上报统计", "Statistics");
    pub const UPWARD_MONTH: Text = Text::new("月份", "Month");
    pub const UPWARD_YEAR: Text = Text::new("全年", "Year");
    pub const UPWARD_LEVEL: Text = Text::new("级别", "Level");
    pub const UPWARD_SENT_COUNT: Text = Text::new("上报数", "Sent");
    pub const UPWARD_ADOPTED_COUNT: Text = Text::new("上级采用数", "Adopted above");
    pub const UPWARD_RATE: Text = Text::new("采用率", "Rate");
    pub const UPWARD_ADOPTED: Text = Text::new("已采用", "Adopted");
    pub const UPWARD_RECORD_ADOPTION: Text = Text::new("记录采用", "Record adoption");
    pub const UPWARD_THERE: Text = Text::new("上级", "There");
    pub const SERVER_CHECKS: Text = Text::new("报送时检查：", "Checked at submission: ");
    pub const UPWARD_LINK_WAITING: Text = Text::new("篇等待发出", "waiting to go");
    pub const UPWARD_LINKED: Text =
        Text::new("已与上级信报连接，系统报送的稿件将直接送达", "Connected: items sent by system go straight there");
    pub const LINKS_HEAD: Text = Text::new("上级信报连接", "Connections to upper offices' Xinbao");
    pub const LINKS_HINT: Text = Text::new(
        "上级单位也使用信报时，填写上级给本单位的系统账号。以“系统报送”上报的稿件会自动送达上级，上级的采用、批示和意见自动回传并计分。",
        "When the upper office runs Xinbao too, enter the account it gave this office. Items sent by system go there by themselves; its adoptions, instructions and comments come back and score here.",
    );
    pub const LINK_DESTINATION: Text = Text::new("上报去向", "Destination");
    pub const LINK_URL: Text = Text::new("上级信报地址", "Its address");
    pub const LINK_USER: Text = Text::new("本单位在上级的账号", "This office's account there");
    pub const LINK_PASSWORD: Text = Text::new("密码", "Password");
    pub const LINK_CA: Text =
        Text::new("上级单位证书（https 自建证书时粘贴，可不填）", "Its certificate (PEM, for https with its own CA; optional)");
    pub const LINK_SAVE: Text = Text::new("测试并连接", "Test and connect");
    pub const LINK_SAVED: Text = Text::new("已连接：登录上级信报成功", "Connected: logged in there");
    pub const LINK_LAST_CONTACT: Text = Text::new("最近联系", "Last contact");
    pub const LINK_NEVER: Text = Text::new("尚未联系", "Not yet");
    pub const UPWARD_WORD: Text = Text::new("本批报送单（Word）", "This batch as Word");
    pub const UPWARD_DONE: Text = Text::new("已记录上报", "Recorded");
    pub const IMPORTANT: Text = Text::new("重要信息", "Important");
    pub const SIGNING_PROGRESS: Text = Text::new("签发进度", "Sign-off");
    pub const WAITS_FOR_OTHER_LEVEL: Text = Text::new("正在等待其他层级签发", "Waiting for another signing level");
    pub const SIGNING_SETUP: Text = Text::new("签发层级", "Signing levels");
    pub const SIGNING_SETUP_HINT: Text = Text::new(
        "按职级从低到高列出签发层级及其签发人；规则从上到下，第一条符合的决定由哪些层级依次签发（没有符合的规则时，任一签发人签发一次）。",
        "List the levels junior first, with their signers; rules are read top down and the first that matches decides which levels sign, in order (none matching: any signer signs once).",
    );
    pub const LEVEL_NAME: Text = Text::new("层级名称", "Level name");
    pub const ADD_LEVEL: Text = Text::new("添加层级", "Add level");
    pub const ADD_RULE: Text = Text::new("添加规则", "Add rule");
    pub const DELETE_ROW: Text = Text::new("删除", "Remove");
    pub const ANY: Text = Text::new("任意", "Any");
    pub const YES: Text = Text::new("是", "Yes");
    pub const NO: Text = Text::new("否", "No");
    pub const ITEM_TYPE: Text = Text::new("信息类型", "Type");
    pub const REVIEW_KEYS: Text = Text::new(
        "快捷键：j/k 上下移动，Enter 打开，x 勾选，s 受理所勾选（或当前）稿件",
        "Keys: j/k move, Enter opens, x marks, s takes in the marked (or current) items",
    );
    pub const MARK: Text = Text::new("勾选", "Mark");
    pub const BULK_SCREEN: Text = Text::new("批量受理", "Take in marked");
    // Administration.
    pub const ADMIN: Text = Text::new("系统管理", "Administration");
    pub const ACCOUNTS: Text = Text::new("账号", "Accounts");
    pub const UNITS: Text = Text::new("单位", "Units");
    pub const ROLE: Text = Text::new("角色", "Role");
    pub const UNIT: Text = Text::new("单位", "Unit");
    pub const DISABLED: Text = Text::new("已停用", "Disabled");
    pub const DISABLE: Text = Text::new("停用", "Disable");
    pub const ENABLE: Text = Text::new("启用", "Enable");
    pub const RESET_PASSWORD: Text = Text::new("重置密码", "Reset password");
    pub const DISPLAY_NAME: Text = Text::new("姓名", "Name");
    pub const CHOOSE_UNIT: Text = Text::new("选择单位", "Choose a unit");
    pub const CREATE_ACCOUNT: Text = Text::new("新建账号", "Create account");
    pub const ONE_TIME_PASSWORD_FOR: Text =
        Text::new("一次性密码（只显示这一次，首次登录后须修改）", "One-time password (shown once; to be changed at first login) for ");
    pub const SAVED_ACCOUNT: Text = Text::new("已保存账号 ", "Saved account ");
    pub const SAVED_UNIT: Text = Text::new("已保存单位 ", "Saved unit ");
    pub const MOVE_UNDER: Text = Text::new("移到", "Move under");
    pub const UNIT_NAME: Text = Text::new("单位名称", "Unit name");
    pub const PARENT_UNIT: Text = Text::new("上级单位", "Parent unit");
    pub const KIND_TOWNSHIP: Text = Text::new("乡镇", "Township");
    pub const KIND_DEPARTMENT: Text = Text::new("部门", "Department");
    pub const KIND_OFFICE: Text = Text::new("审核机关（政府办）", "Reviewing office");
    pub const ADD_UNIT: Text = Text::new("新建单位", "Add unit");
    // Importing a county from a spreadsheet.
    pub const IMPORT_HEAD: Text = Text::new("批量导入单位和账号", "Import units and accounts");
    pub const IMPORT_HELP: Text = Text::new(
        "下载模板，在“单位”和“账号”两个工作表中逐行填写，然后选择文件先“检查”再“导入”。有任何一行不通过就全部不导入。",
        "Download the template, fill in its two sheets, then choose the file, check it and import it. If any row fails, nothing is imported.",
    );
    pub const DOWNLOAD_TEMPLATE: Text = Text::new("下载模板（Excel）", "Download the template (Excel)");
    pub const IMPORT_FILE: Text = Text::new("填好的文件", "The filled-in file");
    pub const IMPORT_CHECK: Text = Text::new("检查", "Check");
    pub const IMPORT_RUN: Text = Text::new("导入", "Import");
    pub const IMPORT_NO_FILE: Text = Text::new("请先选择填好的 Excel 文件", "Choose the filled-in Excel file first");
    pub const IMPORT_FAILED: Text = Text::new(
        "未导入任何内容。请按下列各行修改后重新选择文件：",
        "Nothing was imported. Correct these rows and choose the file again:",
    );
    pub const IMPORT_ROW: Text = Text::new("第{}行", "row {}");
    pub const IMPORT_CHECKED: Text = Text::new("检查通过，可以导入：新建单位 ", "All rows pass; importing creates units: ");
    pub const IMPORT_DONE: Text = Text::new("已导入：新建单位 ", "Imported: new units ");
    pub const IMPORT_ACCOUNTS: Text = Text::new("，新建账号 ", ", new accounts ");
    pub const PASSWORDS_HEAD: Text = Text::new(
        "新账号一次性密码（只显示这一次：请打印或下载后分发给本人，首次登录须修改）",
        "One-time passwords of the new accounts (shown once: print or download them and hand them out; each is changed at first login)",
    );
    pub const DOWNLOAD_PASSWORDS: Text = Text::new("下载密码表（Excel）", "Download the passwords (Excel)");
    pub const PASSWORD_COLUMN: Text = Text::new("一次性密码", "One-time password");
    pub const AUDIT: Text = Text::new("操作记录", "Audit trail");
    pub const AUDIT_ACTION: Text = Text::new("操作（如 login、review:）", "Action (e.g. login, review:)");
    pub const AUDIT_SUBJECT: Text = Text::new("对象（稿件编号、用户名）", "Subject (item id, user name)");
    pub const AUDIT_ACTOR: Text = Text::new("操作人", "Actor");
    pub const EXPORT_CSV: Text = Text::new("导出CSV", "Export CSV");
    pub const ALL_UNITS: Text = Text::new("全部单位", "All units");
    pub const ALL_TAGS: Text = Text::new("全部标签", "All tags");
    pub const SINCE: Text = Text::new("起始日期", "Since");
    pub const SETTINGS: Text = Text::new("时限设置", "Deadlines");
    pub const URGENT_MINUTES: Text =
        Text::new("紧急信息书面报告时限（分钟，自事发起算）", "Urgent items: written report due within (minutes after the event)");
    pub const MINUTES_NUMBER: Text = Text::new("请填写分钟数", "Enter a number of minutes");
    pub const SETTINGS_SAVED: Text = Text::new("已保存", "Saved");
    pub const SAVE: Text = Text::new("保存", "Save");
    // Scores.
    pub const SCORES: Text = Text::new("积分排名", "Scores");
    pub const THIS_MONTH: Text = Text::new("本月", "This month");
    pub const THIS_QUARTER: Text = Text::new("本季度", "This quarter");
    pub const THIS_YEAR: Text = Text::new("本年", "This year");
    pub const DATE_FROM: Text = Text::new("起", "From");
    pub const DATE_TO: Text = Text::new("止", "To");
    pub const BY_UNIT: Text = Text::new("按单位", "By unit");
    pub const BY_PERSON: Text = Text::new("按个人", "By person");
    pub const RANK: Text = Text::new("排名", "Rank");
    pub const NAME: Text = Text::new("名称", "Name");
    pub const GROUP: Text = Text::new("类别 / 单位", "Class / unit");
    pub const SUBMITTED_N: Text = Text::new("报送数", "Submitted");
    pub const ADOPTED_N: Text = Text::new("采用数", "Adopted");
    pub const ADOPTION_RATE: Text = Text::new("采用率", "Adoption rate");
    pub const TOTAL_POINTS: Text = Text::new("总分", "Points");
    pub const TOTAL: Text = Text::new("合计", "Total");
    pub const UNIT_ONLY: Text = Text::new("单位扣分", "Unit penalties");
    pub const UNIT_ONLY_NOTE: Text = Text::new("约稿未报等，不计入个人", "Missed commissions: no one person's");
    pub const QUOTA: Text = Text::new("定额", "Quota");
    pub const QUOTA_MET: Text = Text::new("完成", "met");
    pub const QUOTA_MISSED: Text = Text::new("未完成", "not met");
    pub const LOW: Text = Text::new("偏低", "low");
    pub const UNDER_FLOOR: Text = Text::new("采用率偏低", "Low adoption rate");
    pub const DRILL_DOWN: Text = Text::new("得分明细", "Where the points come from");
    pub const RULE: Text = Text::new("计分项目", "Rule");
    pub const POINTS: Text = Text::new("分值", "Points");
    pub const ITEM: Text = Text::new("稿件", "Item");
    pub const DATE: Text = Text::new("日期", "Date");
    pub const CACHED_SCORES: Text = Text::new("离线：显示上次同步时的积分", "Offline: scores as of the last sync");
    pub const MY_UNIT_MONTH: Text = Text::new("本单位本月", "My unit this month");
    pub const ME_MONTH: Text = Text::new("我本月", "Me this month");
    pub const ADOPTIONS: Text = Text::new("采用与批示", "Adoptions and instructions");
    pub const RECORD_ADOPTION: Text = Text::new("登记采用", "Record adoption");
    pub const PUBLICATION: Text = Text::new("刊物", "Publication");
    pub const FORM: Text = Text::new("采用形式", "Form");
    pub const ISSUE_NO: Text = Text::new("期号（如 2026年第12期）", "Issue (e.g. 2026年第12期)");
    pub const COMBINED_WITH: Text = Text::new("合编的其他稿件（综合采用）", "Other items combined (combined form)");
    pub const RECORD_INSTRUCTION: Text = Text::new("登记领导批示", "Record leader instruction");
    pub const LEADER_LEVEL: Text = Text::new("领导级别", "Leader level");
    pub const LEADER: Text = Text::new("批示领导", "Leader");
    pub const INSTRUCTION_TEXT: Text = Text::new("批示内容", "Instruction");
    pub const FEEDBACK_PENDING: Text = Text::new("待反馈", "Feedback pending");
    pub const FEEDBACK_DONE: Text = Text::new("已反馈", "Feedback given");
    pub const GIVE_FEEDBACK: Text = Text::new("登记反馈", "Record feedback");
    pub const RECORDED: Text = Text::new("已登记", "Recorded");
    pub const NEEDS_CONNECTION: Text = Text::new("需要联网", "Needs a connection");
    pub const SHOWN: Text = Text::new("已显示", "Shown");
    pub const MORE: Text = Text::new("显示更多", "Show more");
    pub const TREND: Text = Text::new("逐月走势", "Month by month");
    // The notice.
    pub const NOTICE: Text = Text::new("通报", "Notice");
    pub const LAST_MONTH: Text = Text::new("上月", "Last month");
    pub const LAST_YEAR: Text = Text::new("上年", "Last year");
    pub const PRINT: Text = Text::new("打印", "Print");
    // One item out (报送单 / 审签单).
    pub const BACK: Text = Text::new("返回", "Back");
    pub const SHEET: Text = Text::new("报送单", "Reporting sheet");
    pub const SHEET_OFFLINE: Text = Text::new(
        "报送单要联网才能生成（编辑、签发记录在服务器上），请联网后再试",
        "The sheet needs a connection (who edited and signed is on the server)",
    );
    pub const BULK_WORD: Text = Text::new("下载所选报送单（Word）", "Download the marked sheets (Word)");
    pub const DOWNLOAD_WORD: Text = Text::new("下载 Word", "Download Word");
    pub const DOWNLOAD_EXCEL: Text = Text::new("下载 Excel", "Download Excel");
    // Scoring administration.
    pub const PUBLICATIONS: Text = Text::new("刊物", "Publications");
    pub const ADD_PUBLICATION: Text = Text::new("添加刊物", "Add publication");
    pub const LEVEL: Text = Text::new("级别", "Level");
    pub const PUB_KIND: Text = Text::new("类型", "Kind");
    pub const RATE_FLOOR: Text = Text::new("采用率下限（%）", "Adoption-rate floor (%)");
    pub const FLOOR_NUMBER: Text = Text::new("请填写0到100的整数", "Enter a whole number from 0 to 100");
    pub const UNIT_CLASSES: Text = Text::new("单位类别与定额", "Unit classes and quotas");
    pub const CLASS_NAME: Text = Text::new("类别名称（如 一类乡镇）", "Class name");
    pub const MONTHLY_QUOTA: Text = Text::new("每月定额（条）", "Items a month");
    pub const WEEKLY_QUOTA: Text = Text::new("每人每周（条）", "Items a week per person");
    pub const QUOTA_RULE: Text = Text::new(
        "周定额按周四所在的月份计入（ISO周）：每月4或5周，全年52或53周；季度、年度定额是各月定额之和。",
        "A week counts in the month holding its Thursday (ISO weeks): 4 or 5 a month, 52 or 53 a year; a quarter's or a year's quota is the sum of its months'.",
    );
    pub const ADD_CLASS: Text = Text::new("添加类别", "Add class");
    pub const NO_CLASS: Text = Text::new("未分类", "No class");
    pub const QUOTA_NUMBER: Text = Text::new("定额请填写整数", "Quotas are whole numbers");
    pub const SCORING_TABLE: Text = Text::new("计分标准", "Scoring table");
    pub const DEFAULTS: Text = Text::new("默认标准", "Defaults");
    pub const COMBINED_SPLIT: Text = Text::new("综合稿计分", "Combined pieces");
    pub const SPLIT_EACH: Text = Text::new("每篇来源计全分", "Each source gets the value");
    pub const SPLIT_EVEN: Text = Text::new("来源平分", "Split evenly");
    pub const EFFECTIVE_FROM: Text = Text::new("生效日期", "In force from");
    pub const SAVE_VERSION: Text = Text::new("保存为新版本（今后生效）", "Save as a new version (from a future day)");
    pub const RECOMPUTE: Text = Text::new("按此标准重新计分（追溯）", "Score the past again with this table");
    pub const RECOMPUTE_REASON: Text = Text::new("重新计分的理由（必填）", "Why (required)");
    pub const RECOMPUTE_HINT: Text = Text::new(
        "重新计分会改变生效日期以来已经公布的分数，并记入审计日志。",
        "Scoring the past changes points already published since that day, and is recorded in the audit trail.",
    );
    pub const RECOMPUTED: Text = Text::new("已重新计分", "Scored again");
    pub const EVENTS: Text = Text::new("条计分记录", "events");
    pub const DATE_FORMAT: Text = Text::new("日期格式应为 2026-11-25", "Dates look like 2026-11-25");
    pub const POINTS_NUMBER: Text = Text::new("分值请填写数字，最多两位小数", "Points are numbers with at most two decimals");
    // Commissions, the desk's notices, urgent reports.
    pub const ALERTS: Text = Text::new("提醒", "Notices");
    pub const NO_ALERTS: Text = Text::new("暂无提醒", "Nothing to see to");
    pub const COMMISSION_NAV: Text = Text::new("约稿", "Commissions");
    pub const COMMISSIONS: Text = Text::new("约稿与报送要点", "Commissions and priorities");
    pub const NO_COMMISSION: Text = Text::new("不回应约稿", "No commission");
    pub const DEADLINE: Text = Text::new("截止", "Deadline");
    pub const AS_OF_SYNC: Text = Text::new("以上为上次同步时的情况", "As of the last sync");
    pub const URGENT_REPORT: Text = Text::new("紧急信息报送", "Urgent report");
    pub const URGENT_NEEDS_TIME: Text = Text::new("填写事发时间后显示报送时限", "Enter the event time to see the deadline");
    pub const FOLLOW_UP_HINT: Text =
        Text::new("续报、终报请写新进展，不重复初报内容", "Follow-ups report what is new, not the first report again");
    pub const URGENT_CHAINS: Text = Text::new("紧急信息报送链", "Urgent report chains");
    pub const LATE_BY: Text = Text::new("迟报", "late by");
    pub const MINUTES: Text = Text::new("分钟", "min");
    pub const OVERDUE: Text = Text::new("已超时", "overdue");
    pub const PUBLISHED: Text = Text::new("已发布", "Published");
    pub const KIND: Text = Text::new("类型", "Kind");
    pub const TOPIC: Text = Text::new("主题", "Topic");
    pub const DESCRIPTION: Text = Text::new("说明", "Description");
    pub const UNITS_ASKED: Text = Text::new("约稿单位", "Units asked");
    pub const PUBLISH: Text = Text::new("发布", "Publish");
    // The periodical.
    pub const PERIODICAL: Text = Text::new("期刊", "Periodical");
    pub const NEW_ISSUE: Text = Text::new("新建一期", "New issue");
    pub const NO_ISSUES: Text = Text::new("还没有期刊", "No issues yet");
    pub const ITEMS_N: Text = Text::new("篇", "items");
    pub const ISSUE_PUBLISHED: Text = Text::new("已印发", "Published");
    pub const ISSUE_DRAFT: Text = Text::new("组稿中", "Being composed");
    pub const ISSUE_YEAR: Text = Text::new("年份", "Year");
    pub const ISSUE_NUMBER: Text = Text::new("期号", "Number");
    pub const ISSUE_TOTAL: Text = Text::new("总期号", "Running number");
    pub const SIGNER: Text = Text::new("签发人", "Signed by");
    pub const EDITOR_NOTE: Text = Text::new("编者按", "Editor's note");
    pub const REPORT_TO: Text = Text::new("报", "Report to");
    pub const COPY_TO: Text = Text::new("送", "Copy to");
    pub const SEND_TO: Text = Text::new("发", "Send to");
    pub const IN_THIS_ISSUE: Text = Text::new("本期稿件（Alt+↑/↓ 调整顺序）", "In this issue (Alt+↑/↓ to reorder)");
    pub const MOVE_UP: Text = Text::new("上移", "Move up");
    pub const MOVE_DOWN: Text = Text::new("下移", "Move down");
    pub const REMOVE: Text = Text::new("移出", "Remove");
    pub const SIGNED_ITEMS: Text = Text::new("已签发稿件", "Signed items");
    pub const PUBLISH_CONFIRM: Text = Text::new("印发后不能再修改，确定吗？", "A published issue cannot change. Sure?");
    pub const ISSUE_NOTICE: Text = Text::new("签发通报", "Issue the notice");
    pub const ISSUE_NOTICE_CONFIRM: Text = Text::new(
        "签发后通报内容冻结，该期间结账，其中日期的采用、批示不能再记入。确定签发吗？",
        "Once issued the notice is frozen and its period closed: nothing dated inside it can be recorded. Issue it?",
    );
    pub const REOPEN_NOTICE: Text = Text::new("撤销签发（重新开放该期间）", "Withdraw the issued notice (reopen its period)");
    pub const REOPEN_REASON: Text = Text::new("撤销签发的理由", "Why it is withdrawn");
    pub const NOTICE_ISSUED: Text = Text::new("已签发，内容已冻结", "Issued and frozen");
    pub const CHANGE: Text = Text::new("修改", "Change");
    pub const CHANGING: Text = Text::new("正在修改", "Changing");
    pub const WITHDRAW: Text = Text::new("撤回", "Withdraw");
    pub const WITHDRAWN: Text = Text::new("已撤回", "Withdrawn");
    pub const WITHDRAW_CONFIRM: Text = Text::new(
        "撤回后各单位不再看到这个约稿，它已计的分（采用加分、未报扣分）一并取消。确定撤回吗？",
        "The units no longer see it, and whatever it scored is taken back. Withdraw it?",
    );
    pub const DELETE_ISSUE: Text = Text::new("删除这一期", "Delete this issue");
    pub const DELETE_ISSUE_CONFIRM: Text = Text::new(
        "删除后，编入这一期的稿件不再计为采用，期号可以重新使用。确定删除吗？",
        "Its items are no longer adopted by it and its numbers are free again. Delete it?",
    );
    pub const ISSUE_CONFLICT_FIELDS: Text = Text::new("另一位编辑还改了：", "The other editor also changed: ");
    pub const ISSUE_CONFLICT_PLACED: Text = Text::new("另一位编辑放入了：", "Another editor placed: ");
    pub const ISSUE_CONFLICT_REMOVED: Text = Text::new("另一位编辑移出了：", "Another editor removed: ");
    pub const ISSUE_CONFLICT_KEEP: Text = Text::new(
        "您的编排仍保留在下方，尚未保存；核对后再点“保存”即以您的编排为准。",
        "Your placement is kept below, not yet saved; check it and save again to make it the issue.",
    );
    pub const UNLOCK_TITLE: Text = Text::new("本机稿件已加密", "The drafts on this computer are encrypted");
    pub const UNLOCK_WHY: Text = Text::new(
        "这台电脑可能由多人共用，本机保存的稿件、待发送内容和照片都已加密。请输入密码解锁（无需联网）：",
        "This computer may be shared: the drafts, unsent changes and photos kept on it are encrypted. Enter the password to unlock them (no network needed):",
    );
    pub const UNLOCK: Text = Text::new("解锁", "Unlock");
    pub const UNLOCKING: Text = Text::new("正在解锁…", "Unlocking…");
    pub const UNLOCK_WRONG: Text = Text::new("密码不正确", "Wrong password");
    pub const UNLOCK_NEW_PASSWORD_HINT: Text = Text::new(
        "密码被管理员重置或在别的电脑上改过？联网时直接输入新密码即可，本机稿件不会丢失。",
        "Password reset by the administrator or changed on another PC? While online, just enter the new one: nothing on this PC is lost.",
    );
    pub const UNLOCK_WRONG_OFFLINE: Text = Text::new(
        "密码不正确。如果密码刚在别处修改过，请连上网络后再输入新密码。",
        "Wrong password. If it was just changed elsewhere, connect to the network and enter the new one.",
    );
    pub const UNLOCK_TRY_AGAIN: Text = Text::new(
        "服务器暂时无法处理，请稍后再试；本机稿件都还在，没有删除任何内容。",
        "The server could not answer just now; try again shortly. Everything on this PC is still here.",
    );
    pub const UNLOCK_OLD_PASSWORD_NEEDED: Text = Text::new(
        "新密码正确，但本机的稿件是用原来的密码加密的（在本功能上线前保存）。请输入原来的密码解锁；稿件都还在。",
        "The new password is right, but this PC's drafts were sealed under the old one (saved before this feature). Enter the old password to unlock them; nothing was deleted.",
    );
    pub const FORGOT_PASSWORD: Text = Text::new("忘记密码？", "Forgot the password?");
    pub const FORGET_BEFORE: Text = Text::new(
        "没有密码，本机加密的稿件就无法再打开。已发送到服务器的稿件不受影响，用新密码登录后会自动取回；尚未发送的",
        "Without the password the encrypted drafts on this computer can never be opened again. Drafts already sent to the server are safe and come back after you log in with a new password; the ",
    );
    pub const FORGET_AFTER: Text = Text::new(
        "篇稿件（上次同步时的统计）将永久丢失。请向管理员申请重置密码。",
        " draft(s) not yet sent (as counted at the last sync) will be lost for good. Ask an administrator to reset your password.",
    );
    pub const FORGET_NEW_PASSWORD_FIRST: Text = Text::new(
        "如果管理员已经重置了密码，请先联网用新密码解锁：稿件会用账号的设备密钥打开，不必清除。",
        "If the administrator reset your password, first unlock with the new one while online: the drafts open with the account's device key, nothing needs clearing.",
    );
    pub const FORGET_CONFIRM: Text = Text::new("清除本机稿件并重新登录", "Clear this computer's drafts and log in again");
    pub const SWITCH_ACCOUNT: Text = Text::new("换一个账号", "Use another account");
}

/// The language switch, shown on every page including login.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="link lang-switch" on:click=move |_| i18n.set(i18n.lang.get_untracked().other())>
            {move || i18n.t(ui::SWITCH_LANG)}
        </button>
    }
}
