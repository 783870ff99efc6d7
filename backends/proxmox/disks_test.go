package proxmox_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
)

// The disks and their SMART, as the SMART source's laptop path reads them.
func TestDisksAndSMARTOnTheLab(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()

	nodes, err := c.Nodes(ctx)
	if err != nil || !slices.Equal(nodes, []string{"pve"}) {
		t.Fatalf("nodes %q, %v", nodes, err)
	}
	disks, err := c.Disks(ctx, "pve")
	if err != nil {
		t.Fatal(err)
	}
	var serials []string
	for _, d := range disks {
		serials = append(serials, d.Type+":"+d.Serial)
	}
	if want := []string{"nvme:S5GXNX0T", "hdd:ZFL1ABCD", "usb:NA8F1234", "usb:NB2K5678"}; !slices.Equal(serials, want) {
		t.Errorf("disks %q, want %q", serials, want)
	}
	if d := disks[3]; d.DevPath != "/dev/sdc" || d.Health != "FAILED!" || d.Wearout != -1 || d.Vendor != "Hitachi" {
		t.Errorf("failing USB drive %+v", d)
	}

	raw, err := c.DiskSMART(ctx, "pve", "/dev/sdb")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Health     string `json:"health"`
		Type       string `json:"type"`
		Attributes []struct {
			ID  string `json:"id"`
			Raw string `json:"raw"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if data.Health != "PASSED" || data.Type != "ata" || len(data.Attributes) != 18 || data.Attributes[4].ID != "  5" {
		t.Errorf("the data member of disks/smart: %s", raw)
	}

	// A device PVE does not know is its 500 with the reason.
	_, err = c.DiskSMART(ctx, "pve", "/dev/sdz")
	var ae *proxmox.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Reason != "not a valid block device" {
		t.Errorf("unknown disk: %v (%+v)", err, ae)
	}
	// Unplugged, the drive leaves the list and its SMART fails.
	p.SetDrivePresent("NB2K5678", false)
	if disks, err := c.Disks(ctx, "pve"); err != nil || len(disks) != 3 {
		t.Errorf("after unplugging: %d disks, %v", len(disks), err)
	}
	if _, err := c.DiskSMART(ctx, "pve", "/dev/sdc"); err == nil {
		t.Error("SMART of an unplugged drive")
	}
}
