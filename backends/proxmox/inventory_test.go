package proxmox

import (
	"slices"
	"testing"
)

func storageRes(node, name, status string, shared bool) resource {
	return resource{ID: "storage/" + node + "/" + name, Type: "storage", Node: node, Storage: name, Status: status,
		Shared: flag(shared), Content: "backup", PluginType: "dir", MaxDisk: number{100, true}, Disk: number{40, true}}
}

func nodeRes(name, status string) resource {
	return resource{ID: "node/" + name, Type: "node", Node: name, Status: status}
}

func storeIDs(inv *inventory) []string {
	var ids []string
	for _, st := range inv.storeList() {
		ids = append(ids, st.ID)
	}
	return ids
}

// Store ids in a cluster: a storage that is a directory of its own on each
// node gets the node in its id; a shared one, or one active on one node
// only (a USB drive configured everywhere), is one store.
func TestStoreIDsInACluster(t *testing.T) {
	res := []resource{
		nodeRes("alpha", "online"), nodeRes("beta", "online"),
		storageRes("alpha", "local", "available", false), storageRes("beta", "local", "available", false),
		storageRes("alpha", "nfs", "available", true), storageRes("beta", "nfs", "available", true),
		storageRes("alpha", "usb", "unknown", false), storageRes("beta", "usb", "available", false),
		storageRes("alpha", "only", "available", false),
	}
	inv := newInventory(res)
	want := []string{"pve/local@alpha", "pve/local@beta", "pve/nfs", "pve/only", "pve/usb"}
	if got := storeIDs(inv); !slices.Equal(got, want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	usb := inv.stores["usb"]
	if usb.Node != "beta" || !usb.Online || usb.Name != "usb" {
		t.Errorf("the USB store takes the facts of the node it is on: %+v", usb)
	}
	// Each node's storage list, in node order: a store reported by two
	// nodes is listed once, from a node where it is online.
	var listedFrom []string
	for _, node := range []string{"alpha", "beta"} {
		for _, name := range []string{"local", "nfs", "usb"} {
			active := !(node == "alpha" && name == "usb")
			s := nodeStorage{Storage: name, Type: "dir", Content: "backup", Active: flag(active), Total: number{100, true}}
			if st, list := inv.mergeBackupStorage(node, s); list {
				listedFrom = append(listedFrom, st.ID+" from "+node)
			}
		}
	}
	wantListed := []string{"pve/local@alpha from alpha", "pve/nfs from alpha", "pve/local@beta from beta", "pve/usb from beta"}
	if !slices.Equal(listedFrom, wantListed) {
		t.Errorf("listed %v, want %v", listedFrom, wantListed)
	}
	if !inv.stores["usb"].Online || inv.stores["usb"].Node != "beta" {
		t.Errorf("alpha's inactive report replaced beta's: %+v", inv.stores["usb"])
	}

	// Restore points carry the id of the store they were listed from.
	inv = newInventory(append(res, resource{Type: "qemu", Node: "beta", Name: "web", VMID: number{201, true}}))
	inv.addRestorePoints("pve/local@beta", []contentEntry{{VolID: "local:backup/vzdump-qemu-201-2026_01_01-00_00_00.vma.zst", VMID: number{201, true}}})
	ts := inv.targets(nil, nil)
	if len(ts) != 1 || ts[0].ID != "pve/qemu/201" || ts[0].Node != "beta" || len(ts[0].RestorePoints) != 1 || ts[0].RestorePoints[0].Store != "pve/local@beta" {
		t.Errorf("targets %+v", ts)
	}
}

// A node that is down keeps its storages' ids: "local" stays per node
// rather than becoming the one store "pve/local" until it is back.
func TestStoreIDsWithANodeDown(t *testing.T) {
	inv := newInventory([]resource{
		nodeRes("alpha", "online"), nodeRes("beta", "offline"),
		storageRes("alpha", "local", "available", false), storageRes("beta", "local", "unknown", false),
		storageRes("alpha", "usb", "available", false),
	})
	want := []string{"pve/local@alpha", "pve/local@beta", "pve/usb"}
	if got := storeIDs(inv); !slices.Equal(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
	if inv.stores["local@beta"].Online {
		t.Error("beta's local is online while beta is down")
	}
}

// A single node keeps the ids it always had: "pve/<storage>".
func TestStoreIDsOnOneNode(t *testing.T) {
	inv := newInventory([]resource{nodeRes("pve", "online"), storageRes("pve", "local", "available", false),
		storageRes("pve", "hddusb_bkpvzdumps", "unknown", false)})
	if got := storeIDs(inv); !slices.Equal(got, []string{"pve/hddusb_bkpvzdumps", "pve/local"}) {
		t.Errorf("ids %v", got)
	}
}
