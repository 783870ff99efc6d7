package model

// ConcernID names one of the six backup concerns of the homelab guide.
type ConcernID string

const (
	ConcernHost     ConcernID = "host"
	ConcernVMs      ConcernID = "vms"
	ConcernCluster  ConcernID = "cluster"
	ConcernAppData  ConcernID = "appdata"
	ConcernUserData ConcernID = "userdata"
	ConcernBackups  ConcernID = "backups"
)

// ConcernIDs lists the concerns in the order the dashboard shows them.
var concernOrder = []ConcernID{ConcernHost, ConcernVMs, ConcernCluster, ConcernAppData, ConcernUserData, ConcernBackups}

// ConcernIDs returns the six concern ids in display order.
func ConcernIDs() []ConcernID { return append([]ConcernID(nil), concernOrder...) }

// Valid reports whether id is one of the six concerns.
func (id ConcernID) Valid() bool {
	for _, c := range concernOrder {
		if c == id {
			return true
		}
	}
	return false
}

// DefaultName is the human name of a concern.
func (id ConcernID) DefaultName() string {
	switch id {
	case ConcernHost:
		return "Host platform"
	case ConcernVMs:
		return "Virtual machines"
	case ConcernCluster:
		return "Kubernetes cluster"
	case ConcernAppData:
		return "Application data"
	case ConcernUserData:
		return "User data"
	case ConcernBackups:
		return "Backups"
	}
	return string(id)
}

// Rank is the position of the concern in display order (unknown ids last).
func (id ConcernID) Rank() int {
	for i, c := range concernOrder {
		if c == id {
			return i
		}
	}
	return len(concernOrder)
}
