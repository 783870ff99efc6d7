package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

const testFile = "/home/u/.config/backdeck/config.toml"

// A minimal valid [proxmox] section, to build cases on.
const pveOK = `[proxmox]
url = "https://pve.homelab.cloud:8006"
token_id = "backdeck@pve!console"
token_secret_file = "/etc/backdeck/pve-token"
`

const fpUpper = "3F:9A:1C:5E:77:0B:D2:48:A6:19:EE:04:7C:B3:52:90:6D:F1:28:AA:C4:3B:85:0E:D9:62:17:4F:A0:BB:36:C8"

func TestParseConfigValid(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c *model.Config)
	}{
		{
			name: "empty file",
			src:  "",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Path", c.Path, testFile)
				eq(t, "Mode", c.Mode, "auto")
				eq(t, "Refresh", c.Refresh.Duration, 30*time.Second)
				eq(t, "Proxmox", c.Proxmox, (*model.ProxmoxConfig)(nil))
				eq(t, "URBackup", c.URBackup, (*model.URBackupConfig)(nil))
				eq(t, "Concerns", c.Concerns, []model.ConcernConfig{{ID: "backups"}})
			},
		},
		{
			name: "comments only",
			src:  "# nothing yet\n\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Concerns", c.Concerns, []model.ConcernConfig{{ID: "backups"}})
			},
		},
		{
			name: "only urbackup, a server without users",
			src:  "[urbackup]\nurl = \"http://bkpserver:55414/\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "URL", c.URBackup.URL, "http://bkpserver:55414")
				eq(t, "Timeout", c.URBackup.Timeout.Duration, 10*time.Second)
				eq(t, "Proxmox", c.Proxmox, (*model.ProxmoxConfig)(nil))
				eq(t, "Concerns", c.Concerns, []model.ConcernConfig{{ID: "backups"}})
			},
		},
		{
			name: "urbackup with a user and a password variable",
			src:  "[urbackup]\nurl = \"https://bkpserver.homelab.cloud\"\nusername = \"admin\"\npassword_env = \"URB_PW\"\ninsecure = true\ntimeout = \"1m\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Username", c.URBackup.Username, "admin")
				eq(t, "PasswordEnv", c.URBackup.PasswordEnv, "URB_PW")
				eq(t, "Insecure", c.URBackup.Insecure, true)
				eq(t, "Timeout", c.URBackup.Timeout.Duration, time.Minute)
			},
		},
		{
			name: "only drives",
			src:  "[[drive]]\nname = \"usb-backups\"\nserial = \"NA8F1234\"\nholds = [\"pve/hddusb_bkpvzdumps\"]\n\n[[drive]]\nname = \"usb-images\"\nserial = \"NB2K5678\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Drives", c.Drives, []model.DriveConfig{
					{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps"}},
					{Name: "usb-images", Serial: "NB2K5678"},
				})
			},
		},
		{
			name: "drives as an inline list of tables",
			src:  "drive = [{name = \"a\", serial = \"S1\"}, {name = \"b\", serial = \"S2\", holds = [\"pve/x\", \"pve/local@alpha\"]}]\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "len(Drives)", len(c.Drives), 2)
				eq(t, "Drives[1].Holds", c.Drives[1].Holds, []string{"pve/x", "pve/local@alpha"})
			},
		},
		{
			name: "proxmox defaults",
			src:  pveOK,
			check: func(t *testing.T, c *model.Config) {
				p := c.Proxmox
				eq(t, "Timeout", p.Timeout.Duration, 10*time.Second)
				eq(t, "Vzdump", p.Vzdump, model.VzdumpDefault{Mode: "snapshot", Compress: "zstd", NotesTemplate: "{{guestname}}"})
				eq(t, "TLS", p.TLSConfig, model.TLSConfig{})
				eq(t, "Concerns", c.Concerns, []model.ConcernConfig{
					{ID: "vms", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: []string{"*/qemu/*", "*/lxc/*"}},
					{ID: "backups"},
				})
			},
		},
		{
			name: "proxmox with everything set",
			src: pveOK + `fingerprint = "3f9a1c5e770bd248a619ee047cb352906df128aac43b850ed962174fa0bb36c8"
timeout = "30s"

[proxmox.vzdump]
storage = "hddusb_bkpvzdumps"
mode = "stop"
compress = "0"
notes_template = ""
protected = true
`,
			check: func(t *testing.T, c *model.Config) {
				p := c.Proxmox
				eq(t, "Fingerprint", p.Fingerprint, fpUpper)
				eq(t, "Timeout", p.Timeout.Duration, 30*time.Second)
				// An empty notes template written out stays empty: no notes.
				eq(t, "Vzdump", p.Vzdump, model.VzdumpDefault{Storage: "hddusb_bkpvzdumps", Mode: "stop", Compress: "0", Protected: true})
			},
		},
		{
			name: "fingerprint as openssl prints it",
			src:  pveOK + "fingerprint = \"sha256 Fingerprint=3F:9a:1C:5E:77:0B:D2:48:A6:19:EE:04:7C:B3:52:90:6D:F1:28:AA:C4:3B:85:0E:D9:62:17:4F:A0:BB:36:c8\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Fingerprint", c.Proxmox.Fingerprint, fpUpper)
			},
		},
		{
			name: "token secret from the environment",
			src:  strings.Replace(pveOK, `token_secret_file = "/etc/backdeck/pve-token"`, `token_secret_env = "BACKDECK_PVE_TOKEN"`, 1),
			check: func(t *testing.T, c *model.Config) {
				eq(t, "TokenSecretEnv", c.Proxmox.TokenSecretEnv, "BACKDECK_PVE_TOKEN")
				eq(t, "TokenSecretFile", c.Proxmox.TokenSecretFile, "")
			},
		},
		{
			name: "~ and relative paths",
			src: strings.Replace(pveOK, `"/etc/backdeck/pve-token"`, `"~/.config/backdeck/pve-token"`, 1) +
				"ca_file = \"certs/pve-ca.pem\"\n[urbackup]\nurl = \"https://bkp\"\nusername = \"admin\"\npassword_file = \"~\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "TokenSecretFile", c.Proxmox.TokenSecretFile, "/home/u/.config/backdeck/pve-token")
				eq(t, "CAFile", c.Proxmox.CAFile, "/home/u/.config/backdeck/certs/pve-ca.pem")
				eq(t, "PasswordFile", c.URBackup.PasswordFile, "/home/u")
			},
		},
		{
			name: "refresh at the minimum, mode, ui",
			src:  "mode = \"laptop\"\nrefresh = \"5s\"\n[ui]\nascii = true\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Mode", c.Mode, "laptop")
				eq(t, "Refresh", c.Refresh.Duration, 5*time.Second)
				eq(t, "UI", c.UI, model.UIConfig{ASCII: true})
			},
		},
		{
			name: "concerns as written, no defaults added",
			src: `[[concern]]
id = "host"
max_age = "35d"
targets = ["clonezilla/pve-ssd", "clonezilla/pve-hdd"]

[[concern]]
id = "vms"
name = "Guests"
max_age = 0
targets = ["pve/qemu/4[0-9]?", "pve/lxc/*"]
`,
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Concerns", c.Concerns, []model.ConcernConfig{
					{ID: "host", MaxAge: model.Duration{Duration: 35 * 24 * time.Hour}, Targets: []string{"clonezilla/pve-ssd", "clonezilla/pve-hdd"}},
					{ID: "vms", Name: "Guests", Targets: []string{"pve/qemu/4[0-9]?", "pve/lxc/*"}},
				})
			},
		},
		{
			name: "dotted keys and quoted keys",
			src:  pveOK + "vzdump.mode = \"suspend\"\n\"timeout\" = \"1m\"\n",
			check: func(t *testing.T, c *model.Config) {
				eq(t, "Vzdump.Mode", c.Proxmox.Vzdump.Mode, "suspend")
				eq(t, "Timeout", c.Proxmox.Timeout.Duration, time.Minute)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(t.Context(), testFile, []byte(tt.src))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// TestParseConfigErrors checks each error by what the operator reads: the
// file, the line, the table and key, and the advice.
func TestParseConfigErrors(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	const secret = "8a6e7c2f-1b3d-4e5f-9a0b-c1d2e3f4a5b6"
	tests := []struct {
		name string
		src  string
		line int      // 0: the error has no line
		has  []string // in the error message
		not  []string // never in it (secrets)
	}{
		// Syntax.
		{
			name: "syntax error",
			src:  "mode = \"auto\"\n\n[proxmox]\nurl = \"https://pve:8006\ntoken_id = \"x\"\n",
			line: 4,
			has:  []string{"strings cannot contain newlines"},
		},
		{
			name: "duplicate key",
			src:  "mode = \"auto\"\nmode = \"host\"\n",
			line: 2,
			has:  []string{"mode", "already"},
		},

		// UrBackup clients.
		{
			name: "urbackup client without a name",
			src:  "[urbackup]\nurl = \"http://bkp:55414\"\n\n[[urbackup.client]]\nfolders = [\"/mnt/x\"]\n",
			line: 4,
			has:  []string{"[[urbackup.client]] #1", "name", "missing"},
		},
		{
			name: "urbackup client twice",
			src:  "[urbackup]\nurl = \"http://bkp:55414\"\n[[urbackup.client]]\nname = \"a\"\n[[urbackup.client]]\nname = \"a\"\n",
			line: 6,
			has:  []string{"[[urbackup.client]] #2", "listed twice"},
		},
		{
			name: "urbackup client key misspelt",
			src:  "[urbackup]\nurl = \"http://bkp:55414\"\n[[urbackup.client]]\nname = \"a\"\nfoldrs = [\"/x\"]\n",
			line: 5,
			has:  []string{"did you mean \"folders\""},
		},

		// Clonezilla.
		{
			name: "clonezilla without image dirs",
			src:  "[clonezilla]\nhost = \"pve\"\n",
			line: 1,
			has:  []string{"[clonezilla] image_dirs", "missing"},
		},
		{
			name: "clonezilla relative image dir",
			src:  "[clonezilla]\nimage_dirs = [\"cz\"]\n",
			line: 2,
			has:  []string{"[clonezilla] image_dirs", "\"cz\" is not an absolute path"},
		},
		{
			name: "clonezilla disk without serial",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\n[[clonezilla.disk]]\nname = \"pve-ssd\"\n",
			line: 3,
			has:  []string{"[[clonezilla.disk]] #1", "serial", "missing"},
		},
		{
			name: "clonezilla disk serial twice",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\n[[clonezilla.disk]]\nname = \"a\"\nserial = \"X1\"\n[[clonezilla.disk]]\nname = \"b\"\nserial = \"x1\"\n",
			line: 8,
			has:  []string{"[[clonezilla.disk]] #2", "also the serial of [[clonezilla.disk]] #1"},
		},
		{
			name: "clonezilla disk name with a space",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\n[[clonezilla.disk]]\nname = \"pve ssd\"\nserial = \"X1\"\n",
			line: 4,
			has:  []string{"\"pve ssd\"", "letters, digits"},
		},
		{
			name: "clonezilla template without disk for two disks",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\nname_template = \"{host}-{date}\"\n[[clonezilla.disk]]\nname = \"a\"\nserial = \"X1\"\n[[clonezilla.disk]]\nname = \"b\"\nserial = \"X2\"\n",
			line: 3,
			has:  []string{"name_template", "same name"},
		},
		{
			name: "clonezilla label with a space",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\ndrive_label = \"cz images\"\n",
			line: 3,
			has:  []string{"drive_label", "drive_serial instead"},
		},
		{
			name: "clonezilla live version",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\nlive_version = \"3.2.0-5\"\n",
			line: 3,
			has:  []string{"live_version", "5.15.26"},
		},
		{
			name: "clonezilla negative keep",
			src:  "[clonezilla]\nimage_dirs = [\"/mnt/cz\"]\nkeep_last = -1\n",
			line: 3,
			has:  []string{"keep_last", "0 (keep all) or more"},
		},

		// Unknown keys.
		{
			name: "typo with did-you-mean",
			src:  strings.Replace(pveOK, "token_secret_file", "token_secret_fle", 1),
			line: 4,
			has:  []string{"[proxmox] token_secret_fle: unknown key", `did you mean "token_secret_file"?`},
		},
		{
			name: "did-you-mean by common prefix",
			src:  strings.Replace(pveOK, "token_secret_file", "token_secret_path", 1),
			line: 4,
			has:  []string{"[proxmox] token_secret_path: unknown key", `did you mean "token_secret_file"?`},
		},
		{
			name: "did-you-mean by separators",
			src:  strings.Replace(pveOK, "token_secret_file", "tokenSecretFile", 1),
			line: 4,
			has:  []string{`did you mean "token_secret_file"?`},
		},
		{
			name: "unknown key without a near name lists the known ones",
			src:  pveOK + "colour = \"blue\"\n",
			line: 5,
			has:  []string{"[proxmox] colour: unknown key; known keys here: url, token_id, token_secret_file, token_secret_env, fingerprint, ca_file, insecure, timeout, vzdump"},
		},
		{
			name: "unknown table",
			src:  "mode = \"auto\"\n[proxmx]\nurl = \"https://pve:8006\"\n",
			line: 2,
			has:  []string{"proxmx: unknown table", `did you mean "proxmox"?`},
		},
		{
			name: "unknown key in the second [[drive]]",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\n\n[[drive]]\nnmae = \"b\"\nserial = \"2\"\n",
			line: 6,
			has:  []string{"[[drive]] #2 nmae: unknown key", `did you mean "name"?`},
		},
		{
			name: "unknown key in [proxmox.vzdump]",
			src:  pveOK + "\n[proxmox.vzdump]\ncompression = \"zstd\"\n",
			line: 7,
			has:  []string{"[proxmox.vzdump] compression: unknown key", `did you mean "compress"?`},
		},
		{
			name: "plural table name",
			src:  "[[concerns]]\nid = \"vms\"\n",
			line: 1,
			has:  []string{"concerns: unknown table", `did you mean "concern"?`},
		},

		// Inline secrets.
		{
			name: "token_secret inline",
			src:  pveOK + "token_secret = \"" + secret + "\"\n",
			line: 5,
			has:  []string{"[proxmox] token_secret: inline secrets are not allowed: put the token secret in a file (token_secret_file, chmod 600) or an environment variable (token_secret_env)"},
			not:  []string{secret},
		},
		{
			name: "token inline",
			src:  "[proxmox]\ntoken = \"" + secret + "\"\n",
			line: 2,
			has:  []string{"[proxmox] token: inline secrets are not allowed"},
			not:  []string{secret},
		},
		{
			name: "secret inline in a multi-line string",
			src:  "[proxmox]\nsecret = \"\"\"\n" + secret + "\n\"\"\"\n",
			line: 2,
			has:  []string{"[proxmox] secret: inline secrets are not allowed"},
			not:  []string{secret},
		},
		{
			name: "password inline",
			src:  "[urbackup]\nurl = \"https://bkp\"\nusername = \"admin\"\npassword = \"hunter2\"\n",
			line: 4,
			has:  []string{"[urbackup] password: inline secrets are not allowed: put the password in a file (password_file, chmod 600) or an environment variable (password_env)"},
			not:  []string{"hunter2"},
		},
		{
			name: "secret in the token id",
			src:  strings.Replace(pveOK, `"backdeck@pve!console"`, `"backdeck@pve!console=`+secret+`"`, 1),
			line: 3,
			has:  []string{"[proxmox] token_id: holds an \"=\"", "token_secret_file"},
			not:  []string{secret},
		},
		{
			name: "secret in place of the variable name",
			src:  strings.Replace(pveOK, `token_secret_file = "/etc/backdeck/pve-token"`, `token_secret_env = "`+secret+`"`, 1),
			line: 4,
			has:  []string{"[proxmox] token_secret_env: is not an environment variable name"},
			not:  []string{secret},
		},
		{
			name: "secret in place of the file name",
			src:  strings.Replace(pveOK, `"/etc/backdeck/pve-token"`, `"`+secret+`"`, 1),
			line: 4,
			has:  []string{"[proxmox] token_secret_file: looks like the token secret itself"},
			not:  []string{secret},
		},
		{
			name: "password in the url",
			src:  "[urbackup]\nurl = \"https://admin:hunter2@bkp\"\n",
			line: 2,
			has:  []string{"[urbackup] url: must not hold a user or password"},
			not:  []string{"hunter2"},
		},

		// Types.
		// A bare number gets the unit that fits its key: seconds for a
		// timeout or a refresh, hours for an age; never "10h" for a timeout.
		{
			name: "proxmox timeout without a unit",
			src:  pveOK + "timeout = 10\n",
			line: 5,
			has:  []string{`[proxmox] timeout: 10 has no unit; write e.g. timeout = "10s" (units: s, m, h, d, w)`},
		},
		{
			name: "urbackup timeout without a unit",
			src:  "[urbackup]\nurl = \"http://bkp:55414\"\ntimeout = 10\n",
			line: 3,
			has:  []string{`[urbackup] timeout: 10 has no unit; write e.g. timeout = "10s"`},
		},
		{
			name: "timeout as a fraction without a unit",
			src:  pveOK + "timeout = 2.5\n",
			line: 5,
			has:  []string{`[proxmox] timeout: 2.5 has no unit; write e.g. timeout = "2.5s"`},
		},
		{
			name: "refresh without a unit",
			src:  "refresh = 30\n",
			line: 1,
			has:  []string{`refresh: 30 has no unit; write e.g. refresh = "30s"`},
		},
		{
			name: "refresh in quotes without a unit",
			src:  "refresh = \"30\"\n",
			line: 1,
			has:  []string{`refresh: "30" has no unit; write e.g. refresh = "30s"`},
		},
		{
			name: "max age without a unit",
			src:  "[[concern]]\nid = \"vms\"\nmax_age = 26\n",
			line: 3,
			has:  []string{`[[concern]] #1 max_age: 26 has no unit; write e.g. max_age = "26h"`},
		},
		{
			name: "max age in quotes without a unit",
			src:  "[[concern]]\nid = \"vms\"\nmax_age = \"26\"\n",
			line: 3,
			has:  []string{`[[concern]] #1 max_age: "26" has no unit; write e.g. max_age = "26h"`},
		},
		{
			name: "duration that is not a number",
			src:  pveOK + "timeout = inf\n",
			line: 5,
			has:  []string{`[proxmox] timeout: must be a string in quotes, not a number`},
		},
		{
			name: "bad duration in the second concern",
			src:  "[[concern]]\nid = \"vms\"\nmax_age = \"26h\"\n\n[[concern]]\nid = \"host\"\nmax_age = \"26x\"\n",
			line: 7,
			has:  []string{`[[concern]] #2 max_age: "26x" is not a duration; write e.g. "26h" or "7d"`},
		},
		{
			name: "negative max age",
			src:  "[[concern]]\nid = \"vms\"\nmax_age = \"-26h\"\n",
			line: 3,
			has:  []string{`[[concern]] #1 max_age: "-26h" is negative`},
		},
		{
			name: "bool as a string",
			src:  "[ui]\nascii = \"yes\"\n",
			line: 2,
			has:  []string{"[ui] ascii: must be true or false, not a string"},
		},
		{
			name: "compress as a number",
			src:  pveOK + "[proxmox.vzdump]\ncompress = 0\n",
			line: 6,
			has:  []string{"[proxmox.vzdump] compress: must be a string in quotes, not a number"},
		},
		{
			name: "holds as a string",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\nholds = \"pve/x\"\n",
			line: 4,
			has:  []string{"[[drive]] #1 holds: must be a list in brackets"},
		},
		{
			name: "a target that is not a string",
			src:  "[[concern]]\nid = \"vms\"\ntargets = [\n  \"pve/qemu/411\",\n  411,\n]\n",
			line: 5,
			has:  []string{"[[concern]] #1 targets: must be a string in quotes, not a number"},
		},
		{
			name: "[drive] instead of [[drive]]",
			src:  "[drive]\nname = \"a\"\n",
			line: 1,
			has:  []string{"drive: must be a list of tables ([[drive]]), not a table"},
		},
		{
			name: "[[proxmox]] instead of [proxmox]",
			src:  "[[proxmox]]\nurl = \"https://pve:8006\"\n",
			line: 1,
			has:  []string{"proxmox: must be a table ([proxmox]), not a list"},
		},

		// Top level.
		{
			name: "mode",
			src:  "mode = \"hots\"\n",
			line: 1,
			has:  []string{`mode: "hots" is not a mode; write "auto", "host" or "laptop"; did you mean "host"?`},
		},
		{
			name: "refresh too often",
			src:  "\nrefresh = \"2s\"\n",
			line: 2,
			has:  []string{"refresh: 2s is too often; the minimum is 5s"},
		},
		{
			name: "CRLF line ends",
			src:  "mode = \"auto\"\r\n\r\nrefresh = \"1s\"\r\n",
			line: 3,
			has:  []string{"refresh: 1s is too often"},
		},
		{
			name: "refresh zero",
			src:  "refresh = \"0s\"\n",
			line: 1,
			has:  []string{"refresh: 0s is too often"},
		},

		// [proxmox].
		{
			name: "url without a scheme",
			src:  strings.Replace(pveOK, "https://pve.homelab.cloud:8006", "pve:8006", 1),
			line: 2,
			has:  []string{`config.toml:2: [proxmox] url: "pve:8006" is not a URL; write e.g. "https://pve.homelab.cloud:8006"`},
		},
		{
			name: "url over plain http",
			src:  strings.Replace(pveOK, "https://", "http://", 1),
			line: 2,
			has:  []string{"[proxmox] url: the Proxmox API only speaks HTTPS", `"https://pve.homelab.cloud:8006"`},
		},
		{
			name: "url with the API path",
			src:  strings.Replace(pveOK, ":8006", ":8006/api2/json/", 1),
			line: 2,
			has:  []string{"[proxmox] url: leave out /api2/json"},
		},
		{
			name: "url with a query",
			src:  strings.Replace(pveOK, ":8006", ":8006/?x=1", 1),
			line: 2,
			has:  []string{"[proxmox] url:", "leave out the ?query"},
		},
		{
			name: "url missing",
			src:  "\n[proxmox]\ntoken_id = \"backdeck@pve!console\"\ntoken_secret_env = \"T\"\n",
			line: 2,
			has:  []string{`[proxmox] url: missing; write e.g. url = "https://pve.homelab.cloud:8006"`},
		},
		{
			name: "token id without a token name",
			src:  strings.Replace(pveOK, `"backdeck@pve!console"`, `"backdeck@pve"`, 1),
			line: 3,
			has:  []string{`[proxmox] token_id: "backdeck@pve" is not an API token id; write user@realm!tokenname, e.g. "backdeck@pve!console"`},
		},
		{
			name: "token id missing",
			src:  strings.Replace(pveOK, "token_id = \"backdeck@pve!console\"\n", "", 1),
			line: 1,
			has:  []string{"[proxmox] token_id: missing"},
		},
		{
			name: "no token secret",
			src:  strings.Replace(pveOK, "token_secret_file = \"/etc/backdeck/pve-token\"\n", "", 1),
			line: 1,
			has:  []string{"[proxmox] token_secret_file: missing: no token secret; set token_secret_file (a file, chmod 600) or token_secret_env (an environment variable)"},
		},
		{
			name: "both token secret sources",
			src:  pveOK + "token_secret_env = \"BACKDECK_PVE_TOKEN\"\n",
			line: 5,
			has:  []string{"[proxmox] token_secret_env: set only one of token_secret_file and token_secret_env"},
		},
		{
			name: "~user is not expanded",
			src:  strings.Replace(pveOK, `"/etc/backdeck/pve-token"`, `"~root/pve-token"`, 1),
			line: 4,
			has:  []string{"[proxmox] token_secret_file:", "only ~/… (your own home) is expanded"},
		},
		{
			name: "two ways to trust the certificate",
			src:  pveOK + "fingerprint = \"" + fpUpper + "\"\ninsecure = true\n",
			line: 6,
			has:  []string{"[proxmox] insecure: set only one of fingerprint, ca_file and insecure (here: fingerprint and insecure)"},
		},
		{
			name: "short fingerprint",
			src:  pveOK + "fingerprint = \"AA:BB:CC\"\n",
			line: 5,
			has:  []string{`[proxmox] fingerprint: "AA:BB:CC" is not a SHA-256 fingerprint (32 hex bytes`, "pvenode cert info", "openssl x509 -noout -fingerprint -sha256"},
		},
		{
			name: "fingerprint with a non-hex digit",
			src:  pveOK + "fingerprint = \"" + strings.Replace(fpUpper, "3F", "3G", 1) + "\"\n",
			line: 5,
			has:  []string{"[proxmox] fingerprint:", "is not a SHA-256 fingerprint"},
		},
		{
			name: "SHA-1 fingerprint",
			src:  pveOK + "fingerprint = \"" + fpUpper[:59] + "\"\n",
			line: 5,
			has:  []string{"[proxmox] fingerprint:", "is a SHA-1 fingerprint; write the SHA-256 one"},
		},
		{
			name: "zero timeout",
			src:  pveOK + "timeout = \"0s\"\n",
			line: 5,
			has:  []string{"[proxmox] timeout: must be more than 0s"},
		},
		{
			name: "vzdump mode",
			src:  pveOK + "[proxmox.vzdump]\nmode = \"snapshots\"\n",
			line: 6,
			has:  []string{`[proxmox.vzdump] mode: "snapshots" is not a vzdump mode; write "snapshot", "suspend" or "stop"; did you mean "snapshot"?`},
		},
		{
			// "snap" is two edits from "stop", the mode that shuts the VM
			// down: the mode it abbreviates is the one meant.
			name: "vzdump mode abbreviated",
			src:  pveOK + "[proxmox.vzdump]\nmode = \"snap\"\n",
			line: 6,
			has:  []string{`did you mean "snapshot"?`},
			not:  []string{`"stop"?`},
		},
		{
			name: "vzdump compress",
			src:  pveOK + "[proxmox.vzdump]\ncompress = \"xz\"\n",
			line: 6,
			has:  []string{`[proxmox.vzdump] compress: "xz" is not a compression; write "zstd", "lzo", "gzip" or "0"`},
		},
		{
			name: "vzdump storage as a store id",
			src:  pveOK + "[proxmox.vzdump]\nstorage = \"pve/hddusb_bkpvzdumps\"\n",
			line: 6,
			has:  []string{`[proxmox.vzdump] storage: "pve/hddusb_bkpvzdumps" is not a PVE storage name; write e.g. "hddusb_bkpvzdumps"`},
		},

		// [urbackup].
		{
			name: "urbackup url scheme",
			src:  "[urbackup]\nurl = \"ftp://bkp\"\n",
			line: 2,
			has:  []string{`[urbackup] url: "ftp://bkp" is not a URL; write e.g. "https://bkpserver.homelab.cloud"`},
		},
		{
			name: "urbackup url with /x",
			src:  "[urbackup]\nurl = \"https://bkp/x\"\n",
			line: 2,
			has:  []string{"[urbackup] url: leave out /x"},
		},
		{
			name: "urbackup user without a password",
			src:  "[urbackup]\nurl = \"https://bkp\"\nusername = \"admin\"\n",
			line: 3,
			has:  []string{`[urbackup] username: no password for "admin": set password_file`},
		},
		{
			name: "urbackup password without a user",
			src:  "[urbackup]\nurl = \"https://bkp\"\npassword_env = \"URB_PW\"\n",
			line: 1,
			has:  []string{"[urbackup] username: missing: a password is set"},
		},
		{
			name: "urbackup both password sources",
			src:  "[urbackup]\nurl = \"https://bkp\"\nusername = \"admin\"\npassword_file = \"/p\"\npassword_env = \"URB_PW\"\n",
			line: 5,
			has:  []string{"[urbackup] password_env: set only one of password_file and password_env"},
		},
		{
			name: "urbackup fingerprint over http",
			src:  "[urbackup]\nurl = \"http://bkp:55414\"\nfingerprint = \"" + fpUpper + "\"\n",
			line: 3,
			has:  []string{"[urbackup] fingerprint: only applies to an https:// url"},
		},
		{
			name: "urbackup two ways to trust",
			src:  "[urbackup]\nurl = \"https://bkp\"\nca_file = \"/ca.pem\"\ninsecure = true\n",
			line: 4,
			has:  []string{"[urbackup] insecure: set only one of fingerprint, ca_file and insecure"},
		},

		// [[drive]].
		{
			name: "drive without a serial",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\n\n[[drive]]\nname = \"b\"\n",
			line: 5,
			has:  []string{"[[drive]] #2 serial: missing"},
		},
		{
			name: "drive without a name",
			src:  "[[drive]]\nserial = \"1\"\n",
			line: 1,
			has:  []string{"[[drive]] #1 name: missing"},
		},
		{
			name: "duplicate serial, any case",
			src:  "[[drive]]\nname = \"a\"\nserial = \"na8f1234\"\n[[drive]]\nname = \"b\"\nserial = \"NA8F1234\"\n",
			line: 6,
			has:  []string{`[[drive]] #2 serial: "NA8F1234" is also the serial of [[drive]] #1`},
		},
		{
			name: "duplicate drive name",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\n[[drive]]\nname = \"a\"\nserial = \"2\"\n",
			line: 5,
			has:  []string{`[[drive]] #2 name: "a" is also the name of [[drive]] #1`},
		},
		{
			name: "holds entry without a node, on its own line",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\nholds = [\n  \"pve/hddusb_bkpvzdumps\", # the vzdumps\n  \"hddusb_bkpdata\",\n]\n",
			line: 6,
			has:  []string{`[[drive]] #1 holds: "hddusb_bkpdata" is not source/storage; write e.g. "pve/hddusb_bkpvzdumps"`},
		},
		{
			name: "store on two drives",
			src:  "[[drive]]\nname = \"a\"\nserial = \"1\"\nholds = [\"pve/x\"]\n[[drive]]\nname = \"b\"\nserial = \"2\"\nholds = [\"pve/y\", \"pve/x\"]\n",
			line: 8,
			has:  []string{`[[drive]] #2 holds: "pve/x" is also held by [[drive]] #1`},
		},

		// [[concern]].
		{
			name: "unknown concern id",
			src:  "[[concern]]\nid = \"vm\"\n",
			line: 2,
			has:  []string{`[[concern]] #1 id: "vm" is not a concern; write one of "host", "vms", "cluster", "appdata", "userdata" or "backups"; did you mean "vms"?`},
		},
		{
			name: "concern id with a separator",
			src:  "[[concern]]\nid = \"app-data\"\n",
			line: 2,
			has:  []string{`did you mean "appdata"?`},
		},
		{
			name: "concern id far from any",
			src:  "[[concern]]\nid = \"photos\"\n",
			line: 2,
			has:  []string{`"photos" is not a concern; write one of "host"`},
			not:  []string{"did you mean"},
		},
		{
			name: "concern without an id",
			src:  "[[concern]]\nmax_age = \"26h\"\n",
			line: 1,
			has:  []string{"[[concern]] #1 id: missing; write one of"},
		},
		{
			name: "duplicate concern",
			src:  "[[concern]]\nid = \"vms\"\n[[concern]]\nid = \"cluster\"\n[[concern]]\nid = \"vms\"\n",
			line: 6,
			has:  []string{`[[concern]] #3 id: "vms" is already [[concern]] #1`},
		},
		{
			name: "bad target pattern",
			src:  "[[concern]]\nid = \"vms\"\ntargets = [\"pve/qemu/411\", \"pve/qemu/[41\"]\n",
			line: 3,
			has:  []string{`[[concern]] #1 targets: "pve/qemu/[41" is not a valid pattern`},
		},
		{
			name: "empty target",
			src:  "[[concern]]\nid = \"vms\"\ntargets = [\"\"]\n",
			line: 3,
			has:  []string{`[[concern]] #1 targets: "" is not a target id`},
		},
		{
			name: "backups with targets",
			src:  "[[concern]]\nid = \"backups\"\ntargets = [\"pve/qemu/411\"]\n",
			line: 3,
			has:  []string{"[[concern]] #1 targets: the backups concern rates the stores and drives"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(t.Context(), testFile, []byte(tt.src))
			if err == nil {
				t.Fatalf("ParseConfig succeeded: %+v", c)
			}
			msg := err.Error()
			prefix := testFile + ":"
			if tt.line > 0 {
				prefix = fmt.Sprintf("%s:%d: ", testFile, tt.line)
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			for _, s := range tt.has {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(msg, s) {
					t.Errorf("error %q contains %q", msg, s)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != testFile || ce.Line != tt.line {
				t.Errorf("error is not a *Error for %s line %d: %#v", testFile, tt.line, ce)
			}
		})
	}
}

func TestParseConfigReportsAllProblemsInFileOrder(t *testing.T) {
	src := `mode = "hots"

[[drive]]
name = "a"
serial = "1"
holds = ["x"]

[proxmox]
url = "http://pve:8006"
token_id = "backdeck"
token_secret_env = "T"
`
	_, err := Parse(t.Context(), testFile, []byte(src))
	if err == nil {
		t.Fatal("ParseConfig succeeded")
	}
	var lines []int
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var ce *Error
			if !errors.As(e, &ce) {
				t.Fatalf("%v is not a *Error", e)
			}
			lines = append(lines, ce.Line)
		}
	}
	eq(t, "lines", lines, []int{1, 6, 9, 10})
	if got := strings.Count(err.Error(), "\n"); got != 3 {
		t.Errorf("error has %d line breaks, want one problem a line:\n%v", got, err)
	}
}

func TestParseConfigStructureBeforeValues(t *testing.T) {
	// A misspelt key is reported once, as a typo, not also as a missing key.
	src := strings.Replace(pveOK, "token_id", "tokenid", 1)
	_, err := Parse(t.Context(), testFile, []byte(src))
	if err == nil {
		t.Fatal("ParseConfig succeeded")
	}
	eq(t, "error", err.Error(), testFile+`:3: [proxmox] tokenid: unknown key; did you mean "token_id"?`)
}

func TestLoadConfig(t *testing.T) {
	c, err := Load(t.Context(), "testdata/relative-secret.toml")
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Path", c.Path, "testdata/relative-secret.toml")
	eq(t, "URL", c.Proxmox.URL, "https://pve.homelab.cloud:8006")
	eq(t, "TokenSecretFile", c.Proxmox.TokenSecretFile, filepath.Join(dir, "secrets", "pve-token"))
	eq(t, "CAFile", c.Proxmox.CAFile, filepath.Join(dir, "pve-ca.pem"))

	_, err = Load(t.Context(), "testdata/syntax-error.toml")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/syntax-error.toml:4: ") {
		t.Errorf("LoadConfig of a broken file: %v", err)
	}

	_, err = Load(t.Context(), "testdata/no-such-config.toml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadConfig of a missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestConfigExample keeps config.toml.example valid and as documented.
func TestConfigExample(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	c, err := Load(t.Context(), "../../config.toml.example")
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	eq(t, "Mode", c.Mode, "auto")
	eq(t, "Refresh", c.Refresh.Duration, 30*time.Second)
	eq(t, "Proxmox", *c.Proxmox, model.ProxmoxConfig{
		URL:             "https://pve.homelab.cloud:8006",
		TokenID:         "backdeck@pve!console",
		TokenSecretFile: "/home/u/.config/backdeck/pve-token",
		TLSConfig:       model.TLSConfig{Fingerprint: fpUpper},
		Timeout:         model.Duration{Duration: 10 * time.Second},
		Vzdump:          model.VzdumpDefault{Storage: "hddusb_bkpvzdumps", Mode: "snapshot", Compress: "zstd", NotesTemplate: "{{guestname}}"},
	})
	eq(t, "URBackup", *c.URBackup, model.URBackupConfig{
		URL:          "https://bkpserver.homelab.cloud",
		Username:     "admin",
		PasswordFile: "/home/u/.config/backdeck/urbackup-password",
		TLSConfig:    model.TLSConfig{Fingerprint: "5D:20:8B:E3:41:C7:9F:06:BA:73:1E:D4:68:2C:F5:90:A1:4B:37:E8:0C:DD:62:95:7A:13:C6:F0:89:24:5E:B7"},
		Timeout:      model.Duration{Duration: 10 * time.Second},
		Store:        "pve/hddusb_bkpdata",
		Clients: []model.URBackupClientConfig{{Name: "k3sagent01",
			Folders: []string{"/mnt/gitea-hdd/repos", "/mnt/gitea-ssd/data", "/mnt/gitea-ssd/db", "/mnt/monitoring-ssd/grafana-data"}}},
	})
	eq(t, "Host", c.Host, model.HostConfig{Mounts: []string{"/mnt/hddusb_bkpvzdumps"}})
	eq(t, "Clonezilla", *c.Clonezilla, model.ClonezillaConfig{
		ImageDirs: []string{"/mnt/cz-images"}, Host: "pve", NameTemplate: "{host}-{disk}-{date}",
		DriveLabel: "cz-images", DriveSerial: "NB2K5678", LiveVersion: "5.15.26", Locale: "en_US.UTF-8", Keyboard: "us",
		KeepLast: 2, KeepMonthly: 6,
		Disks: []model.ClonezillaDiskConfig{{Name: "pve-ssd", Serial: "S5GXNX0T"}, {Name: "pve-hdd", Serial: "ZFL1ABCD"}},
	})
	eq(t, "Drives", c.Drives, []model.DriveConfig{
		{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}},
		{Name: "usb-images", Serial: "NB2K5678", Holds: []string{}},
	})
	day := 24 * time.Hour
	agents := []string{"urbackup/k3sagent01", "urbackup/k3sagent02"}
	eq(t, "Concerns", c.Concerns, []model.ConcernConfig{
		{ID: "host", MaxAge: model.Duration{Duration: 35 * day}, Targets: []string{"clonezilla/pve-ssd", "clonezilla/pve-hdd"}},
		{ID: "vms", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: []string{"pve/qemu/*"}},
		{ID: "cluster", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: []string{"pve/qemu/411", "pve/qemu/421", "pve/qemu/422"}},
		{ID: "appdata", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: agents},
		{ID: "userdata", Name: "User data", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: agents},
		{ID: "backups"},
	})
	eq(t, "UI", c.UI, model.UIConfig{})
	eq(t, "Warnings", c.Warnings, []string(nil))
	// Every concern id of the product appears in the example.
	var ids []model.ConcernID
	for _, cc := range c.Concerns {
		ids = append(ids, model.ConcernID(cc.ID))
	}
	eq(t, "concern ids", ids, model.ConcernIDs())
}

func TestFindConfigPath(t *testing.T) {
	tests := []struct {
		name         string
		flag         string
		env          map[string]string
		want         string
		wantExplicit bool
	}{
		{name: "flag first", flag: "/etc/backdeck.toml", env: map[string]string{"BACKDECK_CONFIG": "/b.toml", "XDG_CONFIG_HOME": "/x", "HOME": "/home/u"}, want: "/etc/backdeck.toml", wantExplicit: true},
		{name: "flag with ~", flag: "~/bd.toml", env: map[string]string{"HOME": "/home/u"}, want: "/home/u/bd.toml", wantExplicit: true},
		{name: "BACKDECK_CONFIG", env: map[string]string{"BACKDECK_CONFIG": "/b.toml", "XDG_CONFIG_HOME": "/x", "HOME": "/home/u"}, want: "/b.toml", wantExplicit: true},
		{name: "XDG_CONFIG_HOME", env: map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/home/u"}, want: "/x/backdeck/config.toml"},
		{name: "relative XDG_CONFIG_HOME is ignored", env: map[string]string{"XDG_CONFIG_HOME": "x", "HOME": "/home/u"}, want: "/home/u/.config/backdeck/config.toml"},
		{name: "HOME", env: map[string]string{"HOME": "/home/u"}, want: "/home/u/.config/backdeck/config.toml"},
		{name: "nothing", env: map[string]string{}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, explicit := FindPath(tt.flag, func(k string) string { return tt.env[k] })
			if got != tt.want || explicit != tt.wantExplicit {
				t.Errorf("FindConfigPath = %q, %v; want %q, %v", got, explicit, tt.want, tt.wantExplicit)
			}
		})
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	for _, in := range []string{
		fpUpper,
		strings.ToLower(fpUpper),
		strings.ReplaceAll(fpUpper, ":", ""),
		"SHA256 Fingerprint=" + fpUpper,
		" " + fpUpper + " ",
	} {
		got, err := NormalizeFingerprint(in)
		if err != nil || got != fpUpper {
			t.Errorf("NormalizeFingerprint(%q) = %q, %v; want %q", in, got, err, fpUpper)
		}
	}
	for _, in := range []string{"", "AA", fpUpper + ":00", strings.Replace(fpUpper, "3F", "ZZ", 1)} {
		if got, err := NormalizeFingerprint(in); err == nil {
			t.Errorf("NormalizeFingerprint(%q) = %q, want an error", in, got)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"url", "token_id", "token_secret_file", "token_secret_env", "fingerprint", "ca_file", "insecure", "timeout", "vzdump"}
	tests := map[string]string{
		"urll":               "url",
		"URL":                "url",
		"tokenid":            "token_id",
		"token-secret-file":  "token_secret_file",
		"token_secret_path":  "token_secret_file",
		"token_secret_envv":  "token_secret_env",
		"fingerprint_sha256": "fingerprint",
		"insecure_skip":      "insecure",
		"time_out":           "timeout",
		"x":                  "",
		"colour":             "",
		"cert":               "",
	}
	for got, want := range tests {
		if s := suggest(got, known); s != want {
			t.Errorf("suggest(%q) = %q, want %q", got, s, want)
		}
	}
	// What a value starts is what it means, before what it is a few edits from.
	modes := []string{"snapshot", "suspend", "stop"}
	for got, want := range map[string]string{"snap": "snapshot", "sus": "suspend", "snapshots": "snapshot", "stp": "stop", "s": "", "st": ""} {
		if s := suggest(got, modes); s != want {
			t.Errorf("suggest(%q, modes) = %q, want %q", got, s, want)
		}
	}
}

func TestScanKeyLines(t *testing.T) {
	src := `# a comment with key = "value"
title = "x" # trailing
notes = """
[fake]
fake = "not a key"
"""
lit = '''
[[fake]]
'''
"quoted key" = 1
a.b.c = true
list = [
  1, # one
  [2, 3],
  { k = "v" },
]

[t]
x = { y = 1, z = { w = 2 } }

[[arr]]
name = "first"

[[arr]]
  name = "second"

[arr.sub]
v = 1

[t.u]
s = "a # not a comment"
`
	want := map[string]int{
		"title": 2, "notes": 3, "lit": 7, "quoted key": 10,
		"a": 11, "a.b": 11, "a.b.c": 11,
		"list": 12, "list[0]": 13, "list[1]": 14, "list[1][0]": 14, "list[1][1]": 14, "list[2]": 15, "list[2].k": 15,
		"t": 18, "t.x": 19, "t.x.y": 19, "t.x.z": 19, "t.x.z.w": 19,
		"arr": 21, "arr[0]": 21, "arr[0].name": 22,
		"arr[1]": 24, "arr[1].name": 25,
		"arr[1].sub": 27, "arr[1].sub.v": 28,
		"t.u": 30, "t.u.s": 31,
	}
	lines, err := scanKeyLines(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lines", lines.names(), want)
	// A name not written has the line of the nearest one that is.
	for name, line := range map[string]int{"t.x.z.w": 19, "t.x.nope": 19, "arr[1].sub.v[3]": 28, "arr[7]": 21, "nope": 0, "list[1][1]": 14} {
		if got := lines.line(name); got != line {
			t.Errorf("line(%q) = %d, want %d", name, got, line)
		}
	}
}

// names flattens the index back into the loader's names, for tests.
func (k *keyLines) names() map[string]int {
	out := map[string]int{}
	for id := int32(1); id < k.count; id++ {
		name := ""
		for n := k.at(id); ; n = k.at(n.parent) {
			if n.index >= 0 {
				name = fmt.Sprintf("[%d]", n.index) + name
			} else {
				name = "." + n.key + name
			}
			if n.parent == 0 {
				break
			}
		}
		out[strings.TrimPrefix(name, ".")] = int(k.at(id).line)
	}
	return out
}

func TestClonezillaImageDirsExpandHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(t.Context(), "/etc/backdeck/config.toml", []byte("[clonezilla]\nimage_dirs = [\"~/cz-images\", \"/mnt/cz\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clonezilla.ImageDirs; got[0] != filepath.Join(home, "cz-images") || got[1] != "/mnt/cz" {
		t.Errorf("image_dirs %q", got)
	}
	// Defaults: a host concern rating the images, the name template, Live's language.
	if cfg.Concerns[0].ID != "host" || cfg.Clonezilla.NameTemplate != DefaultImageNameTemplate || cfg.Clonezilla.Locale != "en_US.UTF-8" {
		t.Errorf("defaults %+v %+v", cfg.Concerns, cfg.Clonezilla)
	}
}
