package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

func runCommand() command {
	return command{
		name:     "run",
		synopsis: "TARGET --method M [--json] | job/ID [--json]",
		summary:  "start a job headless; exit 0 only on success",
		about: "Starts a job on the server and prints one line per progress change; exit 2 when it fails\n" +
			"or is refused. M is vzdump or snapshot for guests, incr-file or full-file (incr-image,\n" +
			"full-image) for UrBackup clients. TARGET is a target id such as pve/qemu/421 (backdeck status\n" +
			"--ids lists them), or a name or VMID that names one target that can run the method.\n" +
			"job/ID runs PVE's scheduled backup job ID now (backdeck schedule lists them): as vzdump with\n" +
			"the job's parameters on every node that has guests in it, one line per node's progress change.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			method := fs.String("method", "", "vzdump or snapshot (guests); incr-file, full-file, incr-image or full-image (UrBackup clients)")
			asJSON := fs.Bool("json", false, "one JSON object per line: state, percent, done_bytes, total_bytes, bytes_per_second, eta_seconds, message")
			storage := fs.String("storage", "", "vzdump: the storage to write to (default: config, then the cluster job's, then the only online one)")
			mode := fs.String("mode", "", "vzdump: snapshot, suspend or stop")
			protected := fs.Bool("protected", false, "vzdump: mark the backup protected")
			notes := fs.String("notes", "", "vzdump: notes template, e.g. {{guestname}}")
			snapName := fs.String("name", "", "snapshot: the snapshot name (default backdeck-YYYYMMDD-HHMM)")
			desc := fs.String("description", "", "snapshot: its description")
			return func(ctx context.Context, c *call) int {
				req := model.JobRequest{Method: model.Method(*method), Storage: *storage, Mode: *mode, Notes: *notes,
					Snapshot: *snapName, Description: *desc}
				// Only a --protected given says anything: its absence leaves
				// the storage's default.
				c.fs.Visit(func(f *flag.Flag) {
					if f.Name == "protected" {
						req.Protected = protected
					}
				})
				return runJob(ctx, c, req, *asJSON)
			}
		},
	}
}

func runJob(ctx context.Context, c *call, req model.JobRequest, asJSON bool) int {
	if len(c.args) == 1 && strings.HasPrefix(c.args[0], "job/") {
		return runBackupJob(ctx, c, strings.TrimPrefix(c.args[0], "job/"), req, asJSON)
	}
	if len(c.args) != 1 || req.Method == "" {
		return c.failf(exitUsage, "give one TARGET and --method, e.g. backdeck run pve/qemu/421 --method vzdump, or backdeck run urbackup/k3sagent01 --method incr-file")
	}
	req.Target = c.args[0]
	switch req.Method {
	case model.MethodVzdump, model.MethodIncrFile, model.MethodFullFile, model.MethodIncrImage, model.MethodFullImage:
	case model.MethodSnapshot:
		if req.Snapshot == "" {
			req.Snapshot = "backdeck-" + c.Now().Format("20060102-1504")
		}
	default:
		return c.failf(exitUsage, "unknown method %q: use vzdump or snapshot for guests, incr-file or full-file (incr-image, full-image) for UrBackup clients; rollback and delete are in the dashboard, behind a confirmation", req.Method)
	}
	b, stop, err := c.runEngine(ctx)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer stop()

	if !strings.Contains(req.Target, "/") {
		// A name or a VMID: find the one target it means.
		b.Engine.RefreshNow(ctx)
		id, err := resolveTarget(b.Engine.Posture(), req.Target, req.Method)
		if err != nil {
			return c.failf(exitUsage, "%v", err)
		}
		req.Target = id
	}
	job, err := b.Engine.Start(ctx, req)
	if err != nil {
		return c.failf(2, "%v", err)
	}
	printer := jobPrinter{out: c.Stdout, json: asJSON}
	job, code := waitJob(ctx, c, b.Engine.Events(), job, printer.print)
	if code != 0 {
		return code
	}
	if job.State.Succeeded() {
		return 0
	}
	return 2
}

// resolveTarget finds the target a name or VMID means among the posture's
// targets that can run method: "k3sagent01" is a VM for vzdump and an
// UrBackup client for incr-file.
func resolveTarget(p *model.Posture, arg string, method model.Method) (string, error) {
	vmid, numErr := strconv.Atoi(arg)
	seen := map[string]bool{}
	var found []string
	for _, c := range p.Concerns {
		for _, t := range c.Targets {
			if seen[t.Target.ID] || !slices.Contains(t.Target.Methods, method) {
				continue
			}
			if t.Target.Name == arg || numErr == nil && t.Target.Source == model.SourceProxmox && t.Target.VMID == vmid {
				seen[t.Target.ID] = true
				found = append(found, t.Target.ID)
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("no target named %q takes --method %s: give its id (backdeck status --ids lists them), e.g. pve/qemu/421 or urbackup/k3sagent01", arg, method)
	}
	sort.Strings(found)
	return "", fmt.Errorf("%q names %d targets (%s): give the id of the one you mean", arg, len(found), strings.Join(found, ", "))
}

// jobPrinter prints a job's line only when it changed.
type jobPrinter struct {
	out  io.Writer
	json bool
	last string
}

func (p *jobPrinter) print(j model.Job) {
	line := newJobLine(j)
	var s string
	if p.json {
		b, _ := json.Marshal(line)
		s = string(b)
	} else {
		s = line.text()
	}
	if s != p.last {
		fmt.Fprintln(p.out, s)
		p.last = s
	}
}
