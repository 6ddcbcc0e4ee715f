-- The staff list (every status, drafts first, then newest) walks an index and stops at a
-- page, instead of sorting every post of the kind: drafts have no date, and the order puts
-- them first with `published_at IS NULL DESC`, which only an index on that expression serves.
CREATE INDEX posts_staff_idx
    ON posts (kind, (published_at IS NULL) DESC, published_at DESC, created_at DESC, id DESC);

-- It serves the staff's lists of one status too, so the index of every post by date goes:
-- beside the index of live posts (the same columns, over live posts only), SQLite took it for
-- the readers' lists as often as not, and then read each row, stepping over its bodies, to
-- see its status; a page deep in the list read every row before it.
DROP INDEX posts_all_idx;
