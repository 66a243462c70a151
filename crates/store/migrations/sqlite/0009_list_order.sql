-- The general list is newest first, ties by id: walking this index in order answers its first
-- page without sorting everything the caller can see (bench S3: district first page 5.5 s →
-- 0.15 ms at 1 M requests). It replaces the single-column index of 0006.
DROP INDEX requests_submitted;
CREATE INDEX requests_submitted ON requests (submitted_at, id);
