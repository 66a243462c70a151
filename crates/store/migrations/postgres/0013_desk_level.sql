-- 分级响应: a routing rule may send requests to the community above each place instead of
-- one named desk ('community'; NULL keeps the named desk or the default street).
ALTER TABLE routing_rules ADD COLUMN desk_level TEXT;
