-- #12: a snapshot of a large drop is megabytes of msgpack (12.8 MB for 100k open holds).
-- The default pglz spent ~0.7-1.5 s of PostgreSQL's CPU on each write of one (to 5.9 MB);
-- lz4 stores it as small in ~0.2 s. Rows already written keep their compression until
-- rewritten. A server built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE inventory_snapshots ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'inventory_snapshots.state keeps pglz: %', SQLERRM;
END $$;
