package urbackup

import (
	"net/url"
	"testing"
)

// The web user's rights: the login answer names them, and an action whose
// right is "none" is refused as the real server refuses it.
func TestRightsOfTheWebUser(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{Rights: map[string]string{"status": "none", "graph": "1,3"}})
	c := newTestClient(t, u, false)
	login := c.login(u.Username(), u.Password())
	if login["status"] != "none" || login["graph"] != "1,3" || login["progress"] != "all" || login["browse_backups"] != "all" {
		t.Errorf("login answer %v", login)
	}
	if got := c.call("status", url.Values{"ses": {c.ses}}); num(got["error"]) != 1 || got["status"] != nil {
		t.Errorf("a=status without the right: %v, want {\"error\":1}", got)
	}
	if got := c.call("usage", url.Values{"ses": {c.ses}}); got["usage"] == nil {
		t.Errorf("a=usage with the right for some clients: %v", got)
	}
}
