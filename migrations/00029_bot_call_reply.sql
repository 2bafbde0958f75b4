-- The bot's reply is made durable with the record of the call that got it
-- (a row inserted anyway) instead of by updating its event, so an event
-- that goes through at once is updated once, when done, not twice (each
-- update of bridge_events writes a new row version and an entry in each
-- of its indexes). The event's row takes the reply in that last update,
-- or before any Webim call fails; a worker that finds an event without
-- its reply but with such a call (it crashed between the two) resumes at
-- the Webim calls instead of asking the bot again. Retention strips these
-- copies with the event's content.

-- +goose Up
ALTER TABLE bridge_calls
    ADD COLUMN bot_reply     jsonb,
    ADD COLUMN calls         jsonb,
    ADD COLUMN outcome       text,
    ADD COLUMN notes         jsonb,
    ADD COLUMN operator_data jsonb;

-- +goose Down
ALTER TABLE bridge_calls DROP COLUMN bot_reply, DROP COLUMN calls, DROP COLUMN outcome,
    DROP COLUMN notes, DROP COLUMN operator_data;
