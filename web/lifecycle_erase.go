package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/lifecycle"
)

// ErasureCreate erases one visitor's chats in the project (by Webim
// visitor id, Webim chat id, or botbridge's chat id from a conversation
// view); the audit log on Settings then says how many rows went.
func (h *Handler) ErasureCreate(c echo.Context) error {
	p, err := h.ownedProject(c)
	if err != nil {
		return err
	}
	by, value := c.FormValue("by"), c.FormValue("value")
	form := &lifecycleForm{eraseBy: by, eraseValue: value}
	target, err := lifecycle.ParseTarget(by, value)
	if err == nil {
		u := currentUser(c).ID
		_, err = lifecycle.Erase(c.Request().Context(), h.DB, p.ID, &u, target)
		if errors.Is(err, apperr.ErrNotFound) {
			// Nothing of that id in this project (another project's ids
			// included): said beside the field, nothing changed.
			err = apperr.Validation{"value": "lifecycle.erase.value.not_found"}
		}
	}
	if err != nil {
		if by == "chat_ref" {
			form.eraseBy, form.eraseValue = "", "" // the form has no such choice
		}
		form.eraseErrs = apperr.Fields(err)
		return h.refuseLifecycleForm(c, p, form, err)
	}
	// From a conversation view the form returns to the integration's
	// conversation list (the chat is gone); only a path of this project's
	// own pages is followed, never an address from elsewhere.
	if back := c.FormValue("back"); isProjectPage(p.ID, back) {
		h.setFlash(c, "lifecycle.flash.erased_from_chat")
		return c.Redirect(http.StatusSeeOther, back)
	}
	h.setFlash(c, "lifecycle.flash.erased")
	return c.Redirect(http.StatusSeeOther, settingsURL(p)+"#audit-title")
}

// isProjectPage says whether back is a local path (safeNext) under the
// project's own pages, without dot segments: safe to redirect to.
func isProjectPage(projectID int64, back string) bool {
	return safeNext(back) != "" && strings.HasPrefix(back, "/projects/"+strconv.FormatInt(projectID, 10)+"/") &&
		!strings.ContainsAny(back, "?#%") && !strings.Contains(back, "..")
}
