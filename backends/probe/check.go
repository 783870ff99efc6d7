package probe

// Status is how a check came out.
type Status string

const (
	// OK: it works.
	OK Status = "ok"
	// Note: nothing is wrong; something optional is not set up (pruning
	// without Datastore.AllocateSpace or VM.Backup, UrBackup not configured).
	Note Status = "note"
	// Off: backdeck works, but a feature is switched off or a warning
	// stands (a certificate that expires soon, a missing privilege).
	Off Status = "off"
	// Fail: backdeck cannot work this way (an unreachable host, a rejected
	// token, a secret file others can read).
	Fail Status = "fail"
)

// rank orders statuses from fine to fatal.
func (s Status) rank() int {
	switch s {
	case Off:
		return 1
	case Fail:
		return 2
	}
	return 0
}

// Check is one line of the doctor's report.
type Check struct {
	// ID names the check for scripts: "pve.reach", "pve.privileges.vzdump",
	// "urbackup.login", "host.smartctl", "files.state" …
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Title is what was checked, in words: "PVE at https://pve:8006".
	Title string `json:"title"`
	// Detail is what was found, and for a problem what to do.
	Detail string `json:"detail"`
}

// Worst is the worst status among checks: Fail, else Off, else OK.
func Worst(checks []Check) Status {
	worst := OK
	for _, c := range checks {
		if c.Status.rank() > worst.rank() {
			worst = c.Status
		}
	}
	return worst
}

// ExitCode is the doctor's exit code for checks: 0 when all are fine, 1
// when something is switched off, 2 when backdeck cannot work.
func ExitCode(checks []Check) int { return Worst(checks).rank() }
