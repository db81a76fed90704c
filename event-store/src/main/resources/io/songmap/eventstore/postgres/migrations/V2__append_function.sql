-- Appends in one round trip: check and bump the stream version, insert the events, wake subscribers.
-- p_expected: -1 any version, 0 no stream, n > 0 exactly n.
-- outcome: 0 written, 1 already written before (same event ids at the same place: nothing written),
--          2 wrong expected version, 3 stream archived. stream_version is the version after the call
--          (for 2 and 3: the actual version, 0 when the stream does not exist).
CREATE FUNCTION es_append(p_tenant text, p_stream text, p_expected bigint, p_ids uuid[], p_types text[],
                          p_schema_vers integer[], p_data text[], p_meta text[], p_channel text)
  RETURNS TABLE (outcome smallint, stream_version bigint)
  LANGUAGE plpgsql AS $$
DECLARE
  n          integer := cardinality(p_ids);
  v_new      bigint;
  v_actual   bigint;
  v_archived boolean;
  v_matched  bigint;
  v_offsets  bigint;
  v_first    bigint;
BEGIN
  IF p_expected = -1 THEN
    -- With no expectation a retry cannot be told apart by version: look for the first event id.
    IF NOT EXISTS (SELECT 1 FROM es_event e WHERE e.event_id = p_ids[1]) THEN
      INSERT INTO es_stream AS s (tenant, stream_id, version) VALUES (p_tenant, p_stream, n)
        ON CONFLICT (tenant, stream_id) DO UPDATE SET version = s.version + n WHERE NOT s.archived
        RETURNING s.version INTO v_new;
    END IF;
  ELSIF p_expected = 0 THEN
    INSERT INTO es_stream (tenant, stream_id, version) VALUES (p_tenant, p_stream, n)
      ON CONFLICT (tenant, stream_id) DO NOTHING
      RETURNING es_stream.version INTO v_new;
  ELSE
    UPDATE es_stream s SET version = s.version + n
      WHERE s.tenant = p_tenant AND s.stream_id = p_stream AND s.version = p_expected AND NOT s.archived
      RETURNING s.version INTO v_new;
  END IF;

  IF v_new IS NULL THEN
    SELECT s.version, s.archived INTO v_actual, v_archived
      FROM es_stream s WHERE s.tenant = p_tenant AND s.stream_id = p_stream;
    v_actual := coalesce(v_actual, 0);
    -- Idempotent retry: every event id is already in this stream, in the same order, one after the other.
    SELECT count(*), count(DISTINCT e.version - i.ord), min(e.version - i.ord)
      INTO v_matched, v_offsets, v_first
      FROM unnest(p_ids) WITH ORDINALITY AS i(id, ord)
      JOIN es_event e ON e.event_id = i.id AND e.tenant = p_tenant AND e.stream_id = p_stream;
    IF v_matched = n AND v_offsets = 1 AND (p_expected <= 0 OR v_first = p_expected)
       AND (p_expected <> 0 OR v_first = 0) THEN
      RETURN QUERY SELECT 1::smallint, v_actual;
    ELSIF coalesce(v_archived, false) THEN
      RETURN QUERY SELECT 3::smallint, v_actual;
    ELSE
      RETURN QUERY SELECT 2::smallint, v_actual;
    END IF;
    RETURN;
  END IF;

  INSERT INTO es_event (tenant, stream_id, version, event_id, type, schema_ver, data, meta)
    SELECT p_tenant, p_stream, v_new - n + i.ord, i.id, i.t, i.sv, i.d::jsonb, coalesce(i.m, '{}')::jsonb
      FROM unnest(p_ids, p_types, p_schema_vers, p_data, p_meta) WITH ORDINALITY AS i(id, t, sv, d, m, ord);
  IF p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, p_tenant);
  END IF;
  RETURN QUERY SELECT 0::smallint, v_new;
END
$$;
