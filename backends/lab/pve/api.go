package pve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const apiPrefix = "/api2/json"

// handler answers one API call with the world up to date at tick now.
type handler func(w *world, r *request, now time.Duration) (any, error)

type route struct {
	method  string
	pattern []string // path segments after /api2/json; "{name}" captures one
	params  []string // the query/form parameters the method accepts
	handle  handler
}

// apiRoutes is the part of the PVE API the lab serves. Anything else answers
// 501 like pveproxy does for an unknown method.
func apiRoutes() []route {
	return []route{
		{"GET", seg("version"), nil, (*world).version},
		{"GET", seg("access/permissions"), []string{"userid", "path"}, (*world).accessPermissions},
		{"GET", seg("cluster/resources"), []string{"type"}, (*world).clusterResources},
		{"GET", seg("cluster/backup"), nil, (*world).clusterBackup},
		{"GET", seg("cluster/backup/{id}"), nil, (*world).clusterBackupJob},
		{"GET", seg("cluster/backup-info/not-backed-up"), nil, (*world).notBackedUp},
		{"GET", seg("nodes"), nil, (*world).nodeList},
		{"GET", seg("nodes/{node}/status"), nil, (*world).nodeStatus},
		{"GET", seg("nodes/{node}/qemu"), []string{"full"}, (*world).qemuList},
		{"GET", seg("nodes/{node}/storage"), []string{"content", "enabled", "format", "storage", "target"}, (*world).storageList},
		{"GET", seg("nodes/{node}/storage/{storage}/status"), nil, (*world).storageStatus},
		{"GET", seg("nodes/{node}/storage/{storage}/content"), []string{"content", "vmid"}, (*world).storageContent},
		{"GET", seg("nodes/{node}/storage/{storage}/prunebackups"), []string{"prune-backups", "type", "vmid"}, (*world).pruneBackupsPreview},
		{"DELETE", seg("nodes/{node}/storage/{storage}/prunebackups"), []string{"prune-backups", "type", "vmid"}, (*world).pruneBackups},
		{"PUT", seg("nodes/{node}/storage/{storage}/content/{volume}"), []string{"notes", "protected"}, (*world).volumeUpdate},
		{"GET", seg("storage"), []string{"type"}, (*world).storageConfigList},
		{"GET", seg("storage/{storage}"), nil, (*world).storageConfigRead},
		{"GET", seg("nodes/{node}/qemu/{vmid}/snapshot"), nil, (*world).snapshotList},
		{"POST", seg("nodes/{node}/qemu/{vmid}/snapshot"), []string{"snapname", "description", "vmstate"}, (*world).snapshotCreate},
		{"GET", seg("nodes/{node}/qemu/{vmid}/snapshot/{snapname}"), nil, (*world).snapshotIndex},
		{"GET", seg("nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config"), nil, (*world).snapshotConfig},
		{"POST", seg("nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback"), []string{"start"}, (*world).snapshotRollback},
		{"DELETE", seg("nodes/{node}/qemu/{vmid}/snapshot/{snapname}"), []string{"force"}, (*world).snapshotDelete},
		{"POST", seg("nodes/{node}/vzdump"), vzdumpParams(), (*world).vzdump},
		{"GET", seg("nodes/{node}/tasks"), []string{"start", "limit", "userfilter", "typefilter", "vmid", "errors", "source", "since", "until", "statusfilter"}, (*world).taskList},
		{"GET", seg("nodes/{node}/tasks/{upid}/status"), nil, (*world).taskStatus},
		{"GET", seg("nodes/{node}/tasks/{upid}/log"), []string{"start", "limit", "download"}, (*world).taskLog},
		{"GET", seg("nodes/{node}/tasks/{upid}"), nil, (*world).taskIndex},
		{"DELETE", seg("nodes/{node}/tasks/{upid}"), nil, (*world).taskStop},
		{"GET", seg("nodes/{node}/disks/list"), []string{"include-partitions", "skipsmart", "type"}, (*world).diskList},
		{"GET", seg("nodes/{node}/disks/smart"), []string{"disk", "healthonly"}, (*world).diskSmart},
		// restore and drill (restore.go, guestconfig.go, guestpower.go)
		{"GET", seg("cluster/nextid"), []string{"vmid"}, (*world).nextID},
		{"POST", seg("nodes/{node}/qemu"), restoreParams(), (*world).qemuCreate},
		{"DELETE", seg("nodes/{node}/qemu/{vmid}"), []string{"purge", "destroy-unreferenced-disks", "skiplock"}, (*world).guestDestroy},
		{"GET", seg("nodes/{node}/qemu/{vmid}/config"), []string{"current", "snapshot"}, (*world).guestConfigGet},
		{"PUT", seg("nodes/{node}/qemu/{vmid}/config"), configParams(), (*world).guestConfigPut},
		{"GET", seg("nodes/{node}/qemu/{vmid}/status/current"), nil, (*world).guestStatus},
		{"POST", seg("nodes/{node}/qemu/{vmid}/status/start"), []string{"skiplock", "timeout"}, (*world).guestStart},
		{"POST", seg("nodes/{node}/qemu/{vmid}/status/stop"), []string{"skiplock", "timeout", "keepActive"}, (*world).guestStop},
		{"POST", seg("nodes/{node}/qemu/{vmid}/agent/ping"), nil, (*world).agentPing},
		{"GET", seg("nodes/{node}/vzdump/extractconfig"), []string{"volume"}, (*world).extractConfig},
	}
}

func seg(p string) []string { return strings.Split(p, "/") }

// ServeHTTP is the API daemon: count, authenticate, route, answer.
func (p *Server) ServeHTTP(rw http.ResponseWriter, hr *http.Request) {
	p.countRequest(hr.URL.Path)
	if reason, ok := p.authenticate(hr); !ok {
		p.refuse(rw, hr, reason)
		return
	}
	// Split the escaped path: a volume id in it ("store:backup/…") has
	// its slash escaped, and is one segment.
	path, ok := strings.CutPrefix(hr.URL.EscapedPath(), apiPrefix)
	path = strings.Trim(path, "/")
	if !ok {
		writeError(rw, hr, notImplemented(hr.Method, hr.URL.Path))
		return
	}
	rt, params := match(p.routes, hr.Method, path)
	if rt == nil {
		writeError(rw, hr, notImplemented(hr.Method, "/"+path))
		return
	}
	r, err := newRequest(hr, path, params)
	if err == nil {
		err = r.checkParams(rt.params)
	}
	if err != nil {
		writeError(rw, hr, err)
		return
	}
	body, err := p.call(rt, r)
	if err != nil {
		writeError(rw, hr, err)
		return
	}
	h := rw.Header()
	daemonHeaders(h)
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(body)
}

// call runs a handler on the up-to-date world and encodes its answer.
// Handlers build their answers from fresh values, never from the world's own
// maps or slices, so encoding needs no lock.
func (p *Server) call(rt *route, r *request) ([]byte, error) {
	data, err := p.handle(rt, r)
	if err != nil {
		return nil, err
	}
	env := map[string]any{"data": data}
	if wt, ok := data.(withTotal); ok {
		env = map[string]any{"data": wt.data, "total": wt.total}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return nil, serverError("%v", err)
	}
	return buf.Bytes(), nil
}

func (p *Server) handle(rt *route, r *request) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.world
	now := w.tick()
	w.advance(now)
	if n, ok := r.params["node"]; ok && w.nodeNamed(n) == nil {
		return nil, serverError("hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known", n, n)
	}
	if err := w.acl.routeCheck(rt, r); err != nil {
		return nil, err
	}
	return rt.handle(w, r, now)
}

func match(routes []route, method, path string) (*route, map[string]string) {
	parts := strings.Split(path, "/")
	for i := range routes {
		rt := &routes[i]
		if rt.method != method || len(rt.pattern) != len(parts) {
			continue
		}
		params := map[string]string{}
		ok := true
		for j, s := range rt.pattern {
			if strings.HasPrefix(s, "{") {
				if parts[j] == "" {
					ok = false
					break
				}
				v, err := url.PathUnescape(parts[j])
				if err != nil {
					ok = false
					break
				}
				params[strings.Trim(s, "{}")] = v
			} else if s != parts[j] {
				ok = false
				break
			}
		}
		if ok {
			return rt, params
		}
	}
	return nil, nil
}

// withTotal is an answer that carries PVE's "total" beside "data".
type withTotal struct {
	data  any
	total int
}

// apiError is a failed call as PVE answers it: the message in the status
// line and in "message" (PVE 8.3+), parameter errors in "errors".
type apiError struct {
	status int
	msg    string
	errors map[string]string
}

func (e *apiError) Error() string { return e.msg }

func serverError(format string, args ...any) error {
	return &apiError{status: http.StatusInternalServerError, msg: fmt.Sprintf(format, args...)}
}

func paramError(errs map[string]string) error {
	return &apiError{status: http.StatusBadRequest, msg: "Parameter verification failed.", errors: errs}
}

func notImplemented(method, path string) error {
	return &apiError{status: http.StatusNotImplemented, msg: fmt.Sprintf("Method '%s %s' not implemented", method, path)}
}

func writeError(rw http.ResponseWriter, hr *http.Request, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{status: http.StatusInternalServerError, msg: err.Error()}
	}
	env := map[string]any{"data": nil, "message": e.msg + "\n"}
	if e.errors != nil {
		env["errors"] = e.errors
	}
	body, _ := json.Marshal(env)
	writeRaw(rw, hr, e.status, e.msg, body)
}

// writeRaw answers with a custom reason phrase, which net/http cannot do: it
// takes the connection over and writes the response itself, then closes it.
func writeRaw(rw http.ResponseWriter, hr *http.Request, status int, reason string, body []byte) {
	reason = strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(reason))
	// Read what is left of the request first: closing a connection with
	// unread data resets it, and the client would lose the answer.
	_, _ = io.Copy(io.Discard, io.LimitReader(hr.Body, 1<<20))
	hj, ok := rw.(http.Hijacker)
	if !ok {
		rw.WriteHeader(status)
		_, _ = rw.Write(body)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	h := http.Header{}
	daemonHeaders(h)
	if len(body) > 0 {
		h.Set("Content-Type", "application/json;charset=UTF-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Connection", "close")
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, reason)
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body)
	_ = buf.Flush()
}

// daemonHeaders are the headers pve-api-daemon sends with every answer.
func daemonHeaders(h http.Header) {
	now := time.Now().UTC().Format(http.TimeFormat)
	h.Set("Cache-Control", "max-age=0")
	h.Set("Date", now)
	h.Set("Expires", now)
	h.Set("Pragma", "no-cache")
	h.Set("Server", "pve-api-daemon/3.0")
}
