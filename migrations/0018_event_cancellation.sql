-- Cancelling an event (#15): sales stop, every paid order is refunded, every
-- ticket revoked, every buyer told. The `event-cancel` job does the work; these
-- rows are what it resumes from and what the dashboard's progress counts.

-- Set once, never cleared: a cancelled event sells nothing again (the inventory
-- actor reads it with the event's settings) and buyers see it cancelled.
ALTER TABLE events ADD COLUMN cancelled_at timestamptz;

-- One cancellation per event: who asked, when, and how far the job got.
-- `listed_at`: the job has listed the orders to refund (event_cancellation_orders)
-- and queued their refunds; from then on its progress is how many are refunded.
CREATE TABLE event_cancellations (
  event_id      uuid PRIMARY KEY REFERENCES events (id),
  requested_by  uuid NOT NULL REFERENCES accounts (id),
  requested_at  timestamptz NOT NULL DEFAULT now(),
  listed_at     timestamptz
);

-- The orders a cancellation refunds: its progress is how many of them are refunded.
-- Listed once (the primary key), so a job run again after a crash lists nothing twice.
CREATE TABLE event_cancellation_orders (
  order_id   uuid PRIMARY KEY REFERENCES orders (id),
  event_id   uuid NOT NULL REFERENCES event_cancellations (event_id),
  listed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_cancellation_orders_event_idx ON event_cancellation_orders (event_id);

-- The attendee list (CSV) is read in pages by ticket id within an event.
CREATE INDEX tickets_event_id_idx ON tickets (event_id, id);
