-- The virtual queue (#4): drop settings, places, the lottery and the head.

-- What the organizer sets. Sale start and the per-buyer limit are the event's
-- own columns (events.sale_starts_at, events.per_buyer_limit).
CREATE TABLE drop_settings (
  event_id                    uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  queue_enabled               boolean NOT NULL DEFAULT false,
  waiting_room_opens_at       timestamptz,
  -- NULL: automatic, derived from stock, holds and the hold-to-sale ratio.
  admission_rate_per_minute   integer CHECK (admission_rate_per_minute > 0),
  admission_token_ttl_seconds integer NOT NULL CHECK (admission_token_ttl_seconds > 0),
  pow_bits                    integer NOT NULL DEFAULT 0 CHECK (pow_bits >= 0),
  paused                      boolean NOT NULL DEFAULT false,
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- Written by the queue actor (fenced by the shard epoch, like the journal),
-- except the seed and commitment, made once when the queue is first set up so
-- the commitment is durable before anyone can read it.
CREATE TABLE queue_state (
  event_id     uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  seed         bytea NOT NULL CHECK (length(seed) = 32),
  commitment   text NOT NULL,
  -- NULL until the lottery is drawn; then the number of arrivals it ordered
  -- (queue_places.seq 1..drawn_count). Never changes once set.
  drawn_count  integer CHECK (drawn_count >= 0),
  drawn_at     timestamptz,
  -- Places up to here were admitted; a restart resumes from it.
  head         integer NOT NULL DEFAULT 0 CHECK (head >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per buyer per drop, written before the join is answered. `seq` is
-- the join order; `ticket_id` is random and carries no personal data (it is
-- what the proof publishes). The place of seq <= drawn_count comes from the
-- lottery; after the draw, place = seq.
CREATE TABLE queue_places (
  event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  seq        integer NOT NULL CHECK (seq >= 1),
  buyer_id   uuid NOT NULL,
  ticket_id  text NOT NULL,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, seq),
  UNIQUE (event_id, buyer_id),
  UNIQUE (event_id, ticket_id)
);
