//! The client's sync round as a state machine with no network or storage of its own: how many
//! waiting mutations go in the next push, and what each answer means for the rest of the round
//! (send on, send fewer at once, set one aside, start over under a new client id, give up). The
//! app's sync engine does the requests and the IndexedDB writes and asks this what comes next;
//! the rules are tested natively here (docs/sync-protocol.md).

use crate::sync::MAX_BATCH;

/// Most JSON in one push (under the server's body limit), however few mutations that is; one
/// mutation larger than this is still sent alone.
pub const MAX_BATCH_BYTES: usize = 1_500_000;

/// Start overs one round may make (a restored server, a device gone back in time) before it
/// stops and reports trouble: each one is a full pull.
pub const MAX_RESTARTS: u32 = 3;

/// What the server answered one push, after the app applied its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The server answered `answered` of the mutations sent.
    Answered {
        answered: usize,
        /// The device's numbering went back in time: the server saw a mid reused, or a stored
        /// answer did not match what this device sent (a restore card, a copied profile).
        went_back: bool,
        /// The server was restored from a backup since this device last heard from it.
        restored: bool,
        /// The server expected an earlier mid: it lost track of this client id.
        expected: bool,
    },
    /// 413: the push was larger than the server takes.
    TooLarge,
    /// 403: the client id is known as another account's.
    Forbidden,
    /// Anything else (offline, a 5xx, signed out): the round stops.
    Failed,
}

/// What the engine does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Drop the answered mutations from the queue and send the rest.
    SendOn,
    /// Send the same mutations again in smaller pushes.
    SendFewer,
    /// The first mutation alone is larger than the server takes: set it aside with the reason;
    /// the rest go on.
    SetAsideFirst,
    /// Start over under a new client id: nothing more is sent before a pull from 0 has compared
    /// everything and proposed again what the server lacks. `went_back` says the device went
    /// back in time (the person is told); `restored` that the server did.
    StartOver { went_back: bool, restored: bool },
    /// The round stops with the request's error.
    Stop,
}

/// One round's pushing: the batch size it has learnt, its start overs and its progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    batch: usize,
    restarts: u32,
    done: usize,
    total: usize,
}

impl Default for Round {
    fn default() -> Round {
        Round { batch: MAX_BATCH, restarts: 0, done: 0, total: 0 }
    }
}

impl Round {
    pub fn new() -> Round {
        Round::default()
    }

    /// How many of the queue's first mutations (their JSON sizes in order) go in the next push:
    /// at most the batch size, under [`MAX_BATCH_BYTES`], at least one when any wait.
    pub fn next_push(&self, sizes: impl IntoIterator<Item = usize>) -> usize {
        let mut bytes = 0;
        let mut n = 0;
        for size in sizes.into_iter().take(self.batch.min(MAX_BATCH)) {
            bytes += size;
            if n > 0 && bytes > MAX_BATCH_BYTES {
                break;
            }
            n += 1;
        }
        n
    }

    /// `waiting` mutations are queued to send (a pass of the round): the progress counts them.
    pub fn queued(&mut self, waiting: usize) {
        self.total = self.done + waiting;
        self.batch = MAX_BATCH;
    }

    /// (sent, of) so far this round, for the progress the person sees.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.total)
    }

    /// The answer to a push of `sent` mutations, with `left` still queued after it.
    pub fn answer(&mut self, sent: usize, left: usize, a: Answer) -> Next {
        match a {
            Answer::Answered { answered, went_back, restored, expected } => {
                if went_back || restored || expected || answered == 0 {
                    self.restarts += 1;
                    return Next::StartOver { went_back, restored };
                }
                self.done += answered;
                self.total = self.total.max(self.done + left);
                Next::SendOn
            }
            Answer::TooLarge if sent > 1 => {
                self.batch = (sent / 2).max(1);
                Next::SendFewer
            }
            Answer::TooLarge => Next::SetAsideFirst,
            // The id is never shared: a new one, once a round (a second refusal is trouble).
            Answer::Forbidden if self.restarts == 0 => {
                self.restarts += 1;
                Next::StartOver { went_back: false, restored: false }
            }
            Answer::Forbidden | Answer::Failed => Next::Stop,
        }
    }

    /// The pull found the server restored from a backup: true when the round may start over
    /// once more, false when it has done so [`MAX_RESTARTS`] times (it stops with trouble).
    pub fn restart_for_pull(&mut self) -> bool {
        self.restarts += 1;
        self.restarts <= MAX_RESTARTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(n: usize) -> Answer {
        Answer::Answered { answered: n, went_back: false, restored: false, expected: false }
    }

    #[test]
    fn a_push_takes_at_most_a_batch_and_stays_under_the_byte_limit_but_never_sends_nothing() {
        let r = Round::new();
        assert_eq!(r.next_push(vec![100; 1000]), MAX_BATCH);
        assert_eq!(r.next_push(vec![100; 3]), 3);
        assert_eq!(r.next_push(vec![600_000; 5]), 2, "1.2 MB fits, 1.8 MB does not");
        assert_eq!(r.next_push(vec![5_000_000, 10]), 1, "one mutation larger than the limit goes alone");
        assert_eq!(r.next_push(Vec::new()), 0);
    }

    #[test]
    fn a_413_halves_the_push_down_to_one_then_sets_that_one_aside() {
        let mut r = Round::new();
        r.queued(50);
        let mut sent = r.next_push(vec![10; 50]);
        let mut pushes = vec![sent];
        while r.answer(sent, 50 - sent, Answer::TooLarge) == Next::SendFewer {
            sent = r.next_push(vec![10; 50]);
            pushes.push(sent);
        }
        assert_eq!(pushes, vec![50, 25, 12, 6, 3, 1]);
        assert_eq!(r.answer(1, 49, Answer::TooLarge), Next::SetAsideFirst);
        // A new pass of the round starts at the full size again.
        r.queued(49);
        assert_eq!(r.next_push(vec![10; 49]), 49);
    }

    #[test]
    fn answers_count_towards_the_progress_and_more_queued_meanwhile_grows_the_total() {
        let mut r = Round::new();
        r.queued(300);
        assert_eq!(r.answer(200, 100, answered(200)), Next::SendOn);
        assert_eq!(r.progress(), (200, 300));
        assert_eq!(r.answer(100, 5, answered(100)), Next::SendOn, "five saved meanwhile");
        assert_eq!(r.progress(), (300, 305));
        r.queued(5);
        assert_eq!(r.progress(), (300, 305));
    }

    #[test]
    fn a_device_or_server_gone_back_in_time_starts_over_and_so_does_an_answer_of_nothing() {
        for (a, went_back, restored) in [
            (Answer::Answered { answered: 3, went_back: true, restored: false, expected: false }, true, false),
            (Answer::Answered { answered: 3, went_back: false, restored: true, expected: false }, false, true),
            (Answer::Answered { answered: 3, went_back: false, restored: false, expected: true }, false, false),
            (answered(0), false, false),
        ] {
            let mut r = Round::new();
            r.queued(3);
            assert_eq!(r.answer(3, 0, a), Next::StartOver { went_back, restored }, "{a:?}");
            assert_eq!(r.progress(), (0, 3), "nothing counts as sent before the comparison");
        }
    }

    #[test]
    fn another_accounts_client_id_is_left_once_and_a_second_refusal_stops_the_round() {
        let mut r = Round::new();
        assert_eq!(r.answer(1, 0, Answer::Forbidden), Next::StartOver { went_back: false, restored: false });
        assert_eq!(r.answer(1, 0, Answer::Forbidden), Next::Stop);
        assert_eq!(Round::new().answer(1, 0, Answer::Failed), Next::Stop);
    }

    #[test]
    fn a_server_restored_again_and_again_stops_the_round_after_three_start_overs() {
        let mut r = Round::new();
        assert!(r.restart_for_pull());
        assert!(r.restart_for_pull());
        assert!(r.restart_for_pull());
        assert!(!r.restart_for_pull());
        let mut pushed = Round::new();
        pushed.answer(1, 0, Answer::Answered { answered: 1, went_back: true, restored: false, expected: false });
        assert!(pushed.restart_for_pull() && pushed.restart_for_pull() && !pushed.restart_for_pull(), "the push's start over counts");
    }
}
