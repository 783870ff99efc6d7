package model

import (
	"fmt"
	"strings"
)

// URBackupRestore says where an UrBackup backup's files are and how
// UrBackup itself restores them: backdeck restores none of them. Each line
// is a label and its words; webURL and folders are given when known (the
// config knows them, the console only the folders).
func URBackupRestore(client string, rp RestorePoint, webURL string, folders []string) []Fact {
	id := rp.ID[strings.LastIndexByte(rp.ID, '/')+1:]
	kind := "file backup"
	image := rp.Method == MethodIncrImage || rp.Method == MethodFullImage
	if image {
		kind = "image backup"
	}
	when := rp.Time.Local().Format("2006-01-02 15:04")
	facts := []Fact{{"backup", strings.TrimSpace(fmt.Sprintf("%s %s %s of client %s, %s, %s", rp.Notes, kind, id, client, when, HumanBytes(rp.Size)))}}
	if len(folders) > 0 {
		facts = append(facts, Fact{"folders", strings.Join(folders, ", ")})
	}
	web := "UrBackup's web UI"
	if webURL != "" {
		web = webURL
	}
	facts = append(facts, Fact{"web UI", web + " → Backups → " + client + " → the backup of " + when + " → browse, download or restore"})
	if image {
		return append(facts, Fact{"image", "boot the client from UrBackup's restore CD/USB and pick this backup"})
	}
	// urbackupclientctl's own options (clientctl/main.cpp): restore-start
	// removes files that are not in the backup unless -n is given.
	return append(facts,
		Fact{"client", "urbackupclientctl list   (the backups and their ids; -b " + id + " lists this one's files)"},
		Fact{"", "urbackupclientctl restore-start -b " + id + "   (its files back where they came from; -d PATH for one folder, -m FROM -t TO to put them elsewhere)"},
		Fact{"", "it removes files that are not in the backup unless -n (--no-remove) is given"})
}
