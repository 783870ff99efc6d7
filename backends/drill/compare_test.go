package drill

import (
	"strings"
	"testing"
)

func TestDifferences(t *testing.T) {
	archive := map[string]string{
		"name": "k3sagent01", "memory": "16384", "cores": "4", "agent": "1", "vmgenid": "a",
		"net0":  "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
		"scsi0": "local-lvm:vm-421-disk-0,iothread=1,size=32G",
		"scsi1": "hddusb_bkpdata:vm-421-disk-1,backup=0,size=1536G",
		"ide2":  "none,media=cdrom",
	}
	restored := map[string]string{
		"name": "backdeck-drill-102", "description": "backdeck-drill", "memory": "16384", "cores": "4", "agent": "1", "vmgenid": "b",
		"net0":  "virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1,link_down=1",
		"scsi0": "other:vm-102-disk-0,iothread=1,size=32G",
		"ide2":  "none,media=cdrom", "digest": "x",
	}
	if d := Differences(archive, restored); len(d) != 0 {
		t.Fatalf("a faithful restore differs: %q", d)
	}
	restored["memory"] = "8192"
	restored["scsi0"] = "other:vm-102-disk-0,iothread=1,size=8G"
	restored["net0"] = "virtio=BC:24:11:AA:BB:CC,bridge=vmbr1,link_down=1"
	delete(restored, "agent")
	restored["onboot"] = "1"
	d := Differences(archive, restored)
	want := []string{"agent: in the archive (1), missing", "memory: archive 16384, restored 8192", "net0: archive", "onboot: not in the archive, 1 after", "scsi0: archive"}
	if len(d) != len(want) {
		t.Fatalf("%q", d)
	}
	for i, w := range want {
		if !strings.HasPrefix(d[i], w) {
			t.Errorf("difference %d: %q, want %q…", i, d[i], w)
		}
	}
}
