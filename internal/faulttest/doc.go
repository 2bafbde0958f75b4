// Package faulttest holds botbridge's fault and crash tests: the real
// botbridge binary (built once per run) is run as child processes against
// a PostgreSQL database of its own, with the Webim sandbox and the demo bot
// in the test process, and the tests then kill -9 it, run two of it, make
// Webim flaky, cut PostgreSQL connections, stop it with SIGTERM under load,
// and replay a corpus of hostile webhooks (testdata/webhooks) at it. What
// they prove is the bridge's promise: nothing acknowledged is lost, each
// chat stays in order, duplicates happen only where at-least-once allows
// and are counted, and the server recovers by itself.
//
// The package has no code outside its tests.
package faulttest
