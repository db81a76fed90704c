-- Several appends in one transaction, so that concurrent callers share one round trip and one commit.
-- Each append is checked and applied on its own exactly as es_append does (outcomes 0-3, one row per append, in
-- order); a wrong version or an archived stream affects only that append. An error (e.g. an event id stored
-- elsewhere) fails the whole call, and the caller retries the appends one by one.
-- p_counts[k] events of p_ids, p_types, ... belong to append k, in order.
CREATE FUNCTION es_append_many(p_tenants text[], p_streams text[], p_expected bigint[], p_counts integer[],
                               p_ids uuid[], p_types text[], p_schema_vers integer[], p_data text[], p_meta text[],
                               p_channel text)
  RETURNS TABLE (outcome smallint, stream_version bigint)
  LANGUAGE plpgsql AS $$
DECLARE
  k        integer;
  first    integer := 1;
  last     integer;
  notified text[] := '{}';
BEGIN
  FOR k IN 1 .. cardinality(p_tenants) LOOP
    last := first + p_counts[k] - 1;
    SELECT a.outcome, a.stream_version INTO outcome, stream_version
      FROM es_append(p_tenants[k], p_streams[k], p_expected[k], p_ids[first:last], p_types[first:last],
                     p_schema_vers[first:last], p_data[first:last], p_meta[first:last], NULL) a;
    IF outcome = 0 AND p_channel IS NOT NULL AND NOT p_tenants[k] = ANY (notified) THEN
      PERFORM pg_notify(p_channel, p_tenants[k]);
      notified := notified || p_tenants[k];
    END IF;
    RETURN NEXT;
    first := last + 1;
  END LOOP;
END
$$;
