-- Re-encryption of stored secrets under the current SECRET_KEY (botbridge
-- secrets reencrypt). Reads go by keyset (a row whose key is gone is
-- skipped, not read again); each update applies only if the ciphertexts
-- are still the ones read, so a concurrent edit or rotation always wins.

-- name: ListIntegrationSecretsSealedBefore :many
SELECT id, token_ciphertext, token_key_id, webhook_key_ciphertext, webhook_key_key_id
FROM integrations
WHERE deleted_at IS NULL AND id > sqlc.arg(after_id)
  AND (token_key_id <> sqlc.arg(current_key_id) OR webhook_key_key_id <> sqlc.arg(current_key_id))
ORDER BY id
LIMIT sqlc.arg(max_rows);

-- name: ResealIntegrationSecrets :execrows
UPDATE integrations SET
    token_ciphertext = sqlc.arg(token_ciphertext), token_key_id = sqlc.arg(token_key_id),
    webhook_key_ciphertext = sqlc.arg(webhook_key_ciphertext), webhook_key_key_id = sqlc.arg(webhook_key_key_id)
WHERE id = sqlc.arg(id) AND deleted_at IS NULL
  AND token_ciphertext = sqlc.arg(old_token_ciphertext) AND webhook_key_ciphertext = sqlc.arg(old_webhook_key_ciphertext);

-- name: ListBotSecretsSealedBefore :many
SELECT project_id, secret_ciphertext, secret_key_id, previous_secret_ciphertext, previous_secret_key_id
FROM project_bots
WHERE project_id > sqlc.arg(after_id)
  AND (secret_key_id <> sqlc.arg(current_key_id) OR previous_secret_key_id <> sqlc.arg(current_key_id))
ORDER BY project_id
LIMIT sqlc.arg(max_rows);

-- name: ResealBotSecrets :execrows
UPDATE project_bots SET
    secret_ciphertext = sqlc.arg(secret_ciphertext), secret_key_id = sqlc.arg(secret_key_id),
    previous_secret_ciphertext = sqlc.narg(previous_secret_ciphertext), previous_secret_key_id = sqlc.narg(previous_secret_key_id)
WHERE project_id = sqlc.arg(project_id) AND secret_ciphertext = sqlc.arg(old_secret_ciphertext)
  AND previous_secret_ciphertext IS NOT DISTINCT FROM sqlc.narg(old_previous_secret_ciphertext);

-- name: CountSecretsSealedBefore :one
-- Ciphertexts that still need a key other than the current one.
SELECT ((SELECT count(*) FROM integrations WHERE deleted_at IS NULL
          AND (token_key_id <> sqlc.arg(current_key_id) OR webhook_key_key_id <> sqlc.arg(current_key_id)))
      + (SELECT count(*) FROM project_bots
          WHERE secret_key_id <> sqlc.arg(current_key_id) OR previous_secret_key_id <> sqlc.arg(current_key_id)))::bigint AS n;
