package secret

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const theSecret = "8a6e7c2f-1b3d-4e5f-9a0b-c1d2e3f4a5b6"

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// Chmod explicitly: WriteFile's mode goes through the umask.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) string { return "" }

func TestReadFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
		errHas  []string
	}{
		{name: "owner only", content: theSecret + "\n", mode: 0o600, want: theSecret},
		{name: "read only", content: theSecret, mode: 0o400, want: theSecret},
		{name: "owner rwx", content: theSecret, mode: 0o700, want: theSecret},
		{name: "trailing whitespace and CRLF", content: theSecret + " \t\r\n\n", mode: 0o600, want: theSecret},
		{name: "readable by all", content: theSecret, mode: 0o644, errHas: []string{"mode 0644", "chmod 600 "}},
		{name: "readable by group", content: theSecret, mode: 0o640, errHas: []string{"mode 0640", "chmod 600 "}},
		{name: "writable by group", content: theSecret, mode: 0o620, errHas: []string{"mode 0620", "chmod 600 "}},
		{name: "writable by others", content: theSecret, mode: 0o602, errHas: []string{"mode 0602", "chmod 600 "}},
		{name: "empty", content: "", mode: 0o600, errHas: []string{"is empty"}},
		{name: "only a newline", content: "\n", mode: 0o600, errHas: []string{"is empty"}},
		{name: "two lines", content: "backdeck@pve!console\n" + theSecret + "\n", mode: 0o600, errHas: []string{"more than one line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "pve-token", tt.content, tt.mode)
			got, err := Read("Proxmox token secret", p, "", noEnv)
			if tt.errHas == nil {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Read = %q, want %q", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read = %q, want an error", got)
			}
			msg := err.Error()
			for _, s := range append(tt.errHas, p, "Proxmox token secret") {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			if strings.Contains(msg, theSecret) || strings.Contains(msg, "backdeck@pve!console") {
				t.Errorf("error %q contains the file's content", msg)
			}
		})
	}
}

func TestReadFileExactChmodFix(t *testing.T) {
	p := writeFile(t, "pve-token", theSecret, 0o644)
	_, err := Read("Proxmox token secret", p, "", noEnv)
	if err == nil || !strings.HasSuffix(err.Error(), "chmod 600 "+p) {
		t.Fatalf("error %v does not end with the fix %q", err, "chmod 600 "+p)
	}

	// A path the shell would split is quoted in the fix.
	dir := filepath.Join(t.TempDir(), "my secrets")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(dir, "pve-token")
	if err := os.WriteFile(q, []byte(theSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(q, 0o664); err != nil {
		t.Fatal(err)
	}
	_, err = Read("Proxmox token secret", q, "", noEnv)
	if err == nil || !strings.HasSuffix(err.Error(), "chmod 600 '"+q+"'") {
		t.Fatalf("error %v does not end with the quoted fix", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pve-token")
	_, err := Read("Proxmox token secret", p, "", noEnv)
	if err == nil {
		t.Fatal("Read of a missing file succeeded")
	}
	for _, s := range []string{p, "does not exist", "chmod 600 " + p} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Read("UrBackup password", dir, "", noEnv)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Read of a directory: %v", err)
	}
}

func TestReadEnv(t *testing.T) {
	env := map[string]string{
		"BACKDECK_PVE_TOKEN": theSecret + "\n",
		"EMPTY":              "",
		"BLANK":              " \n",
	}
	getenv := func(k string) string { return env[k] }

	got, err := Read("Proxmox token secret", "", "BACKDECK_PVE_TOKEN", getenv)
	if err != nil || got != theSecret {
		t.Fatalf("Read = %q, %v; want %q", got, err, theSecret)
	}
	for _, name := range []string{"UNSET", "EMPTY", "BLANK"} {
		_, err := Read("Proxmox token secret", "", name, getenv)
		if err == nil || !strings.Contains(err.Error(), name+" is not set") {
			t.Errorf("Read from %s: error %v, want %q", name, err, name+" is not set")
		}
	}
}

func TestReadNeitherOrBoth(t *testing.T) {
	// main.go says "the PVE token secret": no "the the" in the message.
	if _, err := Read("the PVE token secret", "", "", noEnv); err == nil || !strings.Contains(err.Error(), "no PVE token secret configured") {
		t.Errorf("neither: %v", err)
	}
	env := func(string) string { return theSecret }
	p := writeFile(t, "pw", theSecret, 0o600)
	_, err := Read("the UrBackup password", p, "PW", env)
	if err == nil || !strings.Contains(err.Error(), "keep one") || strings.Contains(err.Error(), theSecret) {
		t.Errorf("both: %v", err)
	}
}
