package integration

import (
	"context"
	"fmt"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/secret"
)

// ReencryptReport says what Reencrypt did.
type ReencryptReport struct {
	// Resealed counts rows now sealed under the current key only.
	Resealed int
	// Skipped counts rows that could not be opened (their key is not in the
	// keyring any more) or changed while being resealed (a later run takes
	// them); they are left as they were.
	Skipped int
	// Remaining counts ciphertexts that still need a key other than the
	// current one after the run: 0 means the old keys can be dropped.
	Remaining int64
}

// Reencrypt seals every stored secret (integrations' Webim tokens and
// webhook keys, bot signing secrets current and previous) that is under
// an old key again under the keyring's current key, batch rows at a time,
// each batch its own statements (no long transaction, no lock held across
// rows). Safe while serving: a row is rewritten only if its ciphertexts
// are still the ones read, so an owner's edit or a rotation in between
// wins. Resumable: a second run takes what the first did not.
func Reencrypt(ctx context.Context, q db.DBTX, kr *secret.Keyring, batch int) (ReencryptReport, error) {
	if batch <= 0 {
		batch = 100
	}
	qs := dbsqlc.New(q)
	cur := kr.KeyID()
	var rep ReencryptReport
	for after := int64(0); ; {
		rows, err := qs.ListIntegrationSecretsSealedBefore(ctx, dbsqlc.ListIntegrationSecretsSealedBeforeParams{
			AfterID: after, CurrentKeyID: &cur, MaxRows: int32(batch)})
		if err != nil {
			return rep, fmt.Errorf("integration: reencrypt: %w", err)
		}
		for _, r := range rows {
			after = r.ID
			token, err1 := reseal(kr, r.TokenCiphertext, r.TokenKeyID, tokenAAD(r.ID))
			hook, err2 := reseal(kr, r.WebhookKeyCiphertext, r.WebhookKeyKeyID, webhookKeyAAD(r.ID))
			if err1 != nil || err2 != nil {
				rep.Skipped++
				continue
			}
			n, err := qs.ResealIntegrationSecrets(ctx, dbsqlc.ResealIntegrationSecretsParams{
				TokenCiphertext: token.Ciphertext, TokenKeyID: &token.KeyID,
				WebhookKeyCiphertext: hook.Ciphertext, WebhookKeyKeyID: &hook.KeyID,
				ID: r.ID, OldTokenCiphertext: r.TokenCiphertext, OldWebhookKeyCiphertext: r.WebhookKeyCiphertext})
			if err != nil {
				return rep, fmt.Errorf("integration: reencrypt %d: %w", r.ID, err)
			}
			rep.count(n)
		}
		if len(rows) < batch {
			break
		}
	}
	for after := int64(0); ; {
		rows, err := qs.ListBotSecretsSealedBefore(ctx, dbsqlc.ListBotSecretsSealedBeforeParams{
			AfterID: after, CurrentKeyID: cur, MaxRows: int32(batch)})
		if err != nil {
			return rep, fmt.Errorf("integration: reencrypt bot secrets: %w", err)
		}
		for _, r := range rows {
			after = r.ProjectID
			aad := botSecretAAD(r.ProjectID)
			keyID := r.SecretKeyID
			sealed, err := reseal(kr, r.SecretCiphertext, &keyID, aad)
			if err != nil {
				rep.Skipped++
				continue
			}
			p := dbsqlc.ResealBotSecretsParams{SecretCiphertext: sealed.Ciphertext, SecretKeyID: sealed.KeyID,
				ProjectID: r.ProjectID, OldSecretCiphertext: r.SecretCiphertext, OldPreviousSecretCiphertext: r.PreviousSecretCiphertext}
			if r.PreviousSecretCiphertext != nil {
				prev, err := reseal(kr, r.PreviousSecretCiphertext, r.PreviousSecretKeyID, aad)
				if err != nil {
					rep.Skipped++
					continue
				}
				p.PreviousSecretCiphertext, p.PreviousSecretKeyID = prev.Ciphertext, &prev.KeyID
			}
			n, err := qs.ResealBotSecrets(ctx, p)
			if err != nil {
				return rep, fmt.Errorf("integration: reencrypt bot secret %d: %w", r.ProjectID, err)
			}
			rep.count(n)
		}
		if len(rows) < batch {
			break
		}
	}
	n, err := qs.CountSecretsSealedBefore(ctx, &cur)
	if err != nil {
		return rep, fmt.Errorf("integration: reencrypt: count: %w", err)
	}
	rep.Remaining = n
	return rep, nil
}

func (r *ReencryptReport) count(updated int64) {
	if updated == 1 {
		r.Resealed++
	} else {
		r.Skipped++ // changed since it was read
	}
}

// reseal opens a ciphertext with whatever key sealed it and seals it under
// the current key (already-current ones are sealed afresh too: simpler
// than a special case, and the row is being rewritten anyway).
func reseal(kr *secret.Keyring, ciphertext []byte, keyID *string, aad []byte) (secret.Sealed, error) {
	if ciphertext == nil || keyID == nil {
		return secret.Sealed{}, fmt.Errorf("integration: no ciphertext")
	}
	plain, err := kr.Decrypt(secret.Sealed{KeyID: *keyID, Ciphertext: ciphertext}, aad)
	if err != nil {
		return secret.Sealed{}, err
	}
	return kr.Encrypt(plain, aad)
}
