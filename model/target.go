package model

import "time"

// Source names the tool a target, store or error comes from.
type Source string

const (
	SourceProxmox    Source = "proxmox"
	SourceURBackup   Source = "urbackup"
	SourceClonezilla Source = "clonezilla"
	SourceSMART      Source = "smart"
	// SourceHost is what the host itself reports (thin pools, mount points).
	SourceHost Source = "host"
	// SourceHistory is the console's own history database: its failures
	// are errors like a source's.
	SourceHistory Source = "history"
)

// TargetKind says what a target is.
type TargetKind string

const (
	KindVM       TargetKind = "qemu"
	KindLXC      TargetKind = "lxc"
	KindTemplate TargetKind = "template"
	KindClient   TargetKind = "client" // an UrBackup client
	KindDisk     TargetKind = "disk"   // a disk of the host, imaged by Clonezilla
	// KindStore and KindDrive are the rows of the backups concern.
	KindStore TargetKind = "store"
	KindDrive TargetKind = "drive"
)

// Target is one thing that gets backed up: a guest, a client, a disk.
// Its ID is stable and readable: "pve/qemu/411", "urbackup/k3sagent01".
type Target struct {
	ID     string
	Name   string
	Kind   TargetKind
	Source Source
	Node   string
	VMID   int
	// State is the runtime state the source reports ("running", "stopped").
	State string
	// Lock is set while PVE holds a lock on the guest ("backup", "snapshot"…).
	Lock string
	// Methods lists what can be started on the target, the first being the
	// default; the console offers these keys and no others.
	Methods       []Method
	RestorePoints []RestorePoint // newest first
	Snapshots     []Snapshot     // newest first
	// Drills are the restore drills run on the target, newest first, as the
	// console's history keeps them.
	Drills []Drill
	// Detail is a short line of facts for the detail pane.
	Detail string
	// Offline is set when the source says the target cannot be reached now
	// (an UrBackup client that is offline, a disk whose image drive is not
	// mounted); OfflineNote says so in words for the posture's reason
	// (default "the client is offline").
	Offline     bool
	OfflineNote string
	// NoJob is set when the source knows that no scheduled job backs the
	// target up (PVE's /cluster/backup-info/not-backed-up): its backups
	// happen only by hand.
	NoJob bool
	// Facts are labelled lines for the detail pane ("folders", "usage" …).
	Facts []Fact
}

// Fact is one labelled line of a target's detail.
type Fact struct {
	Label string
	Value string
}

// LastBackup is the newest restore point that counts as a backup (snapshots
// live on the same disks as the guest, so they never count; a point whose
// newest verification found problems cannot be restored from, so neither
// does it).
func (t Target) LastBackup() (RestorePoint, bool) {
	var best RestorePoint
	found := false
	for _, rp := range t.RestorePoints {
		if rp.Damaged() {
			continue
		}
		if !found || rp.Time.After(best.Time) {
			best, found = rp, true
		}
	}
	return best, found
}

// Newest is the target's newest restore point, damaged or not.
func (t Target) Newest() (RestorePoint, bool) {
	var best RestorePoint
	found := false
	for _, rp := range t.RestorePoints {
		if !found || rp.Time.After(best.Time) {
			best, found = rp, true
		}
	}
	return best, found
}

// TotalSize adds up the sizes of the target's restore points.
func (t Target) TotalSize() int64 {
	var n int64
	for _, rp := range t.RestorePoints {
		n += rp.Size
	}
	return n
}

// Method is a way to back up or act on a target.
type Method string

const (
	MethodVzdump         Method = "vzdump"
	MethodSnapshot       Method = "snapshot"
	MethodRollback       Method = "rollback"
	MethodDeleteSnapshot Method = "delete-snapshot"
	// UrBackup's four kinds of backup.
	MethodIncrFile  Method = "incr-file"
	MethodFullFile  Method = "full-file"
	MethodIncrImage Method = "incr-image"
	MethodFullImage Method = "full-image"
	// MethodVerify checks a restore point (a Clonezilla image) is whole.
	MethodVerify Method = "verify"
	// MethodRestore restores a vzdump archive to a guest.
	MethodRestore Method = "restore"
	// MethodDrill is a restore drill: restored to a scratch guest, checked,
	// destroyed (backends/drill).
	MethodDrill Method = "drill"
)

// Phrase names the method in a sentence: "incremental file backup".
func (m Method) Phrase() string {
	switch m {
	case MethodVzdump:
		return "vzdump backup"
	case MethodIncrFile:
		return "incremental file backup"
	case MethodFullFile:
		return "full file backup"
	case MethodIncrImage:
		return "incremental image backup"
	case MethodFullImage:
		return "full image backup"
	case MethodVerify:
		return "verification"
	}
	return string(m)
}

// Heavy reports whether a method loads the systems enough to ask first
// (a full UrBackup backup reads every file again).
func (m Method) Heavy() bool { return m == MethodFullFile || m == MethodFullImage }

// Destructive reports whether a method destroys data and needs a confirmation.
func (m Method) Destructive() bool {
	return m == MethodRollback || m == MethodDeleteSnapshot
}

// RestorePoint is one backup a target can be restored from.
type RestorePoint struct {
	ID        string // vzdump volid, UrBackup backup id, image path…
	Target    string
	Method    Method
	Time      time.Time
	Size      int64
	Format    string
	Notes     string
	Protected bool
	// Deduplicated marks a backup that stored no new data: every file was
	// already kept and is linked to it (UrBackup reports its size as 0).
	// It is whole; its Size says only what it added.
	Deduplicated bool
	Store        string // store id, e.g. "pve/hddusb_bkpvzdumps"
	// Stamp changes whenever the point's content may have changed (the
	// sizes and times of its files); "" when the source cannot tell.
	Stamp string
	// Verified is the newest check of the point's integrity; nil when it
	// was never checked.
	Verified *Verification
}

// Damaged reports whether the point's verdict found problems: it cannot be
// restored from.
func (rp RestorePoint) Damaged() bool { return rp.Verified != nil && !rp.Verified.OK }

// How deep a verification goes; each level does what the ones below do.
const (
	VerifyChecksums = 1 // every checksum file, file by file
	VerifyStreams   = 2 // the structure, every compressed stream decoded to its end
	VerifyPartclone = 3 // every partclone stream checked as partclone.chkimg does
)

// Verification is the result of checking that a restore point is whole.
type Verification struct {
	At       time.Time
	Level    int  // how deep: 1 checksums, 2 streams, 3 partclone CRCs
	OK       bool // no problem found
	Problems []string
	// Stamp is the point's Stamp when it was checked: a check of content
	// that has changed since says nothing of the content now.
	Stamp string
}

// Snapshot is a PVE snapshot of a guest.
type Snapshot struct {
	Name        string
	Description string
	Time        time.Time // zero when PVE gives none
	Parent      string
	VMState     bool
}
