package proxmox

import (
	"encoding/json"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// The restore points of a real PVE's content listing are archives a
// restore takes, each belonging to its guest's target.
func TestParseArchiveRecordedVolids(t *testing.T) {
	var entries []contentEntry
	if err := json.Unmarshal(fixtureData(t, "storage-content-backup.json"), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no entries in the fixture")
	}
	for _, e := range entries {
		a, err := ParseArchive(e.VolID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Storage != "usb1" || a.Type != e.Subtype || a.VMID != int(e.VMID.Int64(0)) || a.Target() != targetID("qemu", a.VMID) {
			t.Errorf("%s: %+v", e.VolID, a)
		}
	}
	for volid, want := range map[string]Archive{
		"usb1:backup/vzdump-lxc-200-2026_01_15-03_00_02.tar.zst":  {Storage: "usb1", Type: "lxc", VMID: 200},
		"nfs:backup/vzdump-openvz-150-2016_01_15-03_00_02.tar.gz": {Storage: "nfs", Type: "lxc", VMID: 150},
	} {
		a, err := ParseArchive(volid)
		want.VolID = volid
		if err != nil || a != want {
			t.Errorf("%s: %+v %v", volid, a, err)
		}
	}
	for _, bad := range []string{"", "usb1:backup/notes.txt", "local:iso/x.iso", "usb1:backup/vzdump-qemu-0-2026_01_15-03_00_02.vma.zst"} {
		if _, err := ParseArchive(bad); err == nil {
			t.Errorf("%q taken for an archive", bad)
		}
	}
}

func TestParseConfigText(t *testing.T) {
	// The shape of PVE's extractconfig answer: notes as "#" lines (escaped),
	// then the options, vzdump's map lines, and snapshot sections.
	text := "#backdeck-drill%20of pve/qemu/421\nagent: 1\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\nscsi0: local-lvm:vm-421-disk-0,size=32G\n" +
		"#qmdump#map:scsi0:drive-scsi0:local-lvm:raw:\n\n[pre-upgrade]\nscsi0: local-lvm:vm-421-disk-0,size=32G\nname: old\n"
	c := ParseConfig(text)
	if len(c) != 4 || c["description"] != "backdeck-drill of pve/qemu/421" || c["agent"] != "1" || c["name"] != "" ||
		c["scsi0"] != "local-lvm:vm-421-disk-0,size=32G" {
		t.Errorf("%v", c)
	}
}

func TestRestoreProgressLine(t *testing.T) {
	p := model.UnknownProgress()
	restoreProgress("progress 45% (read 15461882265 bytes, duration 12 sec)", &p)
	if p.Percent != 45 || p.DoneBytes != 15461882265 || p.TotalBytes != 34359738366 || p.ReadBytesPerS < 1.28e9 {
		t.Errorf("%+v", p)
	}
	q := model.UnknownProgress()
	restoreProgress("progress 450% (read 1 bytes, duration 1 sec)", &q)
	restoreProgress("INFO:  45% (4.5 GiB of 10.0 GiB) in 30s", &q)
	if q != model.UnknownProgress() {
		t.Errorf("read a line that is not a restore's progress: %+v", q)
	}
}
