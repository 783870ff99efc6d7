package probe

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/model"
)

func startURBackup(t *testing.T, opts laburbackup.Options) *laburbackup.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return labClock }
	}
	u, err := laburbackup.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.Close() })
	return u
}

func urbConfig(u *laburbackup.Server, user string) model.URBackupConfig {
	return model.URBackupConfig{URL: u.TLSURL(), Username: user, TLSConfig: model.TLSConfig{Fingerprint: u.Fingerprint()}}
}

func TestURBackupLoginListsRightsAndClients(t *testing.T) {
	t.Parallel()
	u := startURBackup(t, laburbackup.Options{})
	rep, err := ProbeURBackup(context.Background(), urbConfig(u, u.Username()), u.Password())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Login != LoginOK || len(rep.Lacking()) != 0 {
		t.Errorf("login %s (%s), lacking %v", rep.Login, rep.Message, rep.Lacking())
	}
	if !slices.Contains(rep.Clients, "k3sagent01") {
		t.Errorf("clients %v, want the seed's", rep.Clients)
	}
}

func TestURBackupTellsWrongPasswordFromUnknownUserFromTheBan(t *testing.T) {
	t.Parallel()
	u := startURBackup(t, laburbackup.Options{})
	ctx := context.Background()
	rep, err := ProbeURBackup(ctx, urbConfig(u, "nobody"), "whatever")
	if err != nil || rep.Login != LoginUnknownUser || !strings.Contains(rep.Message, `no user "nobody"`) {
		t.Errorf("unknown user: %v %s %q", err, rep.Login, rep.Message)
	}
	wrong := "not-the-password"
	rep, err = ProbeURBackup(ctx, urbConfig(u, u.Username()), wrong)
	if err != nil || rep.Login != LoginWrongPassword {
		t.Errorf("wrong password: %v %s %q", err, rep.Login, rep.Message)
	}
	if strings.Contains(rep.Message, wrong) {
		t.Error("the message shows the password typed")
	}
	// More than 10 failures within about 40 s ban the address.
	for i := 0; i < 10 && rep.Login != LoginBanned; i++ {
		rep, err = ProbeURBackup(ctx, urbConfig(u, u.Username()), wrong)
		if err != nil {
			t.Fatal(err)
		}
	}
	if rep.Login != LoginBanned || !strings.Contains(rep.Message, "10 minutes") {
		t.Errorf("after 12 failures: %s %q, want the ban", rep.Login, rep.Message)
	}
	// The right password does not help while banned.
	rep, _ = ProbeURBackup(ctx, urbConfig(u, u.Username()), u.Password())
	if rep.Login != LoginBanned {
		t.Errorf("the right password during the ban: %s", rep.Login)
	}
}

func TestURBackupWithoutUsers(t *testing.T) {
	t.Parallel()
	u := startURBackup(t, laburbackup.Options{NoUsers: true})
	rep, err := ProbeURBackup(context.Background(), urbConfig(u, ""), "")
	if err != nil || rep.Login != LoginAnonymous || len(rep.Lacking()) != 0 || len(rep.Clients) == 0 {
		t.Errorf("%v %s %v %v", err, rep.Login, rep.Lacking(), rep.Clients)
	}
	withUsers := startURBackup(t, laburbackup.Options{})
	rep, err = ProbeURBackup(context.Background(), urbConfig(withUsers, ""), "")
	if err != nil || rep.Login != LoginNeedsUser || !strings.Contains(rep.Message, withUsers.Username()) {
		t.Errorf("no username on a server with users: %v %s %q", err, rep.Login, rep.Message)
	}
}

func TestURBackupWrongPinIsNoLoginOutcome(t *testing.T) {
	t.Parallel()
	u := startURBackup(t, laburbackup.Options{})
	cfg := urbConfig(u, u.Username())
	cfg.Fingerprint = strings.Repeat("AB:", 31) + "AB"
	_, err := ProbeURBackup(context.Background(), cfg, u.Password())
	if err == nil || !strings.Contains(err.Error(), u.Fingerprint()) {
		t.Errorf("error %v, want the fingerprint it presents", err)
	}
	if u.LoginFailures() != 0 {
		t.Errorf("%d failed logins counted, want none: nothing was sent", u.LoginFailures())
	}
}

func TestURBackupNamesTheRightsTheUserLacks(t *testing.T) {
	t.Parallel()
	u := startURBackup(t, laburbackup.Options{Rights: map[string]string{"progress": "none", "graph": "1,2", "logs": "none"}})
	rep, err := ProbeURBackup(context.Background(), urbConfig(u, u.Username()), u.Password())
	if err != nil || rep.Login != LoginOK {
		t.Fatalf("%v %s", err, rep.Login)
	}
	var lacking []string
	for _, r := range rep.Lacking() {
		lacking = append(lacking, r.Name+"="+r.Value)
	}
	if !slices.Equal(lacking, []string{"progress=none", "graph=1,2", "logs=none"}) {
		t.Errorf("lacking %v", lacking)
	}

	noStatus := startURBackup(t, laburbackup.Options{Rights: map[string]string{"status": "none"}})
	rep, err = ProbeURBackup(context.Background(), urbConfig(noStatus, noStatus.Username()), noStatus.Password())
	if err != nil || len(rep.Clients) != 0 || rep.Lacking()[0].Name != "status" {
		t.Errorf("without status: %v, clients %v, lacking %v", err, rep.Clients, rep.Lacking())
	}
}
