//go:build !linux

package faulttest

import "syscall"

// childAttr: outside Linux there is no parent-death signal; the tests'
// cleanups stop the children.
func childAttr() *syscall.SysProcAttr { return nil }
