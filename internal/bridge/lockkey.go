package bridge

// ChatLockKey is the advisory lock a chat worker holds while it delivers
// the chat's events. Whatever removes a chat's events (erasure, project
// deletion in internal/lifecycle) takes it too, so it never pulls rows
// from under a delivery in flight.
func ChatLockKey(chatID int64) int64 { return lockKey(chatID) }
