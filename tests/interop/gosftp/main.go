// gosftp: a small client over github.com/pkg/sftp for the interop suite.
//
// It connects once, then runs one command per line of standard input, fields
// separated by tabs, and prints each result. The first failing command ends the
// run with exit status 1, unless it is prefixed with "fail\t" (then it must fail).
// Transfers use pkg/sftp's concurrent reads and writes, so requests reach the
// server out of order, as real Go clients (rclone, restic) send them.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

func connect(addr, user, keyPath, hostKeyPath string) (*sftp.Client, error) {
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		return nil, err
	}
	hostKey, err := os.ReadFile(hostKeyPath)
	if err != nil {
		return nil, err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(hostKey)
	if err != nil {
		return nil, err
	}
	config := &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(pub),
		Timeout:         20 * time.Second,
	}
	conn, err := ssh.Dial("tcp", addr, config)
	if err != nil {
		return nil, err
	}
	return sftp.NewClient(conn, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true),
		sftp.MaxConcurrentRequestsPerFile(64))
}

func put(c *sftp.Client, local, remote string, resume bool) error {
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if resume {
		flags = os.O_WRONLY
	}
	out, err := c.OpenFile(remote, flags)
	if err != nil {
		return err
	}
	if resume {
		st, err := out.Stat()
		if err != nil {
			return err
		}
		local, err := in.Stat()
		if err != nil {
			return err
		}
		if _, err := out.Seek(st.Size(), io.SeekStart); err != nil {
			return err
		}
		// a SectionReader has Size(), so ReadFrom still writes concurrently
		rest := io.NewSectionReader(in, st.Size(), local.Size()-st.Size())
		if _, err := out.ReadFrom(rest); err != nil {
			return err
		}
	} else if _, err := out.ReadFrom(in); err != nil {
		return err
	}
	return out.Close()
}

func get(c *sftp.Client, remote, local string, resume bool) error {
	in, err := c.Open(remote)
	if err != nil {
		return err
	}
	defer in.Close()
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if resume {
		flags = os.O_WRONLY | os.O_APPEND
	}
	out, err := os.OpenFile(local, flags, 0644)
	if err != nil {
		return err
	}
	defer out.Close()
	if resume {
		st, err := out.Stat()
		if err != nil {
			return err
		}
		if _, err := in.Seek(st.Size(), io.SeekStart); err != nil {
			return err
		}
	}
	_, err = in.WriteTo(out)
	return err
}

func run(c *sftp.Client, f []string) (string, error) {
	switch f[0] {
	case "put":
		return "", put(c, f[1], f[2], false)
	case "resumeput":
		return "", put(c, f[1], f[2], true)
	case "get":
		return "", get(c, f[1], f[2], false)
	case "resumeget":
		return "", get(c, f[1], f[2], true)
	case "ls":
		entries, err := c.ReadDir(f[1])
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, e := range entries {
			fmt.Fprintf(&b, "%s\t%d\t%o\t%v\n", e.Name(), e.Size(), e.Mode().Perm(), e.IsDir())
		}
		return b.String(), nil
	case "mkdir":
		return "", c.Mkdir(f[1])
	case "mkdirall":
		return "", c.MkdirAll(f[1])
	case "rename":
		return "", c.Rename(f[1], f[2])
	case "posixrename":
		return "", c.PosixRename(f[1], f[2])
	case "remove":
		return "", c.Remove(f[1])
	case "rmdir":
		return "", c.RemoveDirectory(f[1])
	case "chmod":
		mode, err := strconv.ParseUint(f[1], 8, 32)
		if err != nil {
			return "", err
		}
		return "", c.Chmod(f[2], os.FileMode(mode))
	case "chtimes":
		t, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return "", err
		}
		return "", c.Chtimes(f[2], time.Unix(t, 0), time.Unix(t, 0))
	case "truncate":
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return "", err
		}
		return "", c.Truncate(f[2], n)
	case "symlink":
		return "", c.Symlink(f[1], f[2])
	case "link":
		return "", c.Link(f[1], f[2])
	case "readlink":
		s, err := c.ReadLink(f[1])
		return s + "\n", err
	case "realpath":
		s, err := c.RealPath(f[1])
		return s + "\n", err
	case "getwd":
		s, err := c.Getwd()
		return s + "\n", err
	case "stat", "lstat":
		st, err := c.Stat(f[1])
		if f[0] == "lstat" {
			st, err = c.Lstat(f[1])
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d\t%o\t%d\n", st.Size(), st.Mode(), st.ModTime().Unix()), nil
	case "statvfs":
		st, err := c.StatVFS(f[1])
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d\t%d\t%d\n", st.Bsize, st.Blocks, st.Bfree), nil
	}
	return "", fmt.Errorf("unknown command %q", f[0])
}

func main() {
	addr := flag.String("addr", "", "host:port")
	user := flag.String("user", "", "user name")
	key := flag.String("key", "", "private key file")
	hostKey := flag.String("hostkey", "", "host public key file")
	flag.Parse()
	c, err := connect(*addr, *user, *key, *hostKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(2)
	}
	defer c.Close()
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), "\t")
		mustFail := fields[0] == "fail"
		if mustFail {
			fields = fields[1:]
		}
		out, err := run(c, fields)
		fmt.Print(out)
		switch {
		case err != nil && mustFail:
			fmt.Printf("failed as expected: %s: %v\n", fields[0], err)
		case err != nil:
			fmt.Fprintf(os.Stderr, "%s: %v\n", strings.Join(fields, " "), err)
			os.Exit(1)
		case mustFail:
			fmt.Fprintf(os.Stderr, "%s: succeeded, expected a failure\n", strings.Join(fields, " "))
			os.Exit(1)
		}
	}
}
