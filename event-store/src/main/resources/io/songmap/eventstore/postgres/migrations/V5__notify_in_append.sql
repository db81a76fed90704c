-- Subscribers are notified from inside the append's transaction, once per statement, with the appending store's
-- origin as the payload (V4 sent one NOTIFY per tenant with the tenant as payload; the store sent its own NOTIFY in
-- a transaction of its own after the commit). Same contract otherwise: outcome 0 written, 1 already written
-- (idempotent retry), 2 wrong expected version, 3 archived; stream_version is the version afterwards or the
-- actual one. p_channel NULL: no notification.
DROP FUNCTION es_append(text, text, bigint, uuid[], text[], integer[], text[], text[], text);
DROP FUNCTION es_append_many(text[], text[], bigint[], integer[], uuid[], text[], integer[], text[], text[], text);

CREATE FUNCTION es_append_many(p_tenants text[], p_streams text[], p_expected bigint[], p_counts integer[],
                               p_ids uuid[], p_types text[], p_schema_vers integer[], p_data text[], p_meta text[],
                               p_channel text, p_origin text DEFAULT NULL)
  RETURNS TABLE (outcome smallint, stream_version bigint)
  LANGUAGE plpgsql AS $$
DECLARE
  k          integer;
  n          integer;
  first      integer := 1;
  last       integer;
  v_tenant   text;
  v_stream   text;
  v_expected bigint;
  v_new      bigint;
  v_actual   bigint;
  v_archived boolean;
  v_matched  bigint;
  v_offsets  bigint;
  v_first    bigint;
  v_written  boolean := false;
BEGIN
  FOR k IN 1 .. cardinality(p_tenants) LOOP
    n := p_counts[k];
    last := first + n - 1;
    v_tenant := p_tenants[k];
    v_stream := p_streams[k];
    v_expected := p_expected[k];
    v_new := NULL;

    IF v_expected = -1 THEN
      -- With no expectation a retry cannot be told apart by version: look for the first event id.
      IF NOT EXISTS (SELECT 1 FROM es_event e WHERE e.event_id = p_ids[first]) THEN
        INSERT INTO es_stream AS s (tenant, stream_id, version) VALUES (v_tenant, v_stream, n)
          ON CONFLICT (tenant, stream_id) DO UPDATE SET version = s.version + n WHERE NOT s.archived
          RETURNING s.version INTO v_new;
      END IF;
    ELSIF v_expected = 0 THEN
      INSERT INTO es_stream (tenant, stream_id, version) VALUES (v_tenant, v_stream, n)
        ON CONFLICT (tenant, stream_id) DO NOTHING
        RETURNING es_stream.version INTO v_new;
    ELSE
      UPDATE es_stream s SET version = s.version + n
        WHERE s.tenant = v_tenant AND s.stream_id = v_stream AND s.version = v_expected AND NOT s.archived
        RETURNING s.version INTO v_new;
    END IF;

    IF v_new IS NULL THEN
      SELECT s.version, s.archived INTO v_actual, v_archived
        FROM es_stream s WHERE s.tenant = v_tenant AND s.stream_id = v_stream;
      v_actual := coalesce(v_actual, 0);
      -- Idempotent retry: every event id is already in this stream, in the same order, one after the other.
      SELECT count(*), count(DISTINCT e.version - (g.i - first + 1)), min(e.version - (g.i - first + 1))
        INTO v_matched, v_offsets, v_first
        FROM generate_series(first, last) AS g(i)
        JOIN es_event e ON e.event_id = p_ids[g.i] AND e.tenant = v_tenant AND e.stream_id = v_stream;
      IF v_matched = n AND v_offsets = 1 AND (v_expected <= 0 OR v_first = v_expected)
         AND (v_expected <> 0 OR v_first = 0) THEN
        outcome := 1;
      ELSIF coalesce(v_archived, false) THEN
        outcome := 3;
      ELSE
        outcome := 2;
      END IF;
      stream_version := v_actual;
    ELSE
      IF n = 1 THEN
        INSERT INTO es_event (tenant, stream_id, version, event_id, type, schema_ver, data, meta)
          VALUES (v_tenant, v_stream, v_new, p_ids[first], p_types[first], p_schema_vers[first],
                  p_data[first]::jsonb, coalesce(p_meta[first], '{}')::jsonb);
      ELSE
        INSERT INTO es_event (tenant, stream_id, version, event_id, type, schema_ver, data, meta)
          SELECT v_tenant, v_stream, v_new - n + (g.i - first + 1), p_ids[g.i], p_types[g.i], p_schema_vers[g.i],
                 p_data[g.i]::jsonb, coalesce(p_meta[g.i], '{}')::jsonb
            FROM generate_series(first, last) AS g(i);
      END IF;
      v_written := true;
      outcome := 0;
      stream_version := v_new;
    END IF;
    RETURN NEXT;
    first := last + 1;
  END LOOP;
  -- Sent at commit, once for the whole statement. The payload names the appending store, whose own subscribers
  -- were told directly and skip it.
  IF v_written AND p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, coalesce(p_origin, ''));
  END IF;
END
$$;

CREATE FUNCTION es_append(p_tenant text, p_stream text, p_expected bigint, p_ids uuid[], p_types text[],
                          p_schema_vers integer[], p_data text[], p_meta text[], p_channel text,
                          p_origin text DEFAULT NULL)
  RETURNS TABLE (outcome smallint, stream_version bigint)
  LANGUAGE sql AS $$
  SELECT * FROM es_append_many(ARRAY[p_tenant], ARRAY[p_stream], ARRAY[p_expected], ARRAY[cardinality(p_ids)],
                               p_ids, p_types, p_schema_vers, p_data, p_meta, p_channel, p_origin)
$$;
