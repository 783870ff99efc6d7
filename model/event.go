package model

// Event is what the engine publishes to the console.
type Event interface{ event() }

// PostureEvent carries a new posture; it replaces the previous one whole.
type PostureEvent struct{ Posture *Posture }

// JobEvent carries a job's progress or its end.
type JobEvent struct{ Job Job }

// ErrorEvent carries a source's failure or an action's failure.
type ErrorEvent struct{ Err SourceError }

func (PostureEvent) event() {}
func (JobEvent) event()     {}
func (ErrorEvent) event()   {}
