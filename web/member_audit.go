package web

import (
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/i18n"
)

// teamAuditDetail says a membership entry's detail in the reader's
// language ("bob@example.com · Member"); ok is false for other entries.
func teamAuditDetail(l i18n.Lang, action, detail string) (string, bool) {
	known := false
	for _, a := range team.AuditActions {
		known = known || a == action
	}
	if !known {
		return "", false
	}
	d, ok := team.ParseAuditDetail(detail)
	if !ok {
		return "", false
	}
	switch action {
	case team.ActionRoleChanged:
		return l.T("team.audit.detail.role", d.Email, l.Enum(i18n.ProjectRole, d.From), l.Enum(i18n.ProjectRole, d.To)), true
	case team.ActionRenamed:
		return l.T("team.audit.detail.renamed", d.From, d.To), true
	}
	return l.T("team.audit.detail.member", d.Email, l.Enum(i18n.ProjectRole, d.Role)), true
}
