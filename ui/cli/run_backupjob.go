package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/backdeck/backdeck/model"
)

// runBackupJob runs PVE's backup job id now and follows each node's task;
// text lines start with the node, JSON lines carry "node". Exit 0 only when
// every node's part succeeded.
func runBackupJob(ctx context.Context, c *call, id string, req model.JobRequest, asJSON bool) int {
	if id == "" {
		return c.failf(exitUsage, "give the job's id, e.g. backdeck run job/backup-k3s-daily (backdeck schedule lists them)")
	}
	if req.Method != "" && req.Method != model.MethodVzdump {
		return c.failf(exitUsage, "a backup job runs vzdump: leave --method out")
	}
	if req.Storage != "" || req.Mode != "" || req.Notes != "" || req.Protected != nil || req.Snapshot != "" || req.Description != "" {
		return c.failf(exitUsage, "a backup job runs with its own parameters: --storage, --mode, --notes, --protected, --name and --description do not apply")
	}
	b, stop, err := c.runEngine(ctx)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer stop()

	jobs, err := b.Engine.RunBackupJob(ctx, id)
	if err != nil && len(jobs) == 0 {
		return c.failf(2, "%v", err)
	}
	if err != nil {
		c.warnf("%v", err)
	}
	byID := map[string]int{}
	printers := make([]nodePrinter, len(jobs))
	running := 0
	for i, j := range jobs {
		byID[j.ID] = i
		printers[i] = nodePrinter{jobPrinter{out: c.Stdout, json: asJSON}, j.Node}
		printers[i].print(j)
		if !j.State.Terminal() {
			running++
		}
	}
	for running > 0 {
		select {
		case <-ctx.Done():
			return c.failf(exitInterrupted, "interrupted; the job goes on on the server. Stop its tasks from the dashboard (x).")
		case ev := <-b.Engine.Events():
			je, ok := ev.(model.JobEvent)
			if !ok {
				continue
			}
			i, ok := byID[je.Job.ID]
			if !ok || jobs[i].State.Terminal() {
				continue
			}
			jobs[i] = je.Job
			printers[i].print(je.Job)
			if je.Job.State.Terminal() {
				running--
			}
		}
	}
	code := 0
	if err != nil {
		code = 2 // a node could not be started
	}
	for _, j := range jobs {
		if !j.State.Succeeded() {
			code = 2
		}
	}
	return code
}

// nodePrinter prints one node's part of a backup job.
type nodePrinter struct {
	jobPrinter
	node string
}

func (p *nodePrinter) print(j model.Job) {
	line := newJobLine(j)
	var s string
	if p.json {
		b, _ := json.Marshal(struct {
			Node string `json:"node"`
			jobLine
		}{p.node, line})
		s = string(b)
	} else {
		s = p.node + ": " + line.text()
	}
	if s != p.last {
		fmt.Fprintln(p.out, s)
		p.last = s
	}
}
