package faulttest

import "syscall"

// childAttr makes a botbridge child die with the test process, so a test
// binary killed by its timeout leaves no server running behind it.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
