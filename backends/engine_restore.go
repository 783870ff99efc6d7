package backends

import (
	"context"

	"github.com/backdeck/backdeck/model"
)

// IDProposer proposes the VMID a restore to a new guest gets (PVE's
// /cluster/nextid). The restore itself is a job: Start with
// model.MethodRestore.
type IDProposer interface {
	NextID(ctx context.Context) (int, error)
}

// NextVMID is the VMID the source of targetID proposes for a restore to a
// new guest, so the console can show the number before it is used.
func (e *Engine) NextVMID(ctx context.Context, targetID string) (int, error) {
	p, err := capability[IDProposer](e, model.SourceOf(targetID), "does not restore to new guests")
	if err != nil {
		return 0, err
	}
	return p.NextID(ctx)
}
