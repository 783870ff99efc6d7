package pve

import (
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"
	"time"
)

// A guest's configuration file (/etc/pve/qemu-server/VMID.conf) as the
// config endpoints and vzdump's extractconfig show it. Seeded guests build
// theirs from their fields; a guest whose config was written (restored, or
// changed by PUT …/config) keeps it in guest.conf.

// guestConfig is a guest's config now, as key → value (a fresh map).
func (w *world) guestConfig(g *guest) map[string]string {
	if g.conf != nil {
		out := make(map[string]string, len(g.conf))
		for k, v := range g.conf {
			out[k] = v
		}
		return out
	}
	m := map[string]string{
		"boot":    "order=scsi0;net0",
		"cores":   itoa(g.maxcpu),
		"cpu":     "x86-64-v2-AES",
		"memory":  itoa(int(g.maxmem / mib)),
		"name":    g.name,
		"net0":    fmt.Sprintf("virtio=%s,bridge=vmbr0,firewall=1", macOf(g.vmid, 0)),
		"numa":    "0",
		"ostype":  "l26",
		"scsihw":  "virtio-scsi-single",
		"sockets": "1",
		"smbios1": "uuid=" + uuidOf(g.vmid),
		"vmgenid": uuidOf(g.vmid + 7),
	}
	if g.agent {
		m["agent"] = "1"
	}
	if g.tags != "" {
		m["tags"] = g.tags
	}
	if g.template {
		m["template"] = "1"
	}
	for _, d := range g.disks {
		v := d.volid + ",iothread=1"
		if !d.backup {
			v += ",backup=0"
		}
		m[d.key] = v + ",size=" + formatDiskSize(d.size)
	}
	return m
}

// macOf is a stable locally administered MAC (PVE's BC:24:11 prefix).
func macOf(vmid, n int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("mac/%d/%d", vmid, n)))
	return fmt.Sprintf("BC:24:11:%02X:%02X:%02X", h[0], h[1], h[2])
}

func uuidOf(seed int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("uuid/%d", seed)))
	return fmt.Sprintf("%x-%x-4%x-a%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])[:36]
}

// configText writes a config the way PVE's parser reads it: "key: value"
// lines, description first as "#" comment lines.
func configText(m map[string]string) string {
	var b strings.Builder
	if d := m["description"]; d != "" {
		for _, l := range strings.Split(d, "\n") {
			b.WriteString("#" + l + "\n")
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "description" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + m[k] + "\n")
	}
	return b.String()
}

// digestOf is the config's SHA-1, as PVE's "digest".
func digestOf(m map[string]string) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(configText(m))))
}

// GET /nodes/{node}/qemu/{vmid}/config: the current config, with its
// digest and the lock a task holds.
func (w *world) guestConfigGet(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	m := w.guestConfig(g)
	out := map[string]any{"digest": digestOf(m)}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range []string{"cores", "memory", "sockets", "agent", "template", "numa"} {
		if v, ok := m[k]; ok {
			out[k] = numberOr(v) // PVE types these as integers
		}
	}
	if l := w.lock(g.vmid, now); l != "" {
		out["lock"] = l
	}
	return out, nil
}

func numberOr(s string) any {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return s
		}
		n = n*10 + int(c-'0')
	}
	if s == "" {
		return s
	}
	return n
}

// configParams are the keys PUT …/config takes in the lab: the options a
// drill touches, and delete/digest.
func configParams() []string {
	p := []string{"delete", "digest", "description", "name", "onboot", "tags", "revert", "skiplock"}
	for i := 0; i < 8; i++ {
		p = append(p, fmt.Sprintf("net%d", i))
	}
	return p
}

// PUT /nodes/{node}/qemu/{vmid}/config: a synchronous change, refused on a
// locked guest, a stale digest, or a netN that is not there to change.
func (w *world) guestConfigPut(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	if l := w.lock(g.vmid, now); l != "" {
		return nil, serverError("VM is locked (%s)", l)
	}
	m := w.guestConfig(g)
	if d := r.form.Get("digest"); d != "" && d != digestOf(m) {
		return nil, serverError("detected modified configuration - file changed by other user? Try again.")
	}
	for k := range r.form {
		if !strings.HasPrefix(k, "net") {
			continue
		}
		v := r.form.Get(k)
		if !strings.Contains(v, "bridge=") && !strings.Contains(v, "=") {
			return nil, paramError(map[string]string{k: "invalid format - format error"})
		}
	}
	for k := range r.form {
		switch k {
		case "delete", "digest", "revert", "skiplock":
		default:
			m[k] = r.form.Get(k)
		}
	}
	for _, k := range splitList(r.form.Get("delete")) {
		delete(m, k)
	}
	g.conf = m
	if name := m["name"]; name != "" {
		g.name = name
	}
	g.agent = agentOn(m["agent"])
	return nil, nil
}

func agentOn(v string) bool {
	return v == "1" || strings.HasPrefix(v, "1,") || strings.Contains(v, "enabled=1")
}

// GET /nodes/{node}/vzdump/extractconfig?volume=…: the config stored in a
// backup archive, as text (PVE::Storage::extract_vzdump_config), with
// vzdump's #qmdump#map lines for each disk in the archive.
func (w *world) extractConfig(r *request, now time.Duration) (any, error) {
	volid := r.form.Get("volume")
	if volid == "" {
		return nil, missing("volume")
	}
	st, a := w.archiveOn(r.param("node"), volid)
	if a == nil {
		return nil, serverError("volume '%s' does not exist", volid)
	}
	if !w.acl.canSeeBackup(st.id, a.vmid) {
		return nil, permissionError("/storage/"+st.id, "Datastore.AllocateSpace")
	}
	if w.failExtract {
		w.failExtract = false
		return nil, serverError("command 'zstd -q -d -c %s/dump/%s' failed: got signal 13", st.path, volName(a.volid)[len("backup/"):])
	}
	conf := w.archiveConfig(a)
	text := configText(conf)
	var keys []string
	for k, v := range conf {
		if isDiskKey(k) && !strings.Contains(v, "backup=0") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		store, _, _ := strings.Cut(conf[k], ":")
		text += fmt.Sprintf("#qmdump#map:%s:drive-%s:%s:raw:\n", k, k, store)
	}
	return text, nil
}

// archiveConfig is the config a vzdump archive holds: its guest's at the
// time of the backup (the lab keeps the guest's config as it was seeded),
// or a small one when the guest is gone.
func (w *world) archiveConfig(a *archive) map[string]string {
	if g := w.guests[a.vmid]; g != nil {
		m := w.guestConfig(g)
		delete(m, "lock")
		return m
	}
	return map[string]string{
		"name": fmt.Sprintf("vm%d", a.vmid), "cores": "1", "memory": "1024", "ostype": "l26",
		"net0":  fmt.Sprintf("virtio=%s,bridge=vmbr0", macOf(a.vmid, 0)),
		"scsi0": fmt.Sprintf("local-lvm:vm-%d-disk-0,iothread=1,size=8G", a.vmid), "scsihw": "virtio-scsi-single",
	}
}

// isDiskKey is PVE's is_valid_drivename for the buses the lab uses.
func isDiskKey(k string) bool {
	for _, bus := range []string{"scsi", "virtio", "sata", "ide", "efidisk", "tpmstate"} {
		if rest, ok := strings.CutPrefix(k, bus); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// archiveOn finds a backup volume a node can reach.
func (w *world) archiveOn(node, volid string) (*storage, *archive) {
	id, _, ok := strings.Cut(volid, ":")
	if !ok {
		return nil, nil
	}
	st := w.storageOn(node, id)
	if st == nil {
		return nil, nil
	}
	for _, a := range st.archives {
		if a.volid == volid {
			return st, a
		}
	}
	return st, nil
}
