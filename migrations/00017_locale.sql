-- +goose Up
-- Language and time zone of an account: '' means not chosen, so the
-- browser's Accept-Language (and its time zone) or DEFAULT_LANGUAGE apply.
ALTER TABLE users
    ADD COLUMN language  text NOT NULL DEFAULT '' CHECK (language IN ('', 'ru', 'en')),
    ADD COLUMN time_zone text NOT NULL DEFAULT '' CHECK (char_length(time_zone) <= 64);

-- The language a request was filed in: its e-mails go to a contact address
-- without an account in this language.
ALTER TABLE integration_requests
    ADD COLUMN language text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en'));

-- The language the project's visitors read: the bot endpoint's fallback
-- text (and any other text botbridge itself sends them). Bot endpoints
-- saved before this migration kept the English default text, so they are
-- English; new ones default to Russian with the Russian text.
ALTER TABLE project_bots
    ADD COLUMN visitor_language text NOT NULL DEFAULT 'en' CHECK (visitor_language IN ('ru', 'en'));
ALTER TABLE project_bots
    ALTER COLUMN visitor_language SET DEFAULT 'ru',
    ALTER COLUMN fallback_text SET DEFAULT 'Извините, наш помощник сейчас недоступен. Соединяем вас с сотрудником.';

-- +goose Down
ALTER TABLE project_bots
    ALTER COLUMN fallback_text SET DEFAULT 'Sorry, our assistant is unavailable right now. Connecting you to a person.',
    DROP COLUMN visitor_language;
ALTER TABLE integration_requests DROP COLUMN language;
ALTER TABLE users DROP COLUMN time_zone, DROP COLUMN language;
