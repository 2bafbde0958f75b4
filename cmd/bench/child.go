package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/botbridge/botbridge/internal/stack"
)

// buildBinary compiles cmd/botbridge into dir, the way `make build` does.
func buildBinary(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "botbridge")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/botbridge")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/botbridge: %w", err)
	}
	return bin, nil
}

// freeAddr reserves a loopback port and releases it for a child to bind.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// wrapEnv, in startChild's extra, names a command line the child runs
// under (e.g. valgrind); it is not passed to the child.
const wrapEnv = "BENCH_WRAP"

// child is a botbridge process.
type child struct {
	cmd     *exec.Cmd
	BaseURL string
	log     string
	done    chan error
}

// startChild runs `botbridge <args>` with a stack's environment (plus
// extra) against databaseURL. Web processes are ready when /readyz answers.
func startChild(ctx context.Context, bin, dir, name, baseURL, addr, databaseURL string, extra map[string]string, args ...string) (*child, error) {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range stack.Env(baseURL, addr, databaseURL) {
		env = append(env, k+"="+v)
	}
	for k, v := range extra {
		if k != wrapEnv {
			env = append(env, k+"="+v)
		}
	}
	logPath := filepath.Join(dir, name+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	wait := 30 * time.Second
	if w := extra[wrapEnv]; w != "" {
		// Run under a tool (valgrind): bin becomes its argument.
		tool := strings.Fields(w)
		cmd = exec.Command(tool[0], append(append(tool[1:], bin), args...)...)
		wait = 3 * time.Minute
	}
	cmd.Env, cmd.Stdout, cmd.Stderr = env, lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start botbridge %s: %w", strings.Join(args, " "), err)
	}
	c := &child{cmd: cmd, BaseURL: baseURL, log: logPath, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); lf.Close() }()
	if args[0] != "serve" {
		return c, nil
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			c.done <- err
			return nil, fmt.Errorf("botbridge %s exited during start-up (%v); log: %s", name, err, c.tail())
		case <-ctx.Done():
			c.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(baseURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
	}
	c.Stop()
	return nil, fmt.Errorf("botbridge %s not ready after %s; log: %s", name, wait, c.tail())
}

// tail is the end of the child's log, for error messages.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.log)
	s := string(b)
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return s
}

// Pid is the process id.
func (c *child) Pid() int { return c.cmd.Process.Pid }

// Stop sends SIGTERM, waits for the graceful shutdown, then kills.
func (c *child) Stop() {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- err
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		err := <-c.done
		c.done <- err
	}
}

// memory reads VmHWM (peak resident set) and VmRSS of a process, in bytes.
func memory(pid int) (peak, current int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb int64
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "VmHWM:"):
			if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
				peak = kb * 1024
			}
		case strings.HasPrefix(line, "VmRSS:"):
			if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kb); err == nil {
				current = kb * 1024
			}
		}
	}
	if peak == 0 {
		return 0, 0, errors.New("no VmHWM in /proc status")
	}
	return peak, current, sc.Err()
}
