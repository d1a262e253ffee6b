-- The audit entries of one thing (e.g. the 定档 record a sealed result is checked against before it is
-- served) found without reading the whole log.
CREATE INDEX audit_log_entity ON audit_log (entity, action);
