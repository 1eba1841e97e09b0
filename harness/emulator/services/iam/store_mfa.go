package iam

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"slices"
	"sort"
	"strconv"
	"time"
)

// MFADevice is a virtual MFA device: a TOTP seed, and the user it is
// assigned to once enabled.
type MFADevice struct {
	Serial  string
	Seed    string // base32, as AWS hands it out once
	User    string // "" until enabled
	Enabled time.Time
	Tags    []Tag
}

type mfaDevice struct {
	MFADevice
	lastStep int64 // the last TOTP time step accepted, so a code is used once
}

func (d *mfaDevice) snapshot() MFADevice {
	out := d.MFADevice
	out.Tags = slices.Clone(d.Tags)
	return out
}

// totpStep is RFC 6238's time step.
const totpStep = 30

// totpWindow is how many steps either side of now a code may come from
// (clock drift between the device and the server).
const totpWindow = 10

// totp is RFC 6238's TOTP (HMAC-SHA-1, six digits) of key at time step n:
// RFC 4226's HOTP of the step counter.
func totp(key []byte, n int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(n))
	h := hmac.New(sha1.New, key)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff % 1_000_000
	s := strconv.Itoa(int(code))
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// matchCodes finds the step at which code1 and then code2 are two
// consecutive codes of seed, near now; it returns that second step.
func matchCodes(seed string, code1, code2 string, now time.Time, after int64) (int64, bool) {
	key, err := base32.StdEncoding.DecodeString(seed)
	if err != nil {
		return 0, false
	}
	cur := now.Unix() / totpStep
	for n := cur - totpWindow; n <= cur+totpWindow; n++ {
		if n > after && hmac.Equal([]byte(totp(key, n)), []byte(code1)) && hmac.Equal([]byte(totp(key, n+1)), []byte(code2)) {
			return n + 1, true
		}
	}
	return 0, false
}

func noMFA(serial string) error {
	return errNoSuchEntity.New("MFA device with serial number " + serial + " does not exist.")
}

var errBadCodes = errInvalidAuthCode.New("Authentication code for device is not valid.")

// CreateVirtualMFADevice makes a device with a fresh 160-bit seed.
func (s *Store) CreateVirtualMFADevice(path, name string, tags []Tag) (MFADevice, error) {
	var seed [20]byte
	rand.Read(seed[:])
	serial := "arn:aws:iam::" + s.account + ":mfa" + path + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.mfa[serial]; ok {
		return MFADevice{}, errEntityExists.New("MFADevice entity at the same path and name already exists.")
	}
	d := &mfaDevice{MFADevice: MFADevice{Serial: serial, Seed: base32.StdEncoding.EncodeToString(seed[:]), Tags: slices.Clone(tags)}}
	s.mfa[serial] = d
	return d.snapshot(), nil
}

// VirtualMFADevices lists devices by assignment ("Assigned", "Unassigned"
// or "Any"), by serial number.
func (s *Store) VirtualMFADevices(status string) []MFADevice {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []MFADevice
	for _, d := range s.mfa {
		if status == "Assigned" && d.User == "" || status == "Unassigned" && d.User != "" {
			continue
		}
		out = append(out, d.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial < out[j].Serial })
	return out
}

// DeleteVirtualMFADevice removes a device no user has enabled.
func (s *Store) DeleteVirtualMFADevice(serial string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mfa[serial]
	if d == nil {
		return noMFA(serial)
	}
	if d.User != "" {
		return errDeleteConflict.New("MFA VirtualDevice in use. Must deactivate first.")
	}
	delete(s.mfa, serial)
	return nil
}

// EnableMFADevice assigns a device to a user after two consecutive codes.
func (s *Store) EnableMFADevice(userName, serial, code1, code2 string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return noUser(userName)
	}
	d := s.mfa[serial]
	if d == nil {
		return noMFA(serial)
	}
	if d.User != "" {
		return errEntityExists.New("MFA Device is already in use.")
	}
	step, ok := matchCodes(d.Seed, code1, code2, now, d.lastStep)
	if !ok {
		return errBadCodes
	}
	d.User, d.Enabled, d.lastStep = u.Name, now, step
	return nil
}

// userDevice finds a device enabled for a user (any user when userName is "").
func (s *Store) userDevice(userName, serial string) (*mfaDevice, error) {
	if userName != "" && s.users[key(userName)] == nil {
		return nil, noUser(userName)
	}
	d := s.mfa[serial]
	if d == nil || d.User == "" || userName != "" && key(d.User) != key(userName) {
		return nil, noMFA(serial)
	}
	return d, nil
}

// DeactivateMFADevice unassigns a device; it stays for DeleteVirtualMFADevice.
func (s *Store) DeactivateMFADevice(userName, serial string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.userDevice(userName, serial)
	if err != nil {
		return err
	}
	d.User, d.Enabled = "", time.Time{}
	return nil
}

// ResyncMFADevice checks two consecutive codes of a user's device.
func (s *Store) ResyncMFADevice(userName, serial, code1, code2 string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.userDevice(userName, serial)
	if err != nil {
		return err
	}
	step, ok := matchCodes(d.Seed, code1, code2, now, d.lastStep)
	if !ok {
		return errBadCodes
	}
	d.lastStep = step
	return nil
}

// MFADevicesOf lists the devices enabled for a user.
func (s *Store) MFADevicesOf(userName string) ([]MFADevice, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.users[key(userName)] == nil {
		return nil, noUser(userName)
	}
	var out []MFADevice
	for _, d := range s.mfa {
		if key(d.User) == key(userName) {
			out = append(out, d.snapshot())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial < out[j].Serial })
	return out, nil
}

// GetMFADevice returns a device by serial number.
func (s *Store) GetMFADevice(serial string) (MFADevice, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.mfa[serial]
	if d == nil {
		return MFADevice{}, noMFA(serial)
	}
	return d.snapshot(), nil
}

// UpdateMFATags changes a device's tags under the lock.
func (s *Store) UpdateMFATags(serial string, f func([]Tag) ([]Tag, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mfa[serial]
	if d == nil {
		return noMFA(serial)
	}
	t, err := f(d.Tags)
	if err == nil {
		d.Tags = t
	}
	return err
}

// hasMFA reports whether a user has a device enabled; the caller holds mu.
func (s *Store) hasMFA(u *user) bool {
	for _, d := range s.mfa {
		if d.User != "" && key(d.User) == key(u.Name) {
			return true
		}
	}
	return false
}
