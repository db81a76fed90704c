-- Streams carry the current version for optimistic concurrency; archived streams are hidden from reads unless asked.
CREATE TABLE es_stream (
  tenant     text    NOT NULL,
  stream_id  text    NOT NULL,
  version    bigint  NOT NULL,
  archived   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant, stream_id)
);
-- Small by design: the global read excludes archived streams with a hashed anti-join over this index.
CREATE INDEX es_stream_archived ON es_stream (tenant, stream_id) WHERE archived;

-- The log. Rows are never updated; upcasting happens on read.
-- tx is the writing transaction's id: the global read orders by (tx, global_pos) and stops below the oldest
-- running transaction, so an event committed late by a slow transaction is never skipped.
CREATE TABLE es_event (
  global_pos  bigint      GENERATED ALWAYS AS IDENTITY,
  tx          xid8        NOT NULL DEFAULT pg_current_xact_id(),
  tenant      text        NOT NULL,
  stream_id   text        NOT NULL,
  version     bigint      NOT NULL,
  event_id    uuid        NOT NULL,
  type        text        NOT NULL,
  schema_ver  integer     NOT NULL,
  data        jsonb       NOT NULL,
  meta        jsonb       NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT es_event_stream_version UNIQUE (tenant, stream_id, version),
  CONSTRAINT es_event_event_id UNIQUE (event_id)
);
CREATE INDEX es_event_global ON es_event (tx, global_pos);

-- Where each named subscription or projection has read up to, as a (tx, global_pos) cursor.
CREATE TABLE es_checkpoint (
  name       text        PRIMARY KEY,
  tx         xid8        NOT NULL,
  global_pos bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One active owner per named subscription: a lease renewed by heartbeats; fence grows with every new owner.
CREATE TABLE es_lease (
  name       text        PRIMARY KEY,
  owner      text        NOT NULL,
  fence      bigint      NOT NULL,
  expires_at timestamptz NOT NULL
);
