// Package drill runs restore drills: a guest's archive restored to a
// scratch guest with its network cut, its config checked against the
// archive's, optionally booted until its guest agent answers, then
// destroyed. A drill is recorded in the history before it touches PVE and
// its scratch guest is marked (name and description), so that whatever
// stops it half-way (a failed step, a quit, a crash) the next start finds
// the leftover and destroys it.
package drill
