-- items_office_recent (migration 21) was the same index as items_office_updated (migration 7), which
-- already serves the queue's latest-first order read backwards: one index fewer to write on each push.
DROP INDEX IF EXISTS items_office_recent;
