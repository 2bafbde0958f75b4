-- E-mail verification (issue 15): an account proves it owns its address
-- before it may file requests or invite anyone. Accounts made before this
-- migration signed up when nobody was asked, so they count as verified
-- rather than being locked out of what they already did.

-- +goose Up
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;

-- +goose Down
ALTER TABLE users DROP COLUMN email_verified_at;
