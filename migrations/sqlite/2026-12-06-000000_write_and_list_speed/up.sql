-- The staff list (every status, drafts first, then newest) walks an index and stops at a
-- page, instead of sorting every post of the kind: drafts have no date, and the order puts
-- them first with `published_at IS NULL DESC`, which only an index on that expression serves.
CREATE INDEX posts_staff_idx
    ON posts (kind, (published_at IS NULL) DESC, published_at DESC, created_at DESC, id DESC);
