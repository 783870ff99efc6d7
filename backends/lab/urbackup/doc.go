// Package urbackup is the lab's simulated UrBackup Server 2.5 web API
// (POST /x?a=ACTION) on plain HTTP, and the same server behind an nginx-like
// HTTPS front with a self-signed certificate, as the seed's bkpserver is
// reached (Start).
//
// Its world: the three K3s nodes as file-backup clients (k3sserver01 offline
// for a day), image backups off, eight weeks of nightly backups. It answers
// as UrBackup's own code does (urbackupserver/serverinterface, 2.5.x): "200
// ok" without Content-Length on a closed connection, JSON with a newline
// after every member and C++-printed doubles, {"error":1} for a missing
// session and an empty body for one not logged in yet, the salt/PBKDF2
// challenge login with its IP ban, and start_ok only meaning an online
// client got the command. Its backups run as the recorded real pair did
// (backends/urbackup/testdata/live): indexing with pcdone -1, the transfer,
// a minute at 99 % while the server finishes; speed_bpms in 10 s windows,
// eta_ms that is no estimate; a stop honoured only while the client indexes
// (later it is ignored and the backup completes); a client that died stays
// "online" for minutes, and a start right after it answers start_ok and
// then fails in the server's log; a full backup without new data has size 0
// (hard links); automatic backups switched off for a client still run when
// asked by hand. The web user's rights (Options.Rights) are what a=login
// reports, and an action whose right is "none" answers {"error":1}.
//
// The world runs on a monotonic clock from Options.Now and catches up with
// it at every request, so a fixed Now still lets backups run. The test
// hooks (SetClientOnline, CrashClient, FailNext, SetBadGateway …) change it
// the way the real world would.
package urbackup
