-- A story's WebSub ping (issue 16): the ping job asks which stories' reports a poll added or edited since its last check,
-- in the order of (last_changed_at, id), which every poll stamps on the items it adds or changes. This index answers it
-- with one range scan from the last change seen.
CREATE INDEX items_by_change ON items (last_changed_at, id);
