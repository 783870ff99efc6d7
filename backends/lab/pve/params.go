package pve

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// request is an API call: its path captures and its parameters (query and
// body merged, as PVE merges them).
type request struct {
	method string
	path   string
	params map[string]string
	form   url.Values
}

func newRequest(hr *http.Request, path string, params map[string]string) (*request, error) {
	r := &request{method: hr.Method, path: path, params: params, form: url.Values{}}
	ct, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	if ct == "application/json" && hr.Body != nil {
		var body map[string]any
		dec := json.NewDecoder(hr.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return nil, &apiError{status: http.StatusBadRequest, msg: "unable to parse JSON body - " + err.Error()}
		}
		for k, v := range body {
			r.form.Set(k, jsonParam(v))
		}
	} else if err := hr.ParseForm(); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, msg: "unable to parse parameters - " + err.Error()}
	}
	for k, vs := range hr.Form {
		r.form[k] = vs
	}
	for k, vs := range hr.URL.Query() {
		if _, ok := r.form[k]; !ok {
			r.form[k] = vs
		}
	}
	return r, nil
}

func jsonParam(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "1"
		}
		return "0"
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// checkParams refuses what the method's schema does not define, as PVE does
// (additionalProperties => 0).
func (r *request) checkParams(allowed []string) error {
	errs := map[string]string{}
	for k := range r.form {
		if _, isPath := r.params[k]; isPath {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			errs[k] = "property is not defined in schema and the schema does not allow additional properties"
		}
	}
	if len(errs) > 0 {
		return paramError(errs)
	}
	return nil
}

func (r *request) param(name string) string { return r.params[name] }

func (r *request) has(name string) bool { return r.form.Get(name) != "" }

// intParam reads an optional integer with a minimum, as PVE's schema checks it.
func (r *request) intParam(name string, def, min int) (int, error) {
	s := r.form.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, paramError(map[string]string{name: fmt.Sprintf("type check ('integer') failed - got '%s'", s)})
	}
	if n < min {
		return 0, paramError(map[string]string{name: fmt.Sprintf("value must have a minimum value of %d", min)})
	}
	return n, nil
}

// boolParam reads an optional boolean: 1/0, yes/no, on/off, true/false.
func (r *request) boolParam(name string, def bool) (bool, error) {
	s := strings.ToLower(r.form.Get(name))
	switch s {
	case "":
		return def, nil
	case "1", "yes", "on", "true":
		return true, nil
	case "0", "no", "off", "false":
		return false, nil
	}
	return false, paramError(map[string]string{name: fmt.Sprintf("type check ('boolean') failed - got '%s'", r.form.Get(name))})
}

// enumParam reads an optional value from a fixed list.
func (r *request) enumParam(name, def string, values ...string) (string, error) {
	s := r.form.Get(name)
	if s == "" {
		return def, nil
	}
	for _, v := range values {
		if s == v {
			return s, nil
		}
	}
	return "", paramError(map[string]string{name: fmt.Sprintf("value '%s' does not have a value in the enumeration '%s'", s, strings.Join(values, ", "))})
}

// vmidValue reads a vmid (100 … 999999999).
func vmidValue(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 999999999 {
		return 0, paramError(map[string]string{name: "invalid format - value does not look like a valid VM ID\n"})
	}
	return n, nil
}

func missing(name string) error {
	return paramError(map[string]string{name: "property is missing and it is not optional"})
}

// parseRetention reads a prune-backups property string:
// "keep-last=3,keep-daily=7" (keep-all=1 keeps everything).
func parseRetention(s string) (map[string]int, error) {
	keys := map[string]bool{"keep-all": true, "keep-last": true, "keep-hourly": true, "keep-daily": true,
		"keep-weekly": true, "keep-monthly": true, "keep-yearly": true}
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || !keys[k] {
			return nil, paramError(map[string]string{"prune-backups": fmt.Sprintf("invalid format - format error\n%s: property is not defined in schema and the schema does not allow additional properties", k)})
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, paramError(map[string]string{"prune-backups": fmt.Sprintf("invalid format - format error\n%s: type check ('integer') failed - got '%s'", k, v)})
		}
		out[k] = n
	}
	return out, nil
}

// retentionString writes retention the way vzdump logs it: sorted "k=v, k=v".
func retentionString(keep map[string]int) string {
	var parts []string
	for k, v := range keep {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
