-- Operator alerts: what went wrong that a person must know of, shown by
-- GET /api/ops/status and logged. The first use: a job that exhausted its
-- retries (dead-lettered), so a paid order never sits without tickets unseen.

CREATE TABLE operator_alerts (
  id bigserial PRIMARY KEY,
  -- One alert per cause (e.g. 'dead:tickets-issue:<order id>'): a cause that recurs updates its alert.
  key text NOT NULL UNIQUE,
  kind text NOT NULL,
  queue text,
  order_id uuid,
  message text NOT NULL,
  -- What Tickr did about it on its own ('refund_queued'), or 'none': then a person must act.
  action text NOT NULL,
  occurrences integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);

CREATE INDEX operator_alerts_open_idx ON operator_alerts (last_at DESC) WHERE resolved_at IS NULL;
