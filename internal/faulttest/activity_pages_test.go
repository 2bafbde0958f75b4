package faulttest

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/web/webtest"
)

// activitySteps walks an integration's activity log as its owner does:
// every page of conversations, and in each conversation every page of its
// transcript; it returns every step (one event each, li.step).
func activitySteps(t *testing.T, c *webtest.Client, listPath string) []*goquery.Selection {
	t.Helper()
	var chats []string
	for pages := 0; listPath != "" && pages < 100; pages++ {
		r := c.Get(listPath)
		require.Equal(t, http.StatusOK, r.StatusCode, listPath)
		r.Doc.Find("li.conversation a.chat-id").Each(func(_ int, a *goquery.Selection) { chats = append(chats, a.AttrOr("href", "")) })
		listPath = r.Doc.Find(`#conversations nav.pager a[rel="next"]`).AttrOr("href", "")
	}
	var steps []*goquery.Selection
	for _, chat := range chats {
		for path, pages := chat, 0; path != "" && pages < 100; pages++ {
			r := c.Get(path)
			require.Equal(t, http.StatusOK, r.StatusCode, path)
			r.Doc.Find("li.step").Each(func(_ int, s *goquery.Selection) { steps = append(steps, s) })
			path = ""
			r.Doc.Find("#transcript > p > a").Each(func(_ int, a *goquery.Selection) {
				if href := a.AttrOr("href", ""); href != chat {
					path = href // "Earlier events"
				}
			})
		}
	}
	return steps
}
