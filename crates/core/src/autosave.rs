//! The draft editor's autosave, as a state machine with no clock, timer or storage of its own:
//! the editor tells it what happened (a keystroke, a save's outcome, another tab's write) and
//! does what it answers (start a save on a base revision, arm the debounce, retry later). Every
//! rule of when text is written lives here and is tested natively; the component only renders.
//!
//! The rules:
//! - text is saved after [`DEBOUNCE_MS`] of quiet, and at least every [`MAX_WAIT_MS`] while
//!   someone keeps typing;
//! - never during an IME composition (its end saves), never two saves at once (a save that ends
//!   with newer text saves again), never while a conflict waits for the person;
//! - saves are compare-and-set on the draft's local revision: a save refused because another
//!   tab wrote first becomes a conflict, and nothing is overwritten until the person chooses;
//! - a failed save keeps the text and is tried again after [`RETRY_MS`], unless the disk is full
//!   (the next keystroke tries again) or another tab upgraded the database (this tab cannot
//!   write it any more: the editor keeps its text for the reload).

/// Quiet time after the last keystroke before saving.
pub const DEBOUNCE_MS: u32 = 400;
/// Longest time text may stay unsaved while someone keeps typing (the debounce restarts on
/// every key, so without this a steady typist would never be saved until they pause).
pub const MAX_WAIT_MS: f64 = 800.0;
/// Wait before retrying a failed save on a fresh connection.
pub const RETRY_MS: u32 = 2000;

/// What the editor shows about saving.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    /// Nothing typed since the draft was opened.
    Clean,
    /// Typed, not yet written.
    Unsaved,
    /// A write is under way.
    Saving,
    /// Written at this time (ms).
    Saved(f64),
    /// The last write failed for this reason.
    Failed(Failure),
    /// Another tab wrote this draft first: the person chooses.
    Conflict,
}

/// Why a save failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The browser's storage is full: only the person can make room.
    Quota,
    /// Another tab upgraded the database: this tab cannot write it until it reloads.
    Stale,
    /// Anything else (a dropped connection): tried again on a fresh one.
    Other,
}

/// What the editor does after a keystroke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterEdit {
    /// Save now (typing has gone on for [`MAX_WAIT_MS`]): [`Autosave::start`] says whether and
    /// on which base.
    pub save_now: bool,
    /// (Re)arm the debounce: after [`DEBOUNCE_MS`] of quiet, [`Autosave::start`].
    pub debounce: bool,
}

/// What the editor does after a save ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterSave {
    /// Nothing: the text shown is the text written.
    Done,
    /// More was typed while it was written: save again now.
    SaveAgain,
    /// Try again after [`RETRY_MS`].
    RetryLater,
    /// Wait for the person (a conflict, a full disk) or for the reload (a stale database).
    Wait,
}

/// What to do when another tab (or sync) wrote this draft with `rev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherWrite {
    /// Not newer than what this editor is based on: nothing.
    Ignore,
    /// Nothing here is unsaved: show the other version and base on it.
    Take,
    /// Text here is unsaved or being written: ask the person.
    Conflict,
}

/// The autosave of one open draft.
#[derive(Clone, Debug, PartialEq)]
pub struct Autosave {
    /// The local revision the next save is compared against.
    base_rev: u32,
    /// Text differs from what is written (or a write of it failed).
    dirty: bool,
    /// When the text first differed from what is written (ms), for [`MAX_WAIT_MS`].
    dirty_since: f64,
    saving: bool,
    composing: bool,
    conflict: bool,
    status: Status,
}

impl Autosave {
    /// A draft opened at local revision `base_rev`; `unsaved` when it opens with text not yet
    /// written (put back after a reload).
    pub fn new(base_rev: u32, unsaved: bool) -> Autosave {
        Autosave { base_rev, dirty: unsaved, dirty_since: 0.0, saving: false, composing: false, conflict: false, status: Status::Clean }
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn base_rev(&self) -> u32 {
        self.base_rev
    }

    /// Text here is not yet written (or is being written).
    pub fn unsettled(&self) -> bool {
        self.dirty || self.saving
    }

    /// The person typed at `now` (ms).
    pub fn edited(&mut self, now: f64) -> AfterEdit {
        if !self.dirty {
            self.dirty_since = now;
        }
        self.dirty = true;
        let save_now = now - self.dirty_since >= MAX_WAIT_MS;
        if save_now {
            // Typing has gone on long enough: save now, then keep debouncing the rest.
            self.dirty_since = now;
        }
        if !self.conflict {
            self.status = Status::Unsaved;
        }
        AfterEdit { save_now, debounce: true }
    }

    /// An IME composition started or ended (`false`: ended, and the editor then calls
    /// [`Autosave::start`]).
    pub fn composing(&mut self, on: bool) {
        self.composing = on;
    }

    /// A save may start now: the base revision to compare against, or None when nothing is to
    /// be written, a composition is under way, a save is in flight (its end saves again), a
    /// conflict waits for the person.
    pub fn start(&mut self) -> Option<u32> {
        if self.composing || !self.dirty || self.saving || self.conflict {
            return None;
        }
        self.dirty = false;
        self.saving = true;
        self.status = Status::Saving;
        Some(self.base_rev)
    }

    /// The save started by [`Autosave::start`] was written as local revision `rev` at `at`.
    pub fn saved(&mut self, rev: u32, at: f64) -> AfterSave {
        self.saving = false;
        self.base_rev = rev;
        if self.dirty {
            AfterSave::SaveAgain
        } else {
            self.status = Status::Saved(at);
            AfterSave::Done
        }
    }

    /// The save was refused: another tab wrote first. Nothing more is written until the person
    /// chooses ([`Autosave::keep_mine`] or [`Autosave::take_theirs`]).
    pub fn conflicted(&mut self) -> AfterSave {
        self.saving = false;
        self.dirty = true;
        self.conflict = true;
        self.status = Status::Conflict;
        AfterSave::Wait
    }

    /// The save failed. The text stays unsaved here; what happens next depends on why.
    pub fn failed(&mut self, why: Failure) -> AfterSave {
        self.saving = false;
        self.status = Status::Failed(why);
        match why {
            Failure::Stale => {
                // The editor keeps the text for the reload (each later edit is kept the same
                // way, as its save fails the same way).
                self.dirty = false;
                AfterSave::Wait
            }
            Failure::Quota => {
                self.dirty = true;
                AfterSave::Wait
            }
            Failure::Other => {
                self.dirty = true;
                AfterSave::RetryLater
            }
        }
    }

    /// Another tab wrote this draft as local revision `rev`: taken when nothing here is
    /// unsaved and no conflict waits, else the person is asked (about the newest version).
    pub fn other_tab_wrote(&mut self, rev: u32) -> OtherWrite {
        if rev <= self.base_rev {
            OtherWrite::Ignore
        } else if self.unsettled() || self.conflict {
            self.conflict = true;
            self.status = Status::Conflict;
            OtherWrite::Conflict
        } else {
            OtherWrite::Take
        }
    }

    /// Sync wrote this draft as local revision `rev` (a newer server version taken because
    /// nothing here was unsent): true when the editor shows it. While text here is unsaved it is
    /// not shown: the next save's compare-and-set finds the newer revision and asks the person.
    pub fn sync_wrote(&self, rev: u32) -> bool {
        rev > self.base_rev && !self.unsettled() && !self.conflict
    }

    /// The other version (local revision `rev`, written at `at`) is shown and this editor is
    /// based on it. A conflict waiting for the person still waits: only their choice ends it.
    pub fn took(&mut self, rev: u32, at: f64) {
        self.base_rev = rev;
        self.dirty = false;
        if !self.conflict {
            self.status = Status::Saved(at);
        }
    }

    /// In a conflict, the person keeps this text: the other version (local revision `rev`) was
    /// saved as a copy, and this text is written over it. The editor then calls
    /// [`Autosave::start`].
    pub fn keep_mine(&mut self, rev: u32) {
        self.base_rev = rev;
        self.conflict = false;
        self.dirty = true;
    }

    /// In a conflict, the person takes the other version (revision `rev`, written at `at`):
    /// this text was saved as a copy.
    pub fn take_theirs(&mut self, rev: u32, at: f64) {
        self.conflict = false;
        self.took(rev, at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft with text typed at `t` and a save started.
    fn saving_at(t: f64) -> (Autosave, u32) {
        let mut a = Autosave::new(3, false);
        a.edited(t);
        let base = a.start().expect("a save starts");
        (a, base)
    }

    #[test]
    fn a_pause_saves_on_the_base_revision_and_a_steady_typist_is_saved_every_max_wait() {
        let mut a = Autosave::new(3, false);
        assert_eq!(a.start(), None, "nothing typed, nothing written");
        assert_eq!(a.edited(1000.0), AfterEdit { save_now: false, debounce: true });
        assert_eq!(a.status(), Status::Unsaved);
        // Keys every 100 ms: the debounce never fires, the cap does.
        let mut saves = vec![];
        for k in 1..=20 {
            let now = 1000.0 + 100.0 * f64::from(k);
            if a.edited(now).save_now {
                saves.push(now);
                assert_eq!(a.start(), Some(3));
                assert_eq!(a.saved(3, now), AfterSave::Done);
            }
        }
        assert_eq!(saves, vec![1800.0, 2700.0], "at most 800 ms unsaved while typing");
        // The debounce then writes the rest.
        assert!(a.start().is_some());
    }

    #[test]
    fn no_save_during_a_composition_and_its_end_saves() {
        let mut a = Autosave::new(0, false);
        a.composing(true);
        a.edited(0.0);
        assert_eq!(a.start(), None);
        a.composing(false);
        assert_eq!(a.start(), Some(0));
        assert_eq!(a.status(), Status::Saving);
    }

    #[test]
    fn one_save_at_a_time_and_text_typed_meanwhile_is_saved_after_it() {
        let (mut a, base) = saving_at(0.0);
        assert_eq!(base, 3);
        a.edited(10.0);
        assert_eq!(a.start(), None, "a second save waits for the first");
        assert_eq!(a.saved(4, 20.0), AfterSave::SaveAgain);
        assert_eq!(a.start(), Some(4), "the next save is based on what the first wrote");
        assert_eq!(a.saved(5, 30.0), AfterSave::Done);
        assert_eq!(a.status(), Status::Saved(30.0));
        assert!(!a.unsettled());
    }

    #[test]
    fn a_refused_save_is_a_conflict_and_nothing_is_written_until_the_person_chooses() {
        let (mut a, _) = saving_at(0.0);
        assert_eq!(a.conflicted(), AfterSave::Wait);
        assert_eq!(a.status(), Status::Conflict);
        a.edited(5.0);
        assert_eq!(a.status(), Status::Conflict, "typing does not hide the conflict");
        assert_eq!(a.start(), None);
        // Keep mine: written over theirs (revision 7), with the text here.
        a.keep_mine(7);
        assert_eq!(a.start(), Some(7));
        assert_eq!(a.saved(8, 9.0), AfterSave::Done);

        let (mut b, _) = saving_at(0.0);
        b.conflicted();
        // Another version shown meanwhile (the server's, taken from the sync panel): the
        // conflict still waits for the person.
        b.took(6, 3.0);
        assert_eq!(b.other_tab_wrote(7), OtherWrite::Conflict, "asked about the newest, not taken under the banner");
        assert!(!b.sync_wrote(7));
        b.edited(3.5);
        assert_eq!(b.start(), None);
        assert_eq!(b.status(), Status::Conflict);
        b.take_theirs(7, 4.0);
        assert_eq!(b.start(), None, "their text is what is written");
        assert_eq!(b.status(), Status::Saved(4.0));
        assert_eq!(b.base_rev(), 7);
    }

    #[test]
    fn a_failed_save_keeps_the_text_and_retries_unless_the_disk_is_full_or_the_database_changed() {
        let (mut a, _) = saving_at(0.0);
        assert_eq!(a.failed(Failure::Other), AfterSave::RetryLater);
        assert_eq!(a.status(), Status::Failed(Failure::Other));
        assert_eq!(a.start(), Some(3), "the retry writes the same text on the same base");

        let (mut q, _) = saving_at(0.0);
        assert_eq!(q.failed(Failure::Quota), AfterSave::Wait);
        assert!(q.unsettled(), "the text is still unsaved");
        q.edited(50.0);
        assert_eq!(q.start(), Some(3), "the next keystroke tries again");

        let (mut s, _) = saving_at(0.0);
        assert_eq!(s.failed(Failure::Stale), AfterSave::Wait);
        assert_eq!(s.start(), None);
        s.edited(50.0);
        assert_eq!(s.start(), Some(3), "each later edit is tried (and kept for the reload) again");
    }

    #[test]
    fn another_tabs_write_is_taken_when_nothing_here_is_unsaved_and_asked_about_otherwise() {
        let mut a = Autosave::new(3, false);
        assert_eq!(a.other_tab_wrote(3), OtherWrite::Ignore, "our own write, echoed");
        assert_eq!(a.other_tab_wrote(4), OtherWrite::Take);
        a.took(4, 1.0);
        assert_eq!(a.base_rev(), 4);

        a.edited(2.0);
        assert_eq!(a.other_tab_wrote(5), OtherWrite::Conflict);
        assert_eq!(a.start(), None);

        let (mut b, _) = saving_at(0.0);
        assert_eq!(b.other_tab_wrote(5), OtherWrite::Conflict, "while a save is in flight");
    }

    #[test]
    fn a_sync_write_is_shown_only_when_nothing_here_is_unsaved() {
        let mut a = Autosave::new(3, false);
        assert!(!a.sync_wrote(3));
        assert!(a.sync_wrote(4));
        a.edited(0.0);
        assert!(!a.sync_wrote(4), "left to the next save's compare-and-set");
        let opened_unsaved = Autosave::new(3, true);
        assert!(opened_unsaved.unsettled(), "text put back after a reload is saved like an edit");
    }
}
