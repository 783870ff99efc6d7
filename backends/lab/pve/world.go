package pve

import (
	"fmt"
	"sort"
	"time"
)

// world is everything the simulated cluster knows: its nodes (one, "pve",
// unless Options.Nodes names more), their guests, storages and disks. Every
// access holds Server.mu and starts with advance(now), so the world is always up
// to date with its tasks.
type world struct {
	cfg   worldConfig
	start time.Time // world time at tick 0
	loc   *time.Location

	nodes  []*nodeInfo // in the order Options.Nodes gives them
	guests map[int]*guest
	vmids  []int // sorted
	// storages in storage.cfg's order; a storage that is not shared has one
	// entry per node it is on (each its own disk), a shared one one entry.
	storages []*storage
	disks    []*disk
	jobs     []backupJob

	tasks     map[string]*task
	taskOrder []*task // by creation; history first
	live      []*task // not finished yet
	events    eventQueue
	eventSeq  int
	pidSeq    uint32

	nextOutcome *Outcome
	acl         *acl // the token's privileges

	// restores and drills (restore.go, guestconfig.go)
	nextRestore *Outcome
	failExtract bool
}

type worldConfig struct {
	now          func() time.Time
	backup       time.Duration // one guest's vzdump
	short        time.Duration // snapshot, rollback, prune
	extraGuests  int
	nodes        []string // at least one
	fingerprint  string
	tokenUser    string
	monotonicNow time.Time
}

type nodeInfo struct {
	name    string
	bootAt  time.Time
	maxcpu  int
	maxmem  int64
	mem     int64
	maxdisk int64
	disk    int64

	// vzdump takes a node-wide lock (/var/run/vzdump.lock): one job at a
	// time on each node, the others wait in line.
	vzdumpHolder  *task
	vzdumpWaiters []*task
}

type guest struct {
	vmid     int
	name     string
	node     string
	template bool
	running  bool
	agent    bool
	maxcpu   int
	maxmem   int64
	mem      int64
	disks    []vdisk
	tags     string
	bootAt   time.Time
	// archiveSize is a typical zstd archive of the guest; dataSize the
	// non-zero data vzdump reads.
	archiveSize int64
	dataSize    int64
	snapshots   []*snapshot       // in creation order
	parent      string            // the snapshot "current" descends from
	staleLock   string            // a lock left behind (SetLock)
	conf        map[string]string // its written config; nil: built from the fields
	agentAt     time.Duration     // tick its guest agent answers from, after a start
}

type vdisk struct {
	key    string // scsi0
	volid  string // local-lvm:vm-421-disk-0
	size   int64
	backup bool
}

type snapshot struct {
	name        string
	description string
	snaptime    int64
	parent      string
	vmstate     bool
}

type storage struct {
	id         string
	node       string   // the node it is on; "" for a shared storage (on every node)
	typ        string   // dir, lvmthin
	content    []string // sorted, as PVE prints them
	path       string   // dir storages
	mountpoint bool     // is_mountpoint: inactive when not mounted
	active     bool
	shared     bool
	total      int64
	otherUsed  int64  // everything that is not a vzdump archive
	drive      string // serial of the disk it lives on
	// pruneBackups is storage.cfg's prune-backups ("keep-last=3,…"); ""
	// when unset, as on a new storage.
	pruneBackups string
	archives     []*archive
	sorted       bool
}

type archive struct {
	volid     string
	vmid      int
	ctime     int64
	size      int64
	format    string // vma.zst
	notes     string
	protected bool
}

type disk struct {
	node    string
	devpath string
	typ     string
	size    int64
	model   string
	serial  string
	vendor  string
	wwn     string
	rpm     any // number or string, as PVE sends it
	wearout any
	health  string
	used    string
	byID    string
	present bool
}

type backupJob struct {
	id, schedule, storage, mode, compress, vmid, notes string
	prune                                              map[string]string
	// what AddBackupJob adds: jobs.cfg's enabled (default 1), all with
	// exclude, pool, node
	disabled                bool
	all                     bool
	exclude, pool, onlyNode string
}

func newWorld(cfg worldConfig) *world {
	if len(cfg.nodes) == 0 {
		cfg.nodes = []string{"pve"}
	}
	now := cfg.now()
	w := &world{
		cfg:    cfg,
		start:  now,
		loc:    now.Location(),
		guests: map[int]*guest{},
		tasks:  map[string]*task{},
		pidSeq: 0x000A1B2C,
	}
	w.seedNodes(now)
	w.seedGuests(now)
	w.seedStorages()
	w.seedDisks()
	w.jobs = []backupJob{{
		id: "backup-k3s-daily", schedule: "14:20", storage: "hddusb_bkpvzdumps", mode: "snapshot",
		compress: "zstd", vmid: "411,421,422", notes: "{{guestname}}",
		prune: map[string]string{"keep-daily": "7", "keep-weekly": "4", "keep-monthly": "3"},
	}}
	w.seedHistory(now)
	return w
}

// tick is the server's own monotonic clock: tasks and their log lines are
// placed on it, so a fixed Options.Now still lets tasks run.
func (w *world) tick() time.Duration { return time.Since(w.cfg.monotonicNow) }

// timeAt is the world time at a tick.
func (w *world) timeAt(at time.Duration) time.Time { return w.start.Add(at).In(w.loc) }

// used is what a storage reports as used: its archives and everything else.
func (s *storage) used() int64 {
	n := s.otherUsed
	for _, a := range s.archives {
		n += a.size
	}
	return n
}

func (s *storage) hasContent(c string) bool {
	for _, x := range s.content {
		if x == c {
			return true
		}
	}
	return false
}

// sortedArchives is the content listing order: PVE sorts by volid, ignoring case.
func (s *storage) sortedArchives() []*archive {
	if !s.sorted {
		sort.Slice(s.archives, func(i, j int) bool { return lessFold(s.archives[i].volid, s.archives[j].volid) })
		s.sorted = true
	}
	return s.archives
}

func (s *storage) addArchive(a *archive) {
	s.archives = append(s.archives, a)
	s.sorted = false
}

func (s *storage) removeArchives(volids map[string]bool) {
	kept := s.archives[:0]
	for _, a := range s.archives {
		if !volids[a.volid] {
			kept = append(kept, a)
		}
	}
	for i := len(kept); i < len(s.archives); i++ {
		s.archives[i] = nil
	}
	s.archives = kept
}

// notMountedError is what PVE's DirPlugin says about an is_mountpoint
// directory storage whose disk is not mounted.
func (s *storage) notMountedError() string {
	return fmt.Sprintf("unable to activate storage '%s' - directory is expected to be a mount point but is not mounted: '%s'", s.id, s.path)
}

func (w *world) setStorageActive(s *storage, active bool, now time.Duration) {
	if s.active == active {
		return
	}
	s.active = active
	if !active {
		w.storageLost(s, now)
	}
}

func (w *world) setDrivePresent(serial string, present bool, now time.Duration) {
	for _, d := range w.disks {
		if d.serial == serial {
			d.present = present
		}
	}
	for _, s := range w.storages {
		if s.drive == serial {
			w.setStorageActive(s, present, now)
		}
	}
}

// lock is the guest's config lock at a tick: a running task's, else a stale one.
func (w *world) lock(vmid int, at time.Duration) string {
	for _, t := range w.live {
		for _, l := range t.locks {
			if l.vmid == vmid && l.from <= at && at < l.to {
				return l.name
			}
		}
	}
	if g := w.guests[vmid]; g != nil {
		return g.staleLock
	}
	return ""
}

// nodeNamed is the node of that name, nil when the cluster has none.
func (w *world) nodeNamed(name string) *nodeInfo {
	for _, n := range w.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

// on reports whether a storage can be reached from a node.
func (s *storage) on(node string) bool { return s.node == "" || s.node == node }

// storageOn is the storage with that id as a node sees it; nil when the
// node has none.
func (w *world) storageOn(node, id string) *storage {
	for _, s := range w.storages {
		if s.id == id && s.on(node) {
			return s
		}
	}
	return nil
}

// storagesOn lists a node's storages in storage.cfg's order.
func (w *world) storagesOn(node string) []*storage {
	var out []*storage
	for _, s := range w.storages {
		if s.on(node) {
			out = append(out, s)
		}
	}
	return out
}

// storagesNamed lists every entry of a storage id (one per node when it is
// not shared).
func (w *world) storagesNamed(id string) []*storage {
	var out []*storage
	for _, s := range w.storages {
		if s.id == id {
			out = append(out, s)
		}
	}
	return out
}

// storeID is the id backdeck gives the storage: "pve/<storage>", with
// "@<node>" when the same id names a storage of its own on several nodes.
func (w *world) storeID(s *storage) string {
	if s.node != "" && len(w.storagesNamed(s.id)) > 1 {
		return "pve/" + s.id + "@" + s.node
	}
	return "pve/" + s.id
}

func lessFold(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lower(a[i]), lower(b[i])
		if ca != cb {
			return ca < cb
		}
	}
	return len(a) < len(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
