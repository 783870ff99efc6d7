// Package pve is the lab's simulated Proxmox VE 8.4 API server (Start), over
// HTTPS with a self-signed certificate. Its world is the seed homelab of
// DESIGN.md with four months of backup history. Tasks (vzdump, snapshots,
// prune) run in wall time, computed from elapsed time on a monotonic clock,
// so the server has no goroutines of its own and a fixed Options.Now still
// lets tasks run.
//
// Where it answers as PVE's own code does (pve-manager, qemu-server,
// pve-storage), rather than as one might guess:
//
//   - 401: empty body, the reason only in the status line ("invalid token
//     value!", "No ticket"), after Options.AuthFailDelay. Every other error
//     also carries its message as the reason phrase, and in "message" (8.3+);
//     parameter errors answer 400 "Parameter verification failed." with
//     "errors". Unknown parameters are refused, as PVE's schemas do.
//
//   - vzdump starts a task even when it is bound to fail: an unknown guest
//     ("unable to find VM '999'"), a locked guest ("VM is locked (backup)"),
//     an unmounted storage (the worker dies: "could not activate storage
//     …"). Jobs take the node's vzdump lock: a second job logs "trying to get
//     global lock - waiting..." and runs after the first. Progress lines use
//     Perl's "%3d%%": a one-digit percent has three spaces after "INFO:".
//
//   - Snapshot create, rollback and delete are tasks (qmsnapshot, qmrollback,
//     qmdelsnapshot); a locked guest or a missing snapshot fails the task.
//     Rolling back to a snapshot without RAM leaves the guest stopped.
//
//   - DELETE …/prunebackups is a "prunebackups" task, its UPID the answer.
//
//   - A task that is gone (ForgetTask): status and stop answer 400 with
//     errors {"upid": "no such task"}; its log answers 200 with the single
//     line "unable to open file - No such file or directory".
//
//   - Task lists: source=archive (the default) lists finished tasks only,
//     active the running ones with status "RUNNING", all both. Token tasks
//     show user "user@realm" and "tokenid" apart.
//
//   - A cluster (Options.Nodes): each /nodes/{node}/… call answers for that
//     node only. A guest asked for on another node gets 500 "Configuration
//     file 'nodes/<node>/qemu-server/<vmid>.conf' does not exist", a storage
//     the node does not have "storage '…' is not available on node '…'". A
//     vzdump of guests that are all on other nodes answers "OK" and starts
//     no task; the others are logged as "skip external VMs: …". Each node
//     has its own vzdump lock. Server.Migrate moves a guest at once (a real
//     migration is a task) and refuses a locked one, as qm migrate does.
//
//   - An unmounted is_mountpoint directory storage: active 0 and zero sizes
//     in the storage list, status "unknown" without figures in
//     /cluster/resources, and 500 "unable to activate storage '…' - directory
//     is expected to be a mount point but is not mounted: '…'" for content.
//
//   - Permissions (Options.Grants, Server.SetGrants; default every
//     privilege on /): GET /access/permissions answers as
//     RPCEnvironment::get_effective_permissions does, a map of path to
//     privilege to 1 over the top-level paths and those the grants name.
//     A call the token lacks a privilege for answers 403 "Permission check
//     failed (/vms/421, VM.Backup)" (raise_perm_exc); lists leave out what
//     it may not audit, and a backup storage's content lists an archive
//     only with Datastore.Allocate, or Datastore.AllocateSpace and the
//     guest's VM.Backup (check_volume_access): an Audit role sees none.
//
// The disks it lists and their SMART readings are the seed host's
// (lab/host). UsageHistory invents the storages' past usage for the demo.
package pve
