package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

// backupJobRunner is what "run now" needs of the engine: PVE's job replayed
// on each node that has guests in it, one job per node.
type backupJobRunner interface {
	RunBackupJob(ctx context.Context, id string) ([]model.Job, error)
}

// runJobResultMsg is the answer to a "run now".
type runJobResultMsg struct {
	id    int
	label string
	jobs  []model.Job
	err   error
}

// runBackupJobCmd asks the engine to run a backup job now; target is
// "job/<id>". Each node's task then arrives as a job event, like any job.
func (m *Model) runBackupJobCmd(target, label string) tea.Cmd {
	eng := m.opts.Engine
	if s, ok := eng.(safeEngine); ok {
		eng = s.Engine
	}
	r, ok := eng.(backupJobRunner)
	if !ok {
		return m.say("this console cannot run backup jobs: no Proxmox VE source", true)
	}
	m.seq++
	id := m.seq
	m.inflight[id] = label
	jobID := strings.TrimPrefix(target, "job/")
	return tea.Batch(m.say("starting "+label+"…", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		jobs, err := r.RunBackupJob(ctx, jobID)
		return runJobResultMsg{id: id, label: label, jobs: termsafe.Clean(jobs), err: termsafe.CleanError(err)}
	})
}

func (m *Model) onRunJobResult(msg runJobResultMsg) tea.Cmd {
	if _, ok := m.inflight[msg.id]; !ok {
		return nil
	}
	delete(m.inflight, msg.id)
	var cmds []tea.Cmd
	var nodes []string
	for _, j := range msg.jobs {
		cmds = append(cmds, m.applyJob(j))
		nodes = append(nodes, j.Node)
	}
	if msg.err != nil {
		// Nodes started before one failed run on: their jobs show.
		return tea.Batch(append(cmds, m.actionFailed(model.SourceProxmox, "Cannot run the "+msg.label, msg.err))...)
	}
	return tea.Batch(append(cmds, m.say("started "+msg.label+" on "+strings.Join(nodes, ", "), false))...)
}
