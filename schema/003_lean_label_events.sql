-- No command looks label events up by annotator or by label pair (audits group or scan them,
-- and label events are only the relabels), while every relabel paid for both indexes at
-- commit time: a 20k-relabel patch spent a good part of its index update on them.
DROP INDEX IF EXISTS label_events_by_annotator;
DROP INDEX IF EXISTS label_events_by_labels;
