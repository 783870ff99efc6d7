package backends

import (
	"context"
	"fmt"

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
	b, ok := e.backends[model.SourceOf(targetID)]
	if !ok {
		return 0, fmt.Errorf("no %s source is configured for %s", model.SourceOf(targetID), targetID)
	}
	p, ok := b.(IDProposer)
	if !ok {
		return 0, fmt.Errorf("%s does not restore to new guests", b.Source())
	}
	return p.NextID(ctx)
}
