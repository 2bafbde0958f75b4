-- Chat jobs coalesce: while a chat's job waits in the queue, later webhooks
-- of the chat add their events without another job (the waiting job works
-- through all of them). job_queued_at says when that job was enqueued; the
-- job clears it when it starts working the chat. A mark older than a
-- minute no longer holds new jobs back, so a job lost to an operator's
-- hand can delay a chat, never strand it.

-- +goose Up
ALTER TABLE chats ADD COLUMN job_queued_at timestamptz;

-- +goose Down
ALTER TABLE chats DROP COLUMN job_queued_at;
