-- Event posters (#14). One poster per event; its renditions (WebP and JPEG at a
-- few widths) live in the poster store (a folder or S3) under keys that are the
-- SHA-256 of their bytes. This row is the only record of which keys are in use:
-- a key no row names any more is deleted from the store.
CREATE TABLE event_posters (
  event_id       uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  -- What was uploaded, read from its content (not its Content-Type), after EXIF orientation.
  source_format  text NOT NULL CHECK (source_format IN ('jpeg', 'png', 'webp')),
  width          int NOT NULL CHECK (width > 0),
  height         int NOT NULL CHECK (height > 0),
  -- [{ "key", "format": "webp"|"jpeg", "width", "height", "bytes" }], narrowest first.
  renditions     jsonb NOT NULL CHECK (jsonb_typeof(renditions) = 'array' AND jsonb_array_length(renditions) > 0),
  uploaded_at    timestamptz NOT NULL DEFAULT now()
);
-- "Is this key still named by some poster?", asked before a rendition is deleted.
CREATE INDEX event_posters_renditions_idx ON event_posters USING gin (renditions jsonb_path_ops);
