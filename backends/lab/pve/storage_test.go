package pve

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

type backupEntry struct {
	Volid     string `json:"volid"`
	Content   string `json:"content"`
	Subtype   string `json:"subtype"`
	Format    string `json:"format"`
	Size      int64  `json:"size"`
	CTime     int64  `json:"ctime"`
	VMID      int    `json:"vmid"`
	Notes     string `json:"notes"`
	Protected *int   `json:"protected"`
}

type storageEntryJSON struct {
	Storage      string   `json:"storage"`
	Type         string   `json:"type"`
	Content      string   `json:"content"`
	Enabled      int      `json:"enabled"`
	Active       int      `json:"active"`
	Total        int64    `json:"total"`
	Used         int64    `json:"used"`
	Avail        int64    `json:"avail"`
	UsedFraction *float64 `json:"used_fraction"`
}

func fixedNow(s string) func() time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.Local)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

func TestSeedBackupHistory(t *testing.T) {
	t.Parallel()
	now := fixedNow("2026-11-28 16:00")
	_, c := startLab(t, Options{Now: now})
	var backups []backupEntry
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup", &backups)
	if !sort.SliceIsSorted(backups, func(i, j int) bool { return backups[i].Volid < backups[j].Volid }) {
		t.Error("content not sorted by volid")
	}
	byVM := map[int][]backupEntry{}
	for _, b := range backups {
		if b.Content != "backup" || b.Subtype != "qemu" || b.Format != "vma.zst" || b.Size <= 0 ||
			!strings.HasPrefix(b.Volid, "hddusb_bkpvzdumps:backup/vzdump-qemu-"+itoa(b.VMID)+"-") {
			t.Errorf("entry %+v", b)
		}
		stamp := time.Unix(b.CTime, 0).Format("2006_01_02-15_04_05")
		if !strings.Contains(b.Volid, stamp) {
			t.Errorf("ctime %s does not match volid %s", stamp, b.Volid)
		}
		if b.Protected != nil && *b.Protected != 1 {
			t.Errorf("protected present but %d", *b.Protected)
		}
		byVM[b.VMID] = append(byVM[b.VMID], b)
	}
	for vmid, mib := range map[int]int64{100: 835, 101: 653} {
		list := byVM[vmid]
		if len(list) != 1 || list[0].Protected == nil || list[0].Size/(1<<20) < mib*95/100 || list[0].Size/(1<<20) > mib*105/100 {
			t.Errorf("template %d backups %+v", vmid, list)
		}
		if age := now().Sub(time.Unix(list[0].CTime, 0)); age < 55*24*time.Hour || age > 65*24*time.Hour {
			t.Errorf("template %d backup is %v old", vmid, age)
		}
	}
	k3s := map[int]struct {
		name string
		gib  float64
	}{411: {"k3sserver01", 1.2}, 421: {"k3sagent01", 2.7}, 422: {"k3sagent02", 3.6}}
	for vmid, want := range k3s {
		list := byVM[vmid]
		// keep-daily=7, keep-weekly=4, keep-monthly=3 over four months, buckets overlapping.
		if len(list) < 10 || len(list) > 14 {
			t.Errorf("%d has %d backups", vmid, len(list))
		}
		newest := list[len(list)-1]
		ct := time.Unix(newest.CTime, 0)
		if ct.Format("2006-01-02 15:04") != "2026-11-28 14:20" && ct.Format("2006-01-02 15:04") != "2026-11-28 14:21" &&
			ct.Format("2006-01-02 15:04") != "2026-11-28 14:22" {
			t.Errorf("%d newest backup at %v, want today's 14:2x run", vmid, ct)
		}
		for _, b := range list {
			g := float64(b.Size) / (1 << 30)
			if b.Notes != want.name || g < want.gib*0.9 || g > want.gib*1.1 || b.Protected != nil {
				t.Errorf("%d backup %+v (%.2f GiB)", vmid, b, g)
			}
		}
	}
	last := byVM[431][len(byVM[431])-1]
	if age := now().Sub(time.Unix(last.CTime, 0)); age < 8*24*time.Hour || age > 10*24*time.Hour {
		t.Errorf("bkpserver's last backup is %v old, want about 9 days", age)
	}
}

func TestTodaysRunOnlyAfter1425(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{Now: fixedNow("2026-11-28 14:10")})
	var backups []backupEntry
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup&vmid=411", &backups)
	for _, b := range backups {
		if strings.Contains(b.Volid, "2026_11_28") {
			t.Errorf("today's backup present before the run: %s", b.Volid)
		}
	}
	if len(backups) == 0 || !strings.Contains(backups[len(backups)-1].Volid, "2026_11_27-14_2") {
		t.Errorf("newest backup is not yesterday's: %+v", backups[len(backups)-1])
	}
}

func TestStorageListAndUsage(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var list []storageEntryJSON
	c.get("/nodes/pve/storage", &list)
	if len(list) != 4 {
		t.Fatalf("%d storages", len(list))
	}
	var backupOnly []storageEntryJSON
	c.get("/nodes/pve/storage?content=backup&enabled=1", &backupOnly)
	if len(backupOnly) != 1 || backupOnly[0].Storage != "hddusb_bkpvzdumps" {
		t.Fatalf("content=backup: %+v", backupOnly)
	}
	s := backupOnly[0]
	if s.Type != "dir" || s.Active != 1 || s.Enabled != 1 || s.Total != 2298738638848 || s.Used+s.Avail != s.Total ||
		s.UsedFraction == nil || *s.UsedFraction <= 0 || *s.UsedFraction >= 1 {
		t.Errorf("backup storage %+v", s)
	}
	var backups []backupEntry
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup", &backups)
	var sum int64
	for _, b := range backups {
		sum += b.Size
	}
	if sum >= s.Used {
		t.Errorf("archives %d bytes but storage used %d", sum, s.Used)
	}
}

func TestUnpluggedStorage(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	p.SetStorageActive("hddusb_bkpvzdumps", false)
	var list []storageEntryJSON
	c.get("/nodes/pve/storage?content=backup", &list)
	if s := list[0]; s.Active != 0 || s.Total != 0 || s.Used != 0 || s.Avail != 0 || s.UsedFraction != nil {
		t.Errorf("unplugged storage %+v", s)
	}
	var res []resource
	c.get("/cluster/resources?type=storage", &res)
	for _, r := range res {
		if r.Storage == "hddusb_bkpvzdumps" && (r.Status != "unknown" || r.Disk != nil) {
			t.Errorf("unplugged storage resource %+v", r)
		}
	}
	wantMsg := "unable to activate storage 'hddusb_bkpvzdumps' - directory is expected to be a mount point but is not mounted: '/mnt/hddusb_bkpvzdumps'"
	status, msg, _ := c.apiErr(http.MethodGet, "/nodes/pve/storage/hddusb_bkpvzdumps/content", url.Values{"content": {"backup"}})
	if status != "500 "+wantMsg || msg != wantMsg+"\n" {
		t.Errorf("content of unplugged storage: %q / %q", status, msg)
	}
	// PVE starts the job and its worker dies checking the storage.
	var upid string
	c.call(http.MethodPost, "/nodes/pve/vzdump", url.Values{"vmid": {"421"}, "storage": {"hddusb_bkpvzdumps"}}, &upid)
	lines, st := c.follow(upid, nil)
	if st.ExitStatus != "could not activate storage 'hddusb_bkpvzdumps': "+wantMsg {
		t.Errorf("exit status %q", st.ExitStatus)
	}
	if len(lines) != 1 || lines[0] != "TASK ERROR: "+st.ExitStatus {
		t.Errorf("log %q", lines)
	}
	p.SetStorageActive("hddusb_bkpvzdumps", true)
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup", nil)
}

func TestVzdumpToStorageWithoutBackupContent(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var upid string
	c.call(http.MethodPost, "/nodes/pve/vzdump", url.Values{"vmid": {"421"}}, &upid) // no storage: "local"
	_, st := c.follow(upid, nil)
	if st.ExitStatus != "could not get storage information for 'local': can't use storage 'local' for backups - wrong content type" {
		t.Errorf("exit status %q", st.ExitStatus)
	}
}

func TestDrivePresence(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	type diskJSON struct {
		DevPath string `json:"devpath"`
		Type    string `json:"type"`
		Serial  string `json:"serial"`
		RPM     any    `json:"rpm"`
		Wearout any    `json:"wearout"`
		Health  string `json:"health"`
	}
	var disks []diskJSON
	c.get("/nodes/pve/disks/list", &disks)
	if len(disks) != 4 || disks[1].RPM != "7200" || disks[1].Wearout != "N/A" || disks[0].Wearout != 97.0 ||
		disks[2].Type != "usb" || disks[2].Serial != "NA8F1234" || disks[2].Health != "PASSED" ||
		disks[3].Type != "usb" || disks[3].Serial != "NB2K5678" || disks[3].Health != "FAILED!" {
		t.Errorf("disks %+v", disks)
	}
	p.SetDrivePresent("NA8F1234", false)
	c.get("/nodes/pve/disks/list", &disks)
	if len(disks) != 3 || slices.ContainsFunc(disks, func(d diskJSON) bool { return d.Serial == "NA8F1234" }) {
		t.Errorf("unplugged drive still listed: %+v", disks)
	}
	var list []storageEntryJSON
	c.get("/nodes/pve/storage", &list)
	for _, s := range list {
		if want := b2i(!strings.HasPrefix(s.Storage, "hddusb_")); s.Active != want {
			t.Errorf("%s active %d", s.Storage, s.Active)
		}
	}
	p.SetDrivePresent("NA8F1234", true)
	c.get("/nodes/pve/disks/list", &disks)
	if len(disks) != 4 {
		t.Errorf("replugged drive missing")
	}
	// The Clonezilla images drive holds no storage: unplugging it only
	// takes it off the list.
	p.SetDrivePresent("NB2K5678", false)
	c.get("/nodes/pve/disks/list", &disks)
	if len(disks) != 3 || disks[2].Serial != "NA8F1234" {
		t.Errorf("unplugged usb-images still listed: %+v", disks)
	}
	if status, _, _ := c.apiErr("GET", "/nodes/pve/disks/smart?disk=/dev/sdc", nil); status != "500 not a valid block device" {
		t.Errorf("SMART of an unplugged drive: %q", status)
	}
	c.get("/nodes/pve/storage", &list)
	for _, s := range list {
		if s.Active != 1 {
			t.Errorf("%s active %d", s.Storage, s.Active)
		}
	}
}

func TestSmart(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var ata struct {
		Health     string `json:"health"`
		Type       string `json:"type"`
		Attributes []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Value     int    `json:"value"`
			Worst     int    `json:"worst"`
			Threshold int    `json:"threshold"`
			Fail      string `json:"fail"`
			Raw       string `json:"raw"`
		} `json:"attributes"`
	}
	c.get("/nodes/pve/disks/smart?disk=/dev/sda", &ata)
	if ata.Health != "PASSED" || ata.Type != "ata" || len(ata.Attributes) < 10 {
		t.Fatalf("ata smart %+v", ata)
	}
	found := map[string]string{}
	for _, a := range ata.Attributes {
		if len(a.ID) != 3 {
			t.Errorf("id %q is not padded to 3", a.ID)
		}
		found[a.ID] = a.Raw
	}
	if found["  5"] != "0" || found["194"] != "34 (0 20 0 0 0)" {
		t.Errorf("attributes %v", found)
	}
	var nvme map[string]any
	c.get("/nodes/pve/disks/smart?disk=/dev/nvme0n1", &nvme)
	if nvme["type"] != "text" || !strings.Contains(nvme["text"].(string), "Percentage Used:                    3%") {
		t.Errorf("nvme smart %v", nvme)
	}
	// The USB drives: what the lab's smartctl prints, in PVE's shape
	// (host_match_test.go compares the two).
	var usb struct {
		Health     string           `json:"health"`
		Type       string           `json:"type"`
		Attributes []map[string]any `json:"attributes"`
	}
	c.get("/nodes/pve/disks/smart?disk=/dev/sdb", &usb)
	if usb.Health != "PASSED" || usb.Type != "ata" || len(usb.Attributes) != 18 || usb.Attributes[4]["id"] != "  5" {
		t.Errorf("usb smart %+v", usb)
	}
	c.get("/nodes/pve/disks/smart?disk=/dev/sdc", &usb)
	if usb.Health != "FAILED!" || usb.Type != "ata" || len(usb.Attributes) != 17 ||
		usb.Attributes[4]["fail"] != "FAILING_NOW" || usb.Attributes[4]["raw"] != "1975" {
		t.Errorf("failing usb smart %+v", usb)
	}
	if status, _, _ := c.apiErr("GET", "/nodes/pve/disks/smart?disk=/dev/sdz", nil); status != "500 not a valid block device" {
		t.Errorf("unknown disk: %q", status)
	}
	if _, _, errs := c.apiErr("GET", "/nodes/pve/disks/smart", nil); errs["disk"] != "property is missing and it is not optional" {
		t.Errorf("missing disk: %v", errs)
	}
}
