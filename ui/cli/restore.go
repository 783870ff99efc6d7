package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

func restoreCommand() command {
	return command{
		name:     "restore",
		synopsis: "POINT [--vmid N] [--storage S] [--over] [--yes] [--json]",
		summary:  "restore a vzdump archive to a new guest (or over the original); exit 0 only on success",
		about: "POINT is a vzdump archive's volid, or a target (id, name or VMID) meaning its newest archive.\n" +
			"By default the archive becomes a new guest: the next free VMID (or --vmid), new MAC addresses,\n" +
			"not started; its disks go to --storage, else each to the storage it came from. --over restores\n" +
			"over the original guest instead, which must be stopped: its disks and config are replaced.\n" +
			"It shows what it will do and asks first (--over: type the guest's name); --yes does not ask.\n" +
			"Then one line per progress change, as run. Exit 0 restored, 2 failed, refused or not confirmed.\n" +
			"An UrBackup point (urbackup/CLIENT[/ID]) stays UrBackup's: it says where the files are and how\n" +
			"to restore them, and changes nothing.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			vmid := fs.Int("vmid", 0, "the new guest's VMID (default: the next free one)")
			storage := fs.String("storage", "", "where the restored disks go (default: each disk's own storage)")
			over := fs.Bool("over", false, "restore over the original guest (it must be stopped)")
			yes := fs.Bool("yes", false, "do not ask")
			asJSON := fs.Bool("json", false, "one JSON object per line, as run's, with volid and vmid; needs --yes")
			return func(ctx context.Context, c *call) int {
				if len(c.args) != 1 {
					return c.failf(exitUsage, "give one POINT: a vzdump volid, or a target meaning its newest archive, e.g. backdeck restore k3sagent01")
				}
				if *asJSON && !*yes {
					return c.failf(exitUsage, "--json cannot ask for a confirmation: add --yes")
				}
				if *over && *vmid != 0 {
					return c.failf(exitUsage, "--over restores to the original guest's VMID; leave --vmid out")
				}
				return runRestore(ctx, c, restoreArgs{point: c.args[0], vmid: *vmid, storage: *storage, over: *over, yes: *yes, json: *asJSON})
			}
		},
	}
}

type restoreArgs struct {
	point   string
	vmid    int
	storage string
	over    bool
	yes     bool
	json    bool
}

func runRestore(ctx context.Context, c *call, a restoreArgs) int {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer b.Close()
	stopEngine := startEngine(ctx, b)
	defer stopEngine()
	p := b.Engine.RefreshNow(ctx)
	ts, rp, err := findPoint(p, a.point)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	switch ts.Source {
	case model.SourceURBackup:
		urbackupRestoreHelp(c.Stdout, b, ts, rp)
		return 0
	case model.SourceProxmox:
	default:
		return c.failf(2, "%s is a %s restore point: backdeck restores vzdump archives (Clonezilla images are restored from the Live USB with ocs-sr restoredisk)", rp.ID, ts.Source)
	}
	if b.Proxmox == nil {
		return c.failf(exitSetup, "no [proxmox] in the config")
	}
	arc, err := proxmox.ParseArchive(rp.ID)
	if err != nil {
		return c.failf(2, "%v", err)
	}
	req := model.JobRequest{Target: ts.ID, Method: model.MethodRestore, Point: rp.ID, Storage: a.storage, VMID: a.vmid, Over: a.over}
	if !a.over && req.VMID == 0 {
		if req.VMID, err = b.Proxmox.NextID(ctx); err != nil {
			return c.failf(2, "%v", err)
		}
	}
	if !a.json {
		printRestorePlan(c.Stdout, c, ts, rp, arc, req)
	}
	if !a.yes {
		pr := newPrompter(c.Env)
		ok := false
		if a.over {
			ok, _ = pr.typed(ts.Name, "replace its disks and config")
		} else {
			ok = pr.yes("restore?")
		}
		if !ok {
			return c.failf(2, "not confirmed: nothing restored")
		}
	}
	job, err := b.Engine.Start(ctx, req)
	if err != nil {
		return c.failf(2, "%v", err)
	}
	printer := &restorePrinter{out: c.Stdout, json: a.json, volid: rp.ID}
	job, code := waitJob(ctx, c, b.Engine.Events(), job, printer.print)
	if code != 0 {
		return code
	}
	if !job.State.Succeeded() {
		return 2
	}
	if !a.json {
		fmt.Fprintf(c.Stdout, "restored %s to %s %d on node %s (stopped)\n", rp.ID, guestKind(arc.Type), job.Guest, job.Node)
	}
	return 0
}

func guestKind(typ string) string {
	if typ == "lxc" {
		return "CT"
	}
	return "VM"
}

func printRestorePlan(w io.Writer, c *call, ts model.TargetStatus, rp model.RestorePoint, arc proxmox.Archive, req model.JobRequest) {
	fmt.Fprintf(w, "restore %s\n", rp.ID)
	fmt.Fprintf(w, "  of      %s (%s), taken %s (%s ago), %s\n", ts.Name, ts.ID, rp.Time.Local().Format("2006-01-02 15:04"),
		model.HumanAge(c.Now().Sub(rp.Time)), model.HumanBytes(rp.Size))
	disks := "each disk to the storage it came from"
	if req.Storage != "" {
		disks = "disks on " + req.Storage
	}
	if req.Over {
		fmt.Fprintf(w, "  over    %s (%s %d) on node %s: its disks and config are replaced by the archive's\n", ts.Name, guestKind(arc.Type), arc.VMID, ts.Node)
		fmt.Fprintf(w, "  then    %s, not started\n", disks)
		return
	}
	fmt.Fprintf(w, "  to      a new %s %d, %s, new MAC addresses, not started\n", guestKind(arc.Type), req.VMID, disks)
}

// restoreLine is a JSON line of restore: run's, with the archive and the VMID.
type restoreLine struct {
	jobLine
	Volid string `json:"volid"`
	VMID  int    `json:"vmid"`
}

type restorePrinter struct {
	out   io.Writer
	json  bool
	volid string
	last  string
}

func (p *restorePrinter) print(j model.Job) {
	line := newJobLine(j)
	s := line.text()
	if p.json {
		buf, _ := json.Marshal(restoreLine{jobLine: line, Volid: p.volid, VMID: j.Guest})
		s = string(buf)
	}
	if s != p.last {
		fmt.Fprintln(p.out, s)
		p.last = s
	}
}

// findPoint resolves POINT: a restore point's id, or a target (its id, or
// a guest's name or VMID) meaning its newest restore point.
func findPoint(p *model.Posture, arg string) (model.TargetStatus, model.RestorePoint, error) {
	seen := map[string]bool{}
	var named []model.TargetStatus
	vmid, numErr := strconv.Atoi(arg)
	for _, c := range p.Concerns {
		for _, t := range c.Targets {
			if seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			for _, rp := range t.RestorePoints {
				if rp.ID == arg {
					return t, rp, nil
				}
			}
			if len(t.RestorePoints) == 0 || t.Source != model.SourceProxmox && t.Source != model.SourceURBackup {
				continue
			}
			// A bare name or VMID means a guest: an UrBackup client of the
			// same name is asked for by its id.
			pve := t.Source == model.SourceProxmox
			if t.ID == arg || pve && (t.Name == arg || numErr == nil && t.VMID == vmid) {
				named = append(named, t)
			}
		}
	}
	switch len(named) {
	case 1:
		return named[0], named[0].RestorePoints[0], nil
	case 0:
		if strings.Contains(arg, ":") {
			return model.TargetStatus{}, model.RestorePoint{}, fmt.Errorf("no restore point %s: the console lists each guest's (or pvesm list STORAGE on the host); a target's name restores its newest", arg)
		}
		return model.TargetStatus{}, model.RestorePoint{}, fmt.Errorf("no target %q with a restore point: give a volid, or a target id (backdeck status --ids)", arg)
	}
	ids := make([]string, len(named))
	for i, t := range named {
		ids[i] = t.ID
	}
	sort.Strings(ids)
	return model.TargetStatus{}, model.RestorePoint{}, fmt.Errorf("%q names %d targets (%s): give the id of the one you mean", arg, len(named), strings.Join(ids, ", "))
}

// urbackupRestoreHelp says where an UrBackup backup's files are and how
// UrBackup restores them: backdeck does not.
func urbackupRestoreHelp(w io.Writer, b *wire.Built, ts model.TargetStatus, rp model.RestorePoint) {
	client := strings.TrimPrefix(ts.ID, "urbackup/")
	var webURL string
	var folders []string
	if b.Config.URBackup != nil {
		webURL = b.Config.URBackup.URL
		for _, cc := range b.Config.URBackup.Clients {
			if cc.Name == client {
				folders = cc.Folders
			}
		}
	}
	fmt.Fprintf(w, "UrBackup restores its own backups; backdeck changes nothing.\n")
	for _, f := range model.URBackupRestore(ts.Name, rp, webURL, folders) {
		fmt.Fprintf(w, "  %-8s %s\n", f.Label, f.Value)
	}
}
