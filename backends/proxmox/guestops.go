package proxmox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// What a restore drill does to its scratch guest, besides restoring it:
// read and change its config, compare it with the archive's, start it,
// ping its agent, stop and destroy it. Each task-backed call returns a job
// for Follow, like a backup.

// GuestInfo is one guest of /cluster/resources.
type GuestInfo struct {
	VMID   int
	Type   string // qemu | lxc
	Name   string
	Node   string
	Status string // running | stopped
	Lock   string
}

// Guests lists every guest the token can see (one request).
func (c *Client) Guests(ctx context.Context) ([]GuestInfo, error) {
	res, err := c.resources(ctx)
	if err != nil {
		return nil, err
	}
	var out []GuestInfo
	for _, r := range res {
		if r.Type != "qemu" && r.Type != "lxc" {
			continue
		}
		out = append(out, GuestInfo{VMID: int(r.VMID.Int64(0)), Type: r.Type, Name: r.Name, Node: r.Node, Status: r.Status, Lock: r.Lock})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VMID < out[j].VMID })
	return out, nil
}

// Config is a guest config as key → value; Description is its notes.
type Config map[string]string

// GuestConfig reads a guest's current config and its digest.
func (c *Client) GuestConfig(ctx context.Context, g GuestInfo) (Config, string, error) {
	var raw map[string]json.RawMessage
	if err := c.get(ctx, guestPath(g.Node, g.Type, g.VMID)+"/config", &raw); err != nil {
		return nil, "", fmt.Errorf("reading the config of %s %d: %w", guestWord(g.Type), g.VMID, err)
	}
	conf := Config{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = strings.TrimSpace(string(v)) // numbers stay as PVE wrote them
		}
		conf[k] = s
	}
	digest := conf["digest"]
	delete(conf, "digest")
	return conf, digest, nil
}

// SetGuestConfig changes config keys (PUT, synchronous); digest guards
// against a change made meanwhile.
func (c *Client) SetGuestConfig(ctx context.Context, g GuestInfo, set map[string]string, digest string) error {
	form := url.Values{}
	for k, v := range set {
		form.Set(k, v)
	}
	if digest != "" {
		form.Set("digest", digest)
	}
	if err := c.put(ctx, guestPath(g.Node, g.Type, g.VMID)+"/config", form, nil); err != nil {
		return fmt.Errorf("changing the config of %s %d: %w", guestWord(g.Type), g.VMID, err)
	}
	return nil
}

// ExtractConfig reads the config stored in a vzdump archive
// (GET /nodes/{n}/vzdump/extractconfig).
func (c *Client) ExtractConfig(ctx context.Context, node, volid string) (Config, error) {
	var text string
	if err := c.get(ctx, "/nodes/"+url.PathEscape(node)+"/vzdump/extractconfig?volume="+url.QueryEscape(volid), &text); err != nil {
		return nil, fmt.Errorf("reading the config stored in %s: %w", volid, err)
	}
	return ParseConfig(text), nil
}

// ParseConfig reads a config file's text: "key: value" lines up to the
// first snapshot section, the leading "#" lines as the description;
// vzdump's "#qmdump#" lines are not part of it.
func ParseConfig(text string) Config {
	conf := Config{}
	var desc []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "["):
			return withDescription(conf, desc)
		case strings.HasPrefix(line, "#qmdump#"), strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "#"):
			d, _ := url.PathUnescape(line[1:]) // PVE escapes the notes' special characters
			desc = append(desc, d)
		default:
			k, v, ok := strings.Cut(line, ":")
			if ok {
				conf[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return withDescription(conf, desc)
}

func withDescription(conf Config, desc []string) Config {
	if len(desc) > 0 {
		conf["description"] = strings.Join(desc, "\n")
	}
	return conf
}

// StartGuest starts a guest (a qmstart/vzstart task).
func (c *Client) StartGuest(ctx context.Context, g GuestInfo) (model.Job, error) {
	return c.guestTask(ctx, g, "/status/start", "starting")
}

// StopGuest stops a guest at once (qmstop/vzstop: no shutdown).
func (c *Client) StopGuest(ctx context.Context, g GuestInfo) (model.Job, error) {
	return c.guestTask(ctx, g, "/status/stop", "stopping")
}

func (c *Client) guestTask(ctx context.Context, g GuestInfo, sub, verb string) (model.Job, error) {
	var answer *string
	if err := c.post(ctx, guestPath(g.Node, g.Type, g.VMID)+sub, url.Values{}, &answer); err != nil {
		return model.Job{}, fmt.Errorf("%s %s %d: %w", verb, guestWord(g.Type), g.VMID, err)
	}
	return c.guestJob(g, answer)
}

func (c *Client) guestJob(g GuestInfo, answer *string) (model.Job, error) {
	job := model.Job{Target: targetID(g.Type, g.VMID), Name: g.Name, Source: model.SourceProxmox, Node: g.Node,
		Started: c.now(), Guest: g.VMID, Progress: model.UnknownProgress()}
	return c.taskJob(job, answer)
}

// AgentPing asks a VM's guest agent to answer; nil when it does.
func (c *Client) AgentPing(ctx context.Context, g GuestInfo) error {
	if g.Type != "qemu" {
		return fmt.Errorf("containers have no guest agent")
	}
	return c.post(ctx, guestPath(g.Node, g.Type, g.VMID)+"/agent/ping", url.Values{}, nil)
}

// DestroyGuest removes a stopped guest with its disks, everywhere it is
// referenced (purge=1, destroy-unreferenced-disks=1): a qmdestroy task.
func (c *Client) DestroyGuest(ctx context.Context, g GuestInfo) (model.Job, error) {
	var answer *string
	p := guestPath(g.Node, g.Type, g.VMID) + "?purge=1&destroy-unreferenced-disks=1"
	if err := c.del(ctx, p, &answer); err != nil {
		return model.Job{}, fmt.Errorf("destroying %s %d: %w", guestWord(g.Type), g.VMID, err)
	}
	return c.guestJob(g, answer)
}

// Guest finds one guest by VMID in a fresh /cluster/resources.
func (c *Client) Guest(ctx context.Context, vmid int) (GuestInfo, bool, error) {
	list, err := c.Guests(ctx)
	if err != nil {
		return GuestInfo{}, false, err
	}
	for _, g := range list {
		if g.VMID == vmid {
			return g, true, nil
		}
	}
	return GuestInfo{}, false, nil
}
