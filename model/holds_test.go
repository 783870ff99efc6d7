package model

import (
	"strings"
	"testing"
)

// A drive's holds name stores by id; in a cluster, where ids carry the node
// ("pve/local@alpha"), a hold written as "pve/<storage>" still names the one
// store of that name.
func TestHoldsMatchStores(t *testing.T) {
	stores := []Store{
		{ID: "pve/hddusb_bkpvzdumps@alpha", Name: "hddusb_bkpvzdumps", Node: "alpha"},
		{ID: "pve/local@alpha", Name: "local"},
		{ID: "pve/local@beta", Name: "local"},
		{ID: "host/hddusb_bkpdata", Name: "hddusb/bkpdata"},
		{ID: "pve/hddusb_bkpdata", Name: "hddusb_bkpdata"},
		{ID: "pve/nameless"},
	}
	for hold, want := range map[string]string{
		"pve/hddusb_bkpvzdumps":       "pve/hddusb_bkpvzdumps@alpha", // by name
		"alpha/hddusb_bkpvzdumps":     "pve/hddusb_bkpvzdumps@alpha", // an old node-prefixed id, by name
		"pve/hddusb_bkpdata":          "pve/hddusb_bkpdata",          // by id
		"host/hddusb_bkpdata":         "host/hddusb_bkpdata",         // by id, though its name differs
		"pve/local@beta":              "pve/local@beta",              // by id
		"pve/local":                   "",                            // two stores named local: neither
		"pve/elsewhere":               "",
		"pve/":                        "",
		"pve/hddusb_bkpvzdumps@gamma": "",
	} {
		got := ""
		if i := heldStore(stores, hold); i >= 0 {
			got = stores[i].ID
		}
		if got != want {
			t.Errorf("hold %q names %q, want %q", hold, got, want)
		}
	}

	drives := []Drive{{ID: "NA8F1234", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/local"}}}
	assignDrives(stores, drives)
	if stores[0].Drive != "NA8F1234" || stores[1].Drive != "" || stores[2].Drive != "" {
		t.Errorf("drives %q %q %q", stores[0].Drive, stores[1].Drive, stores[2].Drive)
	}
}

// The backups concern lists every store on a backup drive, whether it
// takes backups (vzdump's directory) or not (the thin pool of UrBackup's
// data), and no other store.
func TestBackupsConcernListsStoresOnDrives(t *testing.T) {
	src := SourceState{Source: SourceProxmox, OK: true, Stores: []Store{
		{ID: "pve/hddusb_bkpvzdumps", Name: "hddusb_bkpvzdumps", Online: true, Backup: true, Total: 100, Used: 10},
		{ID: "pve/hddusb_bkpdata", Name: "hddusb_bkpdata", Online: true, Total: 100, Used: 95},
		{ID: "pve/local-lvm", Name: "local-lvm", Online: true, Total: 100, Used: 99},
	}, Drives: []Drive{{ID: "NA8F1234", Serial: "NA8F1234", Name: "usb-backups", Health: HealthPassed, Present: true,
		Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}}}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{src}, Concerns: []ConcernSpec{{ID: ConcernBackups}}})
	var ids []string
	for _, ts := range p.Concerns[0].Targets {
		ids = append(ids, ts.ID)
	}
	if got := strings.Join(ids, " "); got != "store/pve/hddusb_bkpvzdumps store/pve/hddusb_bkpdata drive/NA8F1234" {
		t.Fatalf("the backups concern lists %s", got)
	}
	if p.Concerns[0].Status != StatusCritical {
		t.Fatalf("the concern is %s with a store on its drive 95%% full", p.Concerns[0].Status)
	}
}
