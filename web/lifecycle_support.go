package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// lifecycleForm is what a refused lifecycle form leaves for the Settings
// page to show again: the fields as typed and their errors.
type lifecycleForm struct {
	retention                            string
	eraseBy, eraseValue                  string
	confirmName                          string
	retentionErrs, eraseErrs, deleteErrs apperr.Validation
}

const ctxLifecycleForm = "lifecycleForm"

// canManageData: retention, erasure and deletion (the routes check the
// same actions, routes_lifecycle.go).
func canManageData(p project.Project) bool {
	return can(p, project.ActionConfigureIntegration) && can(p, project.ActionDelete)
}

// ownedProject loads :project; the route already checked the action.
func (h *Handler) ownedProject(c echo.Context) (project.Project, error) {
	p, err := h.CurrentProject(c)
	if err != nil {
		return p, err
	}
	if !canManageData(p) {
		return p, fmt.Errorf("project %d: data lifecycle is for owners: %w", p.ID, apperr.ErrForbidden)
	}
	return p, nil
}

// lifecycleSection builds the Data and Danger zone cards of Settings
// (nil for members), with a refused form's input and errors if any.
func (h *Handler) lifecycleSection(c echo.Context, p project.Project) (*view.LifecycleSection, error) {
	if !canManageData(p) {
		return nil, nil
	}
	l := langOf(c)
	f, _ := c.Get(ctxLifecycleForm).(*lifecycleForm)
	if f == nil {
		f = &lifecycleForm{}
	}
	if f.retentionErrs == nil {
		days, err := lifecycle.RetentionDays(c.Request().Context(), h.DB, p.ID)
		if err != nil {
			return nil, err
		}
		f.retention = strconv.Itoa(days)
	}
	ret := field(l, "retention_days", "lifecycle.retention.label", f.retention, f.retentionErrs)
	ret.Type, ret.Required = "number", true
	ret.Hint = l.T("lifecycle.retention.hint", lifecycle.MinRetentionDays, lifecycle.MaxRetentionDays)
	val := field(l, "value", "lifecycle.erase.value.label", f.eraseValue, f.eraseErrs)
	val.Required, val.Autocomplete, val.MaxLength = true, "off", 200
	val.Hint = l.T("lifecycle.erase.value.hint")
	conf := field(l, "confirm_name", "lifecycle.delete.confirm.label", f.confirmName, f.deleteErrs)
	conf.Required, conf.Autocomplete = true, "off"
	conf.Label = l.T("lifecycle.delete.confirm.label", p.Name)
	base := "/projects/" + view.Itoa(p.ID)
	m := &view.LifecycleSection{
		RetentionAction: settingsURL(p) + "/retention#data", Retention: ret, MetadataDays: h.metadataDays(),
		EraseAction: base + "/erasures#erase", EraseBy: f.eraseBy, EraseValue: val,
		DeleteAction: base + "/delete#danger", ProjectName: p.Name, ConfirmName: conf,
	}
	if k, ok := f.eraseErrs["by"]; ok {
		m.EraseByError = l.T(k)
	}
	return m, nil
}

func (h *Handler) metadataDays() int {
	if h.Config != nil && h.Config.RetentionMetadataDays > 0 {
		return h.Config.RetentionMetadataDays
	}
	return lifecycle.DefaultMetadataDays
}

// refuseLifecycleForm shows Settings again with the form's input and
// errors, or returns err when it is not a validation problem.
func (h *Handler) refuseLifecycleForm(c echo.Context, p project.Project, f *lifecycleForm, err error) error {
	if apperr.Fields(err) == nil {
		return err
	}
	c.Set(ctxLifecycleForm, f)
	return h.renderSettings(c, p, http.StatusUnprocessableEntity, "", "")
}
