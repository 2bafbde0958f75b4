package request

// QueueQuery exposes the queue's SQL for the EXPLAIN tests.
func QueueQuery(f QueueFilter, after string, limit int) (string, []any, error) {
	c, err := parseCursor(after)
	if err != nil {
		return "", nil, err
	}
	return queueQuery(f, c, limit)
}
