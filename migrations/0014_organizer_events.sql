-- Organizers (#15): draft → published, description and venue details, the event's time zone, retired ticket types.

-- A draft is seen by its organizer only; publishing is one way (published_at set once).
-- Existing events were public before this column: they start published.
ALTER TABLE events ADD COLUMN status text NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published'));
ALTER TABLE events ADD COLUMN published_at timestamptz;
UPDATE events SET published_at = created_at WHERE status = 'published';

-- Plain text, never HTML: the storefront escapes it and keeps its line breaks.
ALTER TABLE events ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE events ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE events ADD CONSTRAINT events_lat_lon_together CHECK ((latitude IS NULL) = (longitude IS NULL));

-- IANA zone the event happens in: its times are shown (storefront, emails, scanner) in it.
-- Validated at the edge against Intl; existing events keep UTC, as they were shown.
ALTER TABLE events ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- A retired type keeps its sales (tickets, orders, payouts) but is no longer sold.
ALTER TABLE ticket_types ADD COLUMN retired_at timestamptz;
