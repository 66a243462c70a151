-- A whistle's notices (吹哨, 报到, 评价, 结束) link to the whistle, as a request's link to the
-- request: the summoned unit checks in on the whistle's page, so its notice must lead there.
ALTER TABLE notifications ADD COLUMN whistle_id INTEGER REFERENCES whistles (id);

-- Notices written before this column name their whistle at the end of the message, "（#12）".
UPDATE notifications
SET whistle_id = CAST(rtrim(substr(message, instr(message, '（#') + 2), '）') AS INTEGER)
WHERE kind LIKE 'whistle%'
  AND message LIKE '%（#%）'
  AND CAST(rtrim(substr(message, instr(message, '（#') + 2), '）') AS INTEGER) IN (SELECT id FROM whistles);

-- The inbox counts the unread by kind and can be narrowed to one kind: with the kind in each
-- index, both read the index alone rather than each notice's row (a county department gets
-- about 5,000 notices a month). The same entries as before, so a new notice writes no more.
DROP INDEX notifications_org;
DROP INDEX notifications_desk;
DROP INDEX notifications_user;
CREATE INDEX notifications_org ON notifications (org_id, id, kind);
CREATE INDEX notifications_desk ON notifications (desk_path, id, kind);
CREATE INDEX notifications_user ON notifications (user_id, id, kind);
