// Package probe holds the first-contact and health checks that the setup
// wizard (ui/setup) and `backdeck doctor` share: what a site's TLS
// certificate is (its SHA-256 fingerprint, subject and expiry) before it is
// trusted; which privileges a PVE token has (GET /access/permissions) and
// which of the console's features each missing one switches off; what the
// PVE host holds (nodes, guests, templates, backup storages, backup jobs
// and the guests no job covers); why an UrBackup login fails (a wrong
// password, an unknown user, the server's ban) and which rights the web
// user lacks; whether this machine is the PVE host and its tools
// (smartctl, lsblk, lvs) run; the USB drives with their SMART state; and
// the local files (secret files' modes, the state directory, the history).
//
// Every check says what it found in words, and for a problem what to do.
// Nothing here prints, and no secret is ever part of a result: the PVE and
// UrBackup clients scrub theirs, and the checks of secret files report
// modes, never contents.
package probe
