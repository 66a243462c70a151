-- A whistle's notices (吹哨, 报到, 评价, 结束) link to the whistle, as a request's link to the
-- request: the summoned unit checks in on the whistle's page, so its notice must lead there.
ALTER TABLE notifications ADD COLUMN whistle_id BIGINT REFERENCES whistles (id);

-- Notices written before this column name their whistle at the end of the message, "（#12）".
UPDATE notifications n
SET whistle_id = w.id
FROM whistles w
WHERE n.kind LIKE 'whistle%'
  AND w.id = substring(n.message FROM '（#([0-9]+)）$')::bigint;

-- The inbox counts the unread by kind and can be narrowed to one kind: with the kind in each
-- index, both read the index alone rather than each notice's row (a county department gets
-- about 5,000 notices a month). The same entries as before, so a new notice writes no more.
DROP INDEX notifications_org;
DROP INDEX notifications_desk;
DROP INDEX notifications_user;
CREATE INDEX notifications_org ON notifications (org_id, id) INCLUDE (kind);
CREATE INDEX notifications_desk ON notifications (desk_path, id) INCLUDE (kind);
CREATE INDEX notifications_user ON notifications (user_id, id) INCLUDE (kind);
